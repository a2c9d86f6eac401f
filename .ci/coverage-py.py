"""Python coverage of r_bridge by the python suite, against a threshold.

Reads the JSON report pytest-cov wrote (``--cov=r_bridge --cov-branch
--cov-report=json:FILE``), prints "Python coverage: lines X%, branches Y%
(threshold T% of lines)" and the least covered files, writes "passed failed
0" to OUT.tsv and the figures to OUT.note (for the summary line), and fails
when lines are below the threshold.

Usage: python .ci/coverage-py.py COVERAGE.json THRESHOLD OUT
"""

from __future__ import annotations

import json
import sys

report, threshold, out = sys.argv[1], float(sys.argv[2]), sys.argv[3]
data = json.load(open(report))
totals = data["totals"]
lines = 100.0 * totals["covered_lines"] / max(totals["num_statements"], 1)
branches = 100.0 * totals["covered_branches"] / max(totals["num_branches"], 1)
note = f"lines {lines:.1f}%, branches {branches:.1f}%; threshold {threshold:g}% of lines"
print(f"Python coverage: {note}")
files = sorted(
    (100.0 * f["summary"]["covered_lines"] / max(f["summary"]["num_statements"], 1), name, f["missing_lines"])
    for name, f in data["files"].items()
)
for pct, name, missing in files[:15]:
    print(f"  {pct:5.1f}%  {name}  missing lines: {missing[:20]}{' ...' if len(missing) > 20 else ''}")
ok = lines >= threshold
with open(out + ".tsv", "w") as fh:
    fh.write(f"{int(ok)} {int(not ok)} 0\n")
with open(out + ".note", "w") as fh:
    fh.write(note + "\n")
sys.exit(0 if ok else 1)
