"""Run the shared JSON scenarios (``tests/scenarios/*.json``) against a backend.

One interpreter of the scenario format, three backends:

* :class:`KerasBackend` -- real Keras 3 (used by ``tests/scenarios/generate.py``
  to produce the expected values, and by the conformance test);
* :class:`RBridgeBackend` -- r_bridge's Keras-like Python API;
* :class:`ApiBackend` -- ``r_bridge.api``, the plain-value bridge the R package
  uses (objects are handles, results are records).

The R suite (``tests/testthat/test-scenarios.R``) is a fourth interpreter of the
same format; the ops are described in ``tests/scenarios/README.md``.

Usage::

    scenarios = load_scenarios()  # [(file stem, scenario dict)]
    results = run_scenario(scenario, RBridgeBackend())
    # results: [(step index, step, actual value)] for value-producing steps
"""

from __future__ import annotations

import json
import os
from pathlib import Path

SCENARIO_DIR = Path(os.environ.get("RBRIDGE_SCENARIOS") or Path(__file__).resolve().parents[1] / "scenarios")

#: ops whose step records a value (compared with ``expect``)
VALUE_OPS = {
    "layer",
    "input",
    "sequential",
    "model",
    "call",
    "pop",
    "names",
    "name",
    "get_uid",
    "uids",
    "config_get",
}
#: every op the format knows
ALL_OPS = VALUE_OPS | {"add", "reset_uids", "clear_session", "config_set", "set_random_seed", "error"}

#: config settings a scenario may read or change, with their defaults
CONFIG_DEFAULTS = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}


class ScenarioError(AssertionError):
    """A step did not behave as the scenario says (message names the step)."""


def load_scenarios(directory=None):
    """``[(file stem, scenario)]`` for every scenario of every JSON file, in order."""
    directory = Path(directory or SCENARIO_DIR)
    out = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text())
        for sc in data["scenarios"]:
            out.append((path.stem, sc))
    return out


# ---------------------------------------------------------------- backends
class _Backend:
    """Interface: each method performs one op and returns (object, name) or a value."""

    name = "?"
    #: ops this backend cannot express (scenarios using them are skipped)
    unsupported: frozenset = frozenset()

    def begin(self):  # fresh session and default config
        self.clear_session(False)
        for k, v in CONFIG_DEFAULTS.items():
            self.config_set(k, v)

    def end(self):
        self.begin()


class KerasBackend(_Backend):
    name = "keras"

    def __init__(self):
        os.environ.setdefault("KERAS_BACKEND", "numpy")
        import keras
        from keras.src.backend.common import global_state

        self.k = keras
        self.gs = global_state

    # objects
    def layer(self, kind, args):
        cls = _class_name(kind)
        obj = getattr(self.k.layers, cls)(**args)
        return obj

    def input(self, shape, name=None):
        return self.k.Input(shape=tuple(shape), name=name)

    def sequential(self, layers, name=None, input_shape=None):
        if input_shape is not None:
            layers = [self.k.Input(shape=tuple(input_shape))] + list(layers)
        return self.k.Sequential(layers, name=name)

    def add(self, model, layer):
        model.add(layer)

    def pop(self, model):
        return model.pop()

    def call(self, layer, x):
        return layer(x)

    def model(self, inputs, outputs, name=None):
        return self.k.Model(inputs, outputs, name=name)

    def obj_name(self, obj):
        return obj.name

    def layer_names(self, model):
        return [layer.name for layer in model.layers]

    def last_layer_name(self, model):
        return model.layers[-1].name

    # session
    def get_uid(self, prefix=None):
        return self.k.backend.get_uid() if prefix is None else self.k.backend.get_uid(prefix)

    def reset_uids(self):
        from keras.src.utils import naming

        naming.reset_uids()

    def clear_session(self, free_memory=True):
        self.k.backend.clear_session(free_memory=free_memory)

    def uids(self):
        return dict(self.gs.get_global_attribute("object_name_uids") or {})

    def config_get(self, name):
        return getattr(self.k.config, name)()

    def config_set(self, name, value):
        getattr(self.k.config, "set_" + name)(value)

    def set_random_seed(self, seed):
        self.k.utils.set_random_seed(seed)

    def release(self, obj):
        pass


