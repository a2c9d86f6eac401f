"""Check the built documentation site (make docs): every exported R function
has a reference page linked from the reference index, and every public
Python name has an entry in the Python API reference.

Usage: python .ci/docs-check.py SITE_DIR  (prints the missing entries and
"docs-entries: N passed, N failed"; exits non-zero if any is missing).

Public Python names: a module's ``__all__`` when it has one, else the
classes and functions it defines whose names do not start with ``_``, in
every module of r_bridge whose dotted path has no part starting with ``_``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

site = Path(sys.argv[1])
missing: list[str] = []
checked = 0

# R: the functions NAMESPACE exports -> alias -> Rd page, linked from the index.
# A topic marked internal (the re-exported %>%) has its page, but no place
# in the index (pkgdown leaves internal topics out).
aliases: dict[str, str] = {}
internal: set[str] = set()
for rd in Path("man").glob("*.Rd"):
    text = rd.read_text()
    for alias in re.findall(r"\\alias\{(.*?)\}", text):
        aliases[alias.replace("\\%", "%")] = rd.stem
    if "\\keyword{internal}" in text:
        internal.add(rd.stem)
index = (site / "reference" / "index.html").read_text()
namespace = Path("NAMESPACE").read_text()
exports = re.findall(r'^export\("?([^")]+)"?\)', namespace, re.M)
for name in exports:
    checked += 1
    topic = aliases.get(name)
    if topic is None:
        missing.append(f"R {name}: no Rd page has it as an alias")
    elif not (site / "reference" / f"{topic}.html").exists() or (
        topic not in internal and f'href="{topic}.html"' not in index
    ):
        missing.append(f"R {name}: reference/{topic}.html missing or not in the reference index")

# Python: ids in the mkdocstrings reference.
html = "".join(p.read_text() for p in (site / "python").glob("*.html"))
ids = set(re.findall(r'id="([A-Za-z0-9_.]+)"', html))
sys.path.insert(0, ".")
import r_bridge  # noqa: E402

modules = ["r_bridge"] + [
    m.name
    for m in pkgutil.walk_packages(r_bridge.__path__, "r_bridge.")
    if not any(part.startswith("_") for part in m.name.split("."))
]
for modname in modules:
    try:
        module = importlib.import_module(modname)
    except ImportError as e:  # an optional dependency (rpy2): still documented
        print(f"(not imported: {modname}: {e}; checking the module entry only)")
        names = []
    else:
        names = list(getattr(module, "__all__", None) or [
            n for n, obj in vars(module).items()
            if not n.startswith("_") and (inspect.isclass(obj) or inspect.isfunction(obj))
            and getattr(obj, "__module__", None) == modname
        ])  # fmt: skip
    for name in [None, *names]:
        checked += 1
        entry = modname if name is None else f"{modname}.{name}"
        if entry not in ids:
            missing.append(f"Python {entry}: no entry in the Python API reference")

for m in missing:
    print("missing:", m)
print(f"docs-entries: {checked - len(missing)} passed, {len(missing)} failed")
sys.exit(1 if missing else 0)
