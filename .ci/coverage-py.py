"""Python coverage of r_bridge by the suites that measure it, against a threshold.

Combines the coverage data files the suites wrote (pytest-cov with
``--cov=r_bridge``, branch coverage and subprocesses as configured in
pyproject.toml), prints "Python coverage: lines X%, branches Y% (threshold
T% of lines)" and the least covered files, writes "passed failed 0" to
OUT.tsv and the figures to OUT.note (for the summary line), and fails when
lines are below the threshold or a data file is missing.

Usage: python .ci/coverage-py.py THRESHOLD OUT DATA_FILE...
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

threshold, out, data_files = float(sys.argv[1]), sys.argv[2], sys.argv[3:]
missing = [f for f in data_files if not os.path.exists(f)]
combined, report = out + ".coverage", out + ".json"
cov = [sys.executable, "-m", "coverage"]
subprocess.run([*cov, "combine", "--keep", "--quiet", f"--data-file={combined}", *data_files], check=True)
subprocess.run([*cov, "json", "--quiet", f"--data-file={combined}", "-o", report], check=True)
with open(report) as fh:
    data = json.load(fh)
totals = data["totals"]
lines = 100.0 * totals["covered_lines"] / max(totals["num_statements"], 1)
branches = 100.0 * totals["covered_branches"] / max(totals["num_branches"], 1)
note = f"lines {lines:.1f}%, branches {branches:.1f}%; threshold {threshold:g}% of lines"
print(f"Python coverage: {note} (from {', '.join(os.path.basename(f) for f in data_files)})")
for f in missing:
    print(f"missing data file: {f} (its suite did not run or did not measure)")


def percent(summary: dict) -> float:
    return (
        100.0 * summary["covered_lines"] / summary["num_statements"] if summary["num_statements"] else 100.0
    )


for name, f in sorted(data["files"].items(), key=lambda kv: percent(kv[1]["summary"]))[:15]:
    m = f["missing_lines"]
    print(
        f"  {percent(f['summary']):5.1f}%  {name}  lines never run: {m[:20]}{' ...' if len(m) > 20 else ''}"
    )
ok = lines >= threshold and not missing
with open(out + ".tsv", "w") as fh:
    fh.write(f"{int(ok)} {int(not ok)} 0\n")
with open(out + ".note", "w") as fh:
    fh.write(note + "\n")
sys.exit(0 if ok else 1)
