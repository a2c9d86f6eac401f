"""Random programs run side by side in real Keras 3 and in r_bridge.

Needs Keras (it is not installed in the main .venv, so this module skips
there). Run it with the Keras venv, where r_bridge is installed editable::

    .venv-keras/bin/pip install -e .            # once (the Makefile does this)
    .venv-keras/bin/python -m pytest tests/python/test_conformance_keras.py

Keras is imported with ``KERAS_BACKEND=numpy`` (set here unless keras is
already imported).

Each seed generates a program of scenario-format steps (see
tests/scenarios/README.md): Dense/Dropout/Activation/Flatten with and without
explicit names (standalone, called on tensors, piped into Sequentials),
Input with and without names, Sequential list-built and add-built with and
without an Input, ``add``, functional ``Model``, ``get_uid`` on random
prefixes, ``reset_uids`` and ``clear_session(free_memory=False)``. The program
runs in lockstep in Keras and in r_bridge -- through the Python API and,
separately, through ``r_bridge.api`` (the R bridge) -- and after every step we
assert:

* the same value (object name, list of a model's layer names, get_uid result);
* the same full uid dict (``object_name_uids``: every counter Keras keeps,
  including the hidden ``functional``/``keras_tensor``/``seed_generator`` ones);
* if a step raises, it raises in both; r_bridge's counters are then exactly
  what they were before the step (its atomicity guarantee; Keras may have
  consumed names, so r_bridge's counters are re-synchronised to Keras's
  before continuing).
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip(
        "keras not installed: run `make test` which installs it into .venv-keras",
        allow_module_level=True,
    )
if "keras" not in sys.modules:
    os.environ["KERAS_BACKEND"] = "numpy"

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_runner as sr  # noqa: E402

SEEDS = range(int(os.environ.get("RBRIDGE_CONFORMANCE_SEEDS", "30")))
N_OPS = int(os.environ.get("RBRIDGE_CONFORMANCE_OPS", "40"))

PREFIXES = [
    "dense",
    "dropout",
    "activation",
    "flatten",
    "sequential",
    "functional",
    "input_layer",
    "keras_tensor",
    "seed_generator",
    "",
    "Dense",
    "block",
    "dense_1",
]
EXPLICIT_NAMES = ["a", "b", "hidden", "dense", "dense_1", "out", "sequential", "functional"]
SHAPES = [[4], [3], [2, 3], [5]]


# ---------------------------------------------------------------- generator
class ProgramGenerator:
    """Random, mostly-valid programs in the scenario step format.

    Tracks just enough to keep most steps valid: fresh (never used) layers,
    tensors with the input they come from, Sequentials, functional models.
    Steps that still fail (duplicate explicit names in one model, ...) are
    fine: both libraries must fail.
    """

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.n = 0
        self.fresh = []  # layer vars never used
        self.used = []  # layer vars already called on a tensor
        self.tensors = {}  # tensor var -> root input var
        self.seqs = []
        self.models = []

    def var(self, p):
        self.n += 1
        return f"{p}{self.n}"

    def _name(self, p=0.2):
        return self.rng.choice(EXPLICIT_NAMES) if self.rng.random() < p else None

    def _layer_spec(self):
        r = self.rng
        kind = r.choice(["dense", "dense", "dropout", "activation", "flatten"])
        args = {
            "dense": lambda: {
                "units": r.randint(1, 4),
                **({"activation": "relu"} if r.random() < 0.3 else {}),
            },
            "dropout": lambda: {"rate": r.choice([0.0, 0.2, 0.5])},
            "activation": lambda: {"activation": r.choice(["relu", "tanh", "softmax"])},
            "flatten": lambda: {},
        }[kind]()
        name = self._name()
        if name is not None:
            args["name"] = name
        return kind, args

    def step(self):
        r = self.rng
        choices = [
            "layer",
            "layer",
            "input",
            "on",
            "on",
            "sequential",
            "into",
            "add",
            "model",
            "get_uid",
            "get_uid",
            "uids",
            "names",
            "reset_uids",
            "clear_session",
        ]
        what = r.choice(choices)
        if what == "layer":
            kind, args = self._layer_spec()
            v = self.var("l")
            self.fresh.append(v)
            return {"op": "layer", "kind": kind, "args": args, "as": v}
        if what == "input":
            v = self.var("x")
            step = {"op": "input", "shape": r.choice(SHAPES), "as": v}
            if r.random() < 0.2:
                step["name"] = r.choice(["in", "features", "x", ""])
            self.tensors[v] = v
            return step
        if what == "on" and self.tensors:
            t = r.choice(sorted(self.tensors))
            v = self.var("t")
            self.tensors[v] = self.tensors[t]
            if self.fresh and r.random() < 0.4:
                layer = self.fresh.pop(r.randrange(len(self.fresh)))
                self.used.append(layer)
                return {"op": "call", "layer": layer, "on": t, "as": v}
            if self.used and r.random() < 0.15:  # shared layer (may not fit the shape)
                return {"op": "call", "layer": r.choice(self.used), "on": t, "as": v}
            kind, args = self._layer_spec()
            return {"op": "layer", "kind": kind, "args": args, "on": t, "as": v}
        if what == "sequential":
            k = r.randint(0, min(3, len(self.fresh)))
            layers = [self.fresh.pop(r.randrange(len(self.fresh))) for _ in range(k)]
            step = {"op": "sequential", "layers": layers}
            roll = r.random()
            if roll < 0.35:
                step["input_shape"] = r.choice(SHAPES)
            elif roll < 0.55 and self.tensors:
                inputs = [t for t, root in self.tensors.items() if t == root]
                if inputs:
                    step["layers"] = [r.choice(inputs)] + layers
            name = self._name(0.15)
            if name is not None:
                step["name"] = name
            v = self.var("s")
            step["as"] = v
            self.seqs.append(v)
            return step
        if what == "into" and self.seqs:
            kind, args = self._layer_spec()
            return {"op": "layer", "kind": kind, "args": args, "into": r.choice(self.seqs)}
        if what == "add" and self.seqs and self.fresh:
            layer = self.fresh.pop(r.randrange(len(self.fresh)))
            return {"op": "add", "model": r.choice(self.seqs), "layer": layer}
        if what == "model" and self.tensors:
            out = r.choice(sorted(self.tensors))
            v = self.var("m")
            step = {"op": "model", "inputs": self.tensors[out], "outputs": out, "as": v}
            name = self._name(0.2)
            if name is not None:
                step["name"] = name
            self.models.append(v)
            return step
        if what == "names" and (self.seqs or self.models):
            return {"op": "names", "model": r.choice(self.seqs + self.models)}
        if what == "get_uid":
            return {"op": "get_uid", "prefix": r.choice(PREFIXES)}
        if what == "reset_uids" and r.random() < 0.4:
            return {"op": "reset_uids"}
        if what == "clear_session" and r.random() < 0.4:
            return {"op": "clear_session", "free_memory": False}
        return {"op": "uids"}

    def program(self, n):
        return [self.step() for _ in range(n)]


def _refs(step):
    out = []
    for key in ("layer", "on", "into", "model", "inputs", "outputs"):
        v = step.get(key)
        out.extend(v if isinstance(v, list) else [v] if v else [])
    out.extend(step.get("layers", []))
    return out


# ---------------------------------------------------------------- lockstep
def run_lockstep(program, other, keras_backend, label):
    import r_bridge.naming as rn

    kenv, oenv = {}, {}
    keras_backend.begin()
    other.begin()
    log = []
    try:
        for i, step in enumerate(program):
            refs = _refs(step)
            if any(r not in kenv for r in refs) or any(r not in oenv for r in refs):
                continue  # an earlier step failed in both: its variables do not exist
            log.append(step)
            where = f"{label} step {i} {step}"
            before = rn.uid_counts()
            results = []
            for backend, env in ((keras_backend, kenv), (other, oenv)):
                try:
                    results.append(("ok", sr.run_step(step, backend, env, where)))
                except sr.ScenarioError:
                    raise
                except Exception as e:  # noqa: BLE001
                    results.append(("error", f"{type(e).__name__}: {e}"))
            (kst, kval), (ost, oval) = results
            ctx = "\nprogram so far:\n" + "\n".join(f"  {s}" for s in log)
            assert kst == ost, f"{where}: keras {kst} ({kval!r}) but {other.name} {ost} ({oval!r}){ctx}"
            if kst == "error":
                after = rn.uid_counts()
                # In the Python API `layer(...).into/on` is two calls (create,
                # then add/call); creating the layer legitimately named it. The
                # bridge's make_layer(target=) is one atomic call.
                composite = step["op"] == "layer" and ("into" in step or "on" in step)
                if composite and isinstance(other, sr.RBridgeBackend):
                    before = None
                # Sequential(input_shape=) is Input(shape) then Sequential(...)
                # everywhere (keras3's keras_model_sequential() does the same).
                if step["op"] == "sequential" and "input_shape" in step:
                    before = None
                assert before is None or after == before, (
                    f"{where}: {other.name} raised ({oval}) but changed the counters {before} -> {after}{ctx}"
                )
                rn.set_uid_counts(keras_backend.uids())
                continue
            assert sr._equal(oval, kval), f"{where}: keras gave {kval!r}, {other.name} {oval!r}{ctx}"
            ku, ou = keras_backend.uids(), other.uids()
            assert ou == ku, f"{where}: uids differ\n  keras:  {ku}\n  {other.name}: {ou}{ctx}"
    finally:
        kenv.clear()
        oenv.clear()
        keras_backend.end()
        other.end()


@pytest.fixture(scope="module")
def keras_backend():
    return sr.KerasBackend()


@pytest.fixture(scope="module", params=["python", "api"])
def other(request):
    return sr.RBridgeBackend() if request.param == "python" else sr.ApiBackend()


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_matches_keras(seed, keras_backend, other):
    program = ProgramGenerator(seed).program(N_OPS)
    run_lockstep(program, other, keras_backend, f"seed {seed} ({other.name})")


def test_uid_dict_order_matches_keras(keras_backend):
    """Counters appear in first-use order, as Keras's dict does."""
    other = sr.RBridgeBackend()
    steps = [
        {"op": "get_uid", "prefix": "zeta"},
        {"op": "layer", "kind": "dropout", "args": {"rate": 0.5}, "as": "d"},
        {"op": "sequential", "layers": ["d"], "input_shape": [3], "as": "s"},
        {"op": "layer", "kind": "dense", "args": {"units": 2}, "into": "s"},
    ]
    orders = []
    for b in (keras_backend, other):
        env = {}
        b.begin()
        try:
            for s in steps:
                sr.run_step(s, b, env, "order")
            orders.append(list(b.uids()))
        finally:
            b.end()
    assert orders[1] == orders[0]


@pytest.mark.parametrize(
    "scenario", [sc for _, sc in sr.load_scenarios() if sc["source"] == "keras"], ids=lambda sc: sc["id"]
)
def test_committed_expectations_still_match_keras(scenario, keras_backend):
    """The committed JSON agrees with the Keras installed here (else: regenerate)."""
    sr.check_scenario(scenario, keras_backend)