class RBridgeBackend(KerasBackend):
    """r_bridge's Python API: the same calls as Keras."""

    name = "r_bridge"

    def __init__(self):
        import r_bridge
        import r_bridge.naming

        self.r = r_bridge

    def layer(self, kind, args):
        cls = _class_name(kind)
        return getattr(self.r.layers, cls)(**args)

    def input(self, shape, name=None):
        return self.r.Input(shape=tuple(shape), name=name)

    def sequential(self, layers, name=None, input_shape=None):
        if input_shape is not None:
            layers = [self.r.Input(shape=tuple(input_shape))] + list(layers)
        return self.r.Sequential(layers, name=name)

    def model(self, inputs, outputs, name=None):
        return self.r.Model(inputs, outputs, name=name)

    def get_uid(self, prefix=None):
        return self.r.get_uid() if prefix is None else self.r.get_uid(prefix)

    def reset_uids(self):
        self.r.naming.reset_uids()

    def clear_session(self, free_memory=True):
        self.r.clear_session(free_memory=free_memory)

    def uids(self):
        return self.r.naming.uid_counts()

    def config_get(self, name):
        return getattr(self.r.config, name)()

    def config_set(self, name, value):
        getattr(self.r.config, "set_" + name)(value)

    def set_random_seed(self, seed):
        self.r.set_random_seed(seed)


class ApiBackend(_Backend):
    """``r_bridge.api``: handles and records, exactly what R sends and receives.

    Objects are records ``{"handle", "kind", "class", "name", ...}``; composing
    a layer with a model/tensor goes through ``make_layer(..., target=)`` as the
    R functions do (``model |> layer_dense()``, ``layer_dense(x, ...)``).
    """

    name = "api"

    def __init__(self):
        self.api = _Dispatched()
        self._held = []

    def _keep(self, rec):
        self._held.append(rec["handle"])
        return rec

    def layer(self, kind, args, target=None):
        return self._keep(
            self.api.make_layer(kind=kind, args=args, object=None if target is None else _handles(target))
        )

    def input(self, shape, name=None):
        return self._keep(self.api.make_input(shape=list(shape), name=name))

    def sequential(self, layers, name=None, input_shape=None):
        hs = [layer["handle"] for layer in layers]
        inp = None if input_shape is None else {"shape": list(input_shape)}
        return self._keep(self.api.make_sequential(layers=hs, name=name, input=inp))

    def add(self, model, layer):
        self._keep(self.api.add(object=model["handle"], layer=layer["handle"]))

    def pop(self, model):
        return self._keep(self.api.pop(object=model["handle"]))

    def call(self, layer, x):
        return self._keep(self.api.call(object=layer["handle"], args=[x["handle"]]))

    def model(self, inputs, outputs, name=None):
        def h(v):
            return [x["handle"] for x in v] if isinstance(v, list) else v["handle"]

        return self._keep(self.api.make_model(inputs=h(inputs), outputs=h(outputs), name=name))

    def obj_name(self, obj):
        return self.api.get(object=obj["handle"], attr="name")

    def _layers(self, model):
        recs = self.api.get(object=model["handle"], attr="layers")
        self._held.extend(r["handle"] for r in recs)
        return recs

    def layer_names(self, model):
        return [r["name"] for r in self._layers(model)]

    def last_layer_name(self, model):
        return self._layers(model)[-1]["name"]

    def get_uid(self, prefix=None):
        return self.api.get_uid() if prefix is None else self.api.get_uid(prefix=prefix)

    def reset_uids(self):
        self.api.reset_uids()

    def clear_session(self, free_memory=True):
        self.api.clear_session(free_memory=free_memory)

    def uids(self):
        return self.api.session_snapshot()["uids"]

    def config_get(self, name):
        return self.api.config_get(name=name)

    def config_set(self, name, value):
        self.api.config_set(name=name, value=value)

    def set_random_seed(self, seed):
        self.api.set_random_seed(seed=seed)

    def end(self):
        super().end()
        self.api.release(handles=self._held)
        self._held = []


class _Dispatched:
    """``r_bridge.api`` as a host reaches it: every call through the
    dispatcher, keyword arguments only, error records raised again here."""

    def __getattr__(self, fn):
        from r_bridge.api import dispatch
        from r_bridge.bridge.dispatch import ERROR

        def call(**kwargs):
            out = dispatch(fn, kwargs)
            if isinstance(out, dict) and ERROR in out:
                raise _ERRORS.get(out[ERROR], RuntimeError)(out["message"])
            return out

        return call


_ERRORS = {"ValueError": ValueError, "TypeError": TypeError}


# ---------------------------------------------------------------- interpreter
def _class_name(kind):
    """A layer kind's class: ``batch_normalization`` -> ``BatchNormalization``."""
    return "".join(part.capitalize() for part in kind.split("_"))


def _handles(target):
    """The handle of a record, or the handles of a list of records."""
    return [t["handle"] for t in target] if isinstance(target, list) else target["handle"]


def _var(env, name, where):
    if name not in env:
        raise ScenarioError(f"{where}: unknown variable {name!r}")
    return env[name]


