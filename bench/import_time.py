"""Fresh-process import times: ``python -c 'import X'`` minus ``python -c pass``.

Run with the package's Python. Interleaves the variants (one of each per
round) so that machine noise hits all alike; prints JSON of medians (ms).

Variants: ``pass`` (interpreter startup), ``numpy``, ``r_bridge`` as the
checkout has it (editable install; no ``.pyc`` is written when
PYTHONDONTWRITEBYTECODE is set), and ``r_bridge_pyc``: a byte-compiled copy
of the package first on PYTHONPATH, i.e. what ``pip install`` gives.
"""

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
site = os.path.join(root, "bench", "out", "site")
shutil.rmtree(site, ignore_errors=True)
shutil.copytree(os.path.join(root, "r_bridge"), os.path.join(site, "r_bridge"),
                ignore=shutil.ignore_patterns("__pycache__"))
compileall.compile_dir(os.path.join(site, "r_bridge"), quiet=1)

cwd = os.path.dirname(site)  # not the checkout: '' on sys.path would find r_bridge/
env = dict(os.environ)
env.pop("PYTHONPATH", None)
env_pyc = dict(env, PYTHONPATH=site)
variants = {
    "pass": (["-c", "pass"], env),
    "numpy": (["-c", "import numpy"], env),
    "r_bridge": (["-c", "import r_bridge"], env),
    "r_bridge_pyc": (["-c", "import r_bridge; assert r_bridge.__file__.startswith(%r)" % site], env_pyc),
}
times = {k: [] for k in variants}
for _ in range(2):  # warm the file cache
    for args, e in variants.values():
        subprocess.run([sys.executable, *args], env=e, check=True, cwd=cwd)
for _ in range(reps):
    for k, (args, e) in variants.items():
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], env=e, check=True, cwd=cwd)
        times[k].append((time.perf_counter() - t0) * 1e3)
med = {k: statistics.median(v) for k, v in times.items()}
out = {f"{k}_ms": v for k, v in med.items()}
for k in ("numpy", "r_bridge", "r_bridge_pyc"):
    out[f"{k}_net_ms"] = med[k] - med["pass"]
out["reps"] = reps
json.dump(out, sys.stdout)
print()
