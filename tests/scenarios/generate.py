"""Fill the expected values of the shared scenarios from real Keras 3.

Usage (from the repository root; needs Keras, which lives in .venv-keras)::

    KERAS_BACKEND=numpy .venv-keras/bin/python tests/scenarios/generate.py          # rewrite the JSON
    KERAS_BACKEND=numpy .venv-keras/bin/python tests/scenarios/generate.py --check  # exit 1 if stale
    .venv-keras/bin/python tests/scenarios/generate.py --only err_    # just ids starting with err_

(``KERAS_BACKEND`` defaults to ``numpy`` when unset.)

What it does, per scenario (format: tests/scenarios/README.md):

* ``"source": "keras"``: runs every step against Keras and writes the value of
  each value-producing step into its ``"expect"``. ``error`` steps must raise
  an error whose message contains ``expect_error`` (else generation fails:
  fix the substring or the scenario).
* ``"source": "rbridge"``: the expectations are hand-written (r_bridge's
  deliberate behaviour, e.g. a failed call consumes no names). The steps are
  still run against Keras; where Keras gives something else the step gets a
  ``"keras_differs"`` field recording what Keras did (documentation only --
  no suite compares it), and the field is removed where Keras agrees.

The JSON is committed, so the test suites run without Keras.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))

import scenario_runner as sr  # noqa: E402


def plain(v):
    """JSON-able copy of a value Keras returned."""
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    return v


def run_keras(scenario, backend, strict):
    """``[(step, value or ("raised", msg) or ("no error", None))]`` for each step."""
    env = {}
    out = []
    backend.begin()
    try:
        for i, step in enumerate(scenario["steps"]):
            where = f"scenario {scenario['id']!r} step {i} ({step['op']})"
            if step["op"] == "error":
                try:
                    sr.run_step(step["step"], backend, env, where)
                except sr.ScenarioError:
                    raise
                except Exception as e:  # noqa: BLE001
                    msg = str(e)
                    if step["expect_error"] not in msg:
                        if strict:
                            raise sr.ScenarioError(
                                f"{where}: Keras's message {msg!r} lacks {step['expect_error']!r}"
                            ) from e
                        out.append((step, ("message", msg)))
                    else:
                        out.append((step, None))
                    continue
                if strict:
                    raise sr.ScenarioError(f"{where}: Keras raised no error")
                out.append((step, ("no error", None)))
                continue
            try:
                value = sr.run_step(step, backend, env, where)
            except Exception as e:  # noqa: BLE001
                if strict:
                    raise
                out.append((step, ("raised", f"{type(e).__name__}: {e}")))
                continue
            if step["op"] in sr.VALUE_OPS:
                out.append((step, plain(value)))
    finally:
        backend.end()
    return out


def update(scenario, backend):
    """Update ``scenario`` in place; returns True if anything changed."""
    before = json.dumps(scenario, sort_keys=True)
    if scenario["source"] == "keras":
        for step, value in run_keras(scenario, backend, strict=True):
            if step["op"] != "error":
                step["expect"] = value
    elif scenario["source"] == "rbridge":
        for step, value in run_keras(scenario, backend, strict=False):
            if step["op"] == "error":
                differs = (
                    None
                    if value is None
                    else (
                        "Keras raised no error" if value[0] == "no error" else f"Keras's message: {value[1]}"
                    )
                )
            elif isinstance(value, tuple):
                differs = f"Keras {value[1]}"
            elif "expect" not in step:
                raise sr.ScenarioError(f"{scenario['id']}: rbridge step without 'expect': {step}")
            else:
                differs = None if sr._equal(value, step["expect"]) else value
            if differs is None:
                step.pop("keras_differs", None)
            else:
                step["keras_differs"] = differs
    else:
        raise sr.ScenarioError(f"{scenario['id']}: unknown source {scenario['source']!r}")
    return json.dumps(scenario, sort_keys=True) != before


def dump(data) -> str:
    """The committed layout: one scenario header per line, one step per line."""
    lines = ["{"]
    for key in data:
        if key != "scenarios":
            lines.append(f"  {json.dumps(key)}: {json.dumps(data[key])},")
    lines.append('  "scenarios": [')
    for si, sc in enumerate(data["scenarios"]):
        head = {k: v for k, v in sc.items() if k != "steps"}
        lines.append("    " + json.dumps(head)[:-1] + ', "steps": [')
        for i, step in enumerate(sc["steps"]):
            comma = "," if i < len(sc["steps"]) - 1 else ""
            lines.append("      " + json.dumps(step) + comma)
        lines.append("    ]}" + ("," if si < len(data["scenarios"]) - 1 else ""))
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 if any file is stale")
    ap.add_argument("--only", default="", help="only scenarios whose id starts with this")
    args = ap.parse_args(argv)

    backend = sr.KerasBackend()
    import keras

    print(f"keras {keras.__version__}, backend {keras.backend.backend()}")
    stale = []
    ids = set()
    total = 0
    for path in sorted(HERE.glob("*.json")):
        text = path.read_text()
        data = json.loads(text)
        for sc in data["scenarios"]:
            if sc["id"] in ids:
                raise SystemExit(f"duplicate scenario id {sc['id']!r}")
            ids.add(sc["id"])
            unknown = sr.scenario_ops(sc) - sr.ALL_OPS
            if unknown:
                raise SystemExit(f"{sc['id']}: unknown ops {sorted(unknown)}")
            if not sc["id"].startswith(args.only):
                continue
            total += 1
            update(sc, backend)
        new = dump(data)
        if new != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(new)
    verb = "stale" if args.check else "rewritten"
    print(f"{total} scenarios run; {verb}: {', '.join(stale) or 'none'}")
    if args.check and stale:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