def _vars(env, names, where):
    if isinstance(names, list):
        return [_var(env, n, where) for n in names]
    return _var(env, names, where)


def run_step(step, backend, env, where):
    """Perform one step; returns its value (``None`` for ops without one)."""
    op = step["op"]
    if op == "layer":
        args = dict(step.get("args", {}))
        into, on = step.get("into"), step.get("on")
        if isinstance(backend, ApiBackend):
            target = _vars(env, into or on, where) if (into or on) else None
            rec = backend.layer(step["kind"], args, target)
            if into:
                last = backend._layers(rec)[-1]
                if "as" in step:
                    env[step["as"]] = last
                return last["name"]
            if "as" in step:
                env[step["as"]] = rec
            return rec["name"]
        layer = backend.layer(step["kind"], args)
        if into:
            model = _var(env, into, where)
            backend.add(model, layer)
            if "as" in step:
                env[step["as"]] = layer
            return backend.last_layer_name(model)
        if on:
            out = backend.call(layer, _vars(env, on, where))
            if "as" in step:
                env[step["as"]] = out
            return backend.obj_name(out)
        if "as" in step:
            env[step["as"]] = layer
        return backend.obj_name(layer)
    if op == "input":
        obj = backend.input(step["shape"], step.get("name"))
    elif op == "sequential":
        obj = backend.sequential(
            _vars(env, step.get("layers", []), where), step.get("name"), step.get("input_shape")
        )
    elif op == "model":
        obj = backend.model(
            _vars(env, step["inputs"], where), _vars(env, step["outputs"], where), step.get("name")
        )
    elif op == "call":
        obj = backend.call(_var(env, step["layer"], where), _var(env, step["on"], where))
    elif op == "add":
        backend.add(_var(env, step["model"], where), _var(env, step["layer"], where))
        return None
    elif op == "pop":
        obj = backend.pop(_var(env, step["model"], where))
    elif op == "names":
        return backend.layer_names(_var(env, step["model"], where))
    elif op == "name":
        return backend.obj_name(_var(env, step["var"], where))
    elif op == "get_uid":
        return backend.get_uid(step.get("prefix"))
    elif op == "reset_uids":
        backend.reset_uids()
        return None
    elif op == "clear_session":
        backend.clear_session(step.get("free_memory", True))
        return None
    elif op == "uids":
        return backend.uids()
    elif op == "config_get":
        return backend.config_get(step["name"])
    elif op == "config_set":
        backend.config_set(step["name"], step["value"])
        return None
    elif op == "set_random_seed":
        backend.set_random_seed(step["seed"])
        return None
    elif op == "error":
        try:
            run_step(step["step"], backend, env, where + " (inside error)")
        except ScenarioError:
            raise
        except Exception as e:  # noqa: BLE001 - any error the library raises
            msg = str(e)
            if step["expect_error"] not in msg:
                raise ScenarioError(
                    f"{where}: error message {msg!r} does not contain {step['expect_error']!r}"
                ) from e
            return msg
        raise ScenarioError(f"{where}: expected an error containing {step['expect_error']!r}")
    else:
        raise ScenarioError(f"{where}: unknown op {op!r}")
    if "as" in step:
        env[step["as"]] = obj
    return backend.obj_name(obj)


def scenario_ops(scenario):
    ops = set()
    for s in scenario["steps"]:
        ops.add(s["op"])
        if s["op"] == "error":
            ops.add(s["step"]["op"])
    return ops


def run_scenario(scenario, backend):
    """Run every step; returns ``[(index, step, value)]`` for value-producing steps.

    ``error`` steps yield the error message. The session is cleared and the
    config reset before and after.
    """
    env = {}
    results = []
    backend.begin()
    try:
        for i, step in enumerate(scenario["steps"]):
            where = f"scenario {scenario['id']!r} step {i} ({step['op']})"
            value = run_step(step, backend, env, where)
            if step["op"] in VALUE_OPS or step["op"] == "error":
                results.append((i, step, value))
    finally:
        env.clear()
        backend.end()
    return results


def check_scenario(scenario, backend):
    """Run ``scenario`` and raise :class:`ScenarioError` at the first mismatch."""
    for i, step, value in run_scenario(scenario, backend):
        if step["op"] == "error" or "expect" not in step:
            continue
        if not _equal(value, step["expect"]):
            raise ScenarioError(
                f"scenario {scenario['id']!r} step {i} ({step['op']} {_brief(step)}): "
                f"{backend.name} gave {value!r}, expected {step['expect']!r}"
            )


def _brief(step):
    return {k: v for k, v in step.items() if k not in ("op", "expect", "keras_differs")}


def _equal(a, b):
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(b)))
        except (TypeError, ValueError):
            return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a == b
