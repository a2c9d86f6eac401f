"""Python half of the stress suite (issue 13). Run by ``tests/stress/run``.

``python stress_py.py PART SEED SECONDS`` runs one part in this process and
prints, last, one line ``RESULT {json}``: ``{"part", "checks": {check:
[passed, failed]}, "failures": [{"check", "detail", "repro"}], "ops",
"interrupts"}``. A crash (the process dying) is the runner's to report.

Parts:

* ``sigalrm``: random ``SIGALRM`` interrupts (``signal.setitimer``) during
  construction, add, pop, call and clear, on the Python classes and
  through the dispatcher (``r_bridge.api.dispatch``, what every host calls);
* ``threads``: 12 threads building, failing and clearing concurrently;
* ``hostile``: hostile values through every public constructor and function
  of ``r_bridge`` (the functions of ``r_bridge.api`` through the
  dispatcher, as a host calls them), and the models' methods;
* ``registry``: a long create/release loop through the dispatcher; the
  handle table stays flat.

Checks (each op checked counts one passed or failed):

* ``counters_after_failure``: a call that raised left the name counters,
  config and handle count as they were;
* ``counters_after_interrupt``: an interrupted call left the counters as
  before, or as the same call uninterrupted would (the interrupt arrived on
  its way out); never half of it;
* ``unique_names``: no auto-generated name dealt twice within a session;
* ``pop_keeps_model``: an interrupted ``pop()`` removed one layer or none;
* ``no_exception``: a valid call did not raise;
* ``clean_error``: an error raised by r_bridge for bad input is an
  ``Exception`` raised from r_bridge's code (not numpy's, not an internal
  ``KeyError``...) whose message is at most 1000 characters;
* ``handles_released``: handles go back to their baseline when the caller
  has released everything (no handle without owner);
* ``flat_registry``: the handle tables and live objects do not grow.
"""

from __future__ import annotations

import collections
import gc
import inspect
import json
import math
import os
import random
import signal
import sys
import threading
import time
import traceback
import warnings
import weakref

import numpy as np

import r_bridge
from r_bridge import api, config, naming, state
from r_bridge.bridge import dispatch as _dispatch_mod
from r_bridge.layers import Activation, Dense, Dropout, Flatten, Layer
from r_bridge.models import Input, Model, Sequential

PACKAGE = os.path.dirname(r_bridge.__file__) + os.sep
ERROR = _dispatch_mod.ERROR
TABLE = api.table


class HostError(Exception):
    """An error record the dispatcher returned, raised on the test's side."""

    def __init__(self, rec):
        super().__init__(rec["message"])
        self.record = rec


def is_error(value):
    return isinstance(value, dict) and ERROR in value


def host(fn, releases=None, **args):
    """``fn(**args)`` as a host makes it: through ``api.dispatch``. An error
    record becomes HostError here (KeyboardInterrupt for an interrupt), in
    the test's code, after the dispatcher has done its bookkeeping."""
    value = api.dispatch(fn, args, releases)
    if is_error(value):
        if "KeyboardInterrupt" in value["classes"]:
            raise KeyboardInterrupt(value["message"])
        raise HostError(value)
    return value


def table_sizes():
    return (len(TABLE._objects), len(TABLE._refs), len(TABLE._handle_of))


class Report:
    def __init__(self, part, seed):
        self.part, self.seed = part, seed
        self.checks = collections.defaultdict(lambda: [0, 0])
        self.failures = []
        self.ops = 0
        self.interrupts = 0
        self.lock = threading.Lock()

    def check(self, name, ok, detail="", repro=""):
        with self.lock:
            self.checks[name][0 if ok else 1] += 1
            if not ok and sum(1 for f in self.failures if f["check"] == name) < 15:
                self.failures.append({"check": name, "detail": str(detail)[:400], "repro": repro})
        return ok

    def emit(self):
        print(
            "RESULT "
            + json.dumps(
                {
                    "part": self.part,
                    "seed": self.seed,
                    "checks": self.checks,
                    "failures": self.failures,
                    "ops": self.ops,
                    "interrupts": self.interrupts,
                }
            ),
            flush=True,
        )


def counters():
    return naming.uid_counts()


def names_of(obj):
    """Auto-generated names an op's result carries (layers, tensors, models)."""
    if obj is None:
        return []
    if isinstance(obj, dict):  # an api record
        return [obj["name"]] if "name" in obj and obj.get("kind") != "model" else []
    name = getattr(obj, "name", None)
    return [name] if isinstance(name, str) else []


# ------------------------------------------------------------- sigalrm
class Alarm:
    """SIGALRM raises KeyboardInterrupt while armed; remembers where."""

    def __init__(self):
        self.armed = False
        self.fired = False
        self.where = None
        signal.signal(signal.SIGALRM, self.handler)

    def handler(self, signum, frame):
        # Only inside r_bridge (the dispatcher included), not in the test's
        # own code around it, where an interrupt would say nothing about
        # rbridge (and could drop a record the dispatcher returned).
        if not self.armed or frame is None or not frame.f_code.co_filename.startswith(PACKAGE):
            return
        self.armed = False
        self.fired = True
        code = frame.f_code if frame is not None else None
        self.where = (code.co_qualname, frame.f_lineno == code.co_firstlineno) if code else None
        raise KeyboardInterrupt("SIGALRM")

    def run(self, fn, delay):
        """Run ``fn()`` with an interrupt after ``delay`` seconds (0: none).
        Returns ``(value, error)``."""
        self.fired, self.where = False, None
        value = error = None
        try:
            try:
                if delay > 0:
                    self.armed = True
                    signal.setitimer(signal.ITIMER_REAL, delay)
                value = fn()
            finally:
                self.armed = False
                signal.setitimer(signal.ITIMER_REAL, 0)
        except BaseException as e:  # noqa: BLE001
            error = e
        return value, error

    def at_exit_entry(self):
        """Delivered on entry to atomic.__exit__: the documented window."""
        return self.where == ("atomic.__exit__", True)


_MADE = []  # every handle the setups made (the caller's to release)


def _h(record):
    _MADE.append(record["handle"])
    return record["handle"]


def _seq3():
    return Sequential([Input(shape=(3,)), Dense(2), Dense(2)])


SIGALRM_OPS = {
    # name: (setup() -> ctx, op(ctx, rng) -> result)
    "Dense": (
        dict,
        lambda c, r: Dense(r.choice([2, 3, -1, "x"]), activation=r.choice(["relu", None, "bogus"])),
    ),
    "Dropout": (dict, lambda c, r: Dropout(r.choice([0.5, 0.0, 1.5]), seed=r.choice([None, 1]))),
    "Activation": (dict, lambda c, r: Activation(r.choice(["relu", "softmax", "bogus"]))),
    "Flatten": (dict, lambda c, r: Flatten()),
    "Input": (dict, lambda c, r: Input(shape=r.choice([(3,), (2, 3), (-1,)]))),
    "Sequential": (
        lambda: {"x": Input(shape=(3,)), "d": Dense(2), "e": Dense(2)},
        lambda c, r: Sequential([c["x"], c["d"], c["e"]]),
    ),
    "Model": (
        lambda: (lambda x: {"x": x, "y": Dense(2)(Dense(3)(x))})(Input(shape=(3,))),
        lambda c, r: Model(c["x"], c["y"]),
    ),
    "call": (lambda: {"x": Input(shape=(3,)), "d": Dense(2)}, lambda c, r: c["d"](c["x"])),
    "add": (
        lambda: {"m": Sequential([Input(shape=(3,)), Dense(2)]), "d": Dense(2)},
        lambda c, r: c["m"].add(c["d"]),
    ),
    "add_bad": (
        lambda: {"m": Sequential([Input(shape=(3,)), Dense(2)]), "x": Input(shape=(3,))},
        lambda c, r: c["m"].add(c["x"]),
    ),
    "pop": (lambda: {"m": _seq3()}, lambda c, r: c["m"].pop()),
    "get_uid": (dict, lambda c, r: naming.get_uid(r.choice(["dense", "x"]))),
    "clear": (dict, lambda c, r: r_bridge.clear_session(free_memory=False)),
    "api.make_layer": (
        lambda: {"m": _h(host("make_sequential", input={"shape": [3]}))},
        lambda c, r: host(
            "make_layer",
            kind=r.choice(["dense", "dropout"]),
            args=r.choice([{"units": 2}, {"rate": 0.5}, {"units": -1}]),
            object=r.choice([None, c["m"]]),
        ),
    ),
    "api.make_sequential": (
        lambda: {
            "x": _h(host("make_input", shape=[3])),
            "d": _h(host("make_layer", kind="dense", args={"units": 2})),
        },
        lambda c, r: host("make_sequential", layers=[c["x"], c["d"]]),
    ),
    "api.make_sequential_input": (
        dict,
        lambda c, r: host("make_sequential", input={"shape": [3]}, name=r.choice([None, "a/b"])),
    ),
    "api.add": (
        lambda: {
            "m": _h(host("make_sequential", input={"shape": [3]})),
            "d": _h(host("make_layer", kind="dense", args={"units": 2})),
        },
        lambda c, r: host("add", object=c["m"], layer=c["d"]),
    ),
    "api.pop": (
        lambda: {
            "m": _h(
                host(
                    "make_sequential",
                    input={"shape": [3]},
                    layers=[_h(host("make_layer", kind="dense", args={"units": 2}))],
                )
            )
        },
        lambda c, r: host("pop", object=c["m"]),
    ),
    "api.call": (
        lambda: {
            "x": _h(host("make_input", shape=[3])),
            "d": _h(host("make_layer", kind="dense", args={"units": 2})),
        },
        lambda c, r: host("call", object=c["d"], args=[c["x"]]),
    ),
    "api.clear_session": (dict, lambda c, r: host("clear_session", free_memory=False)),
}


def part_sigalrm(rep: Report, rng: random.Random, seconds: float):
    alarm = Alarm()
    r_bridge.clear_session(free_memory=False)
    base_handles = len(TABLE)
    # Typical duration of each op, to aim the alarms inside it.
    durations = {}
    for name, (setup, op) in SIGALRM_OPS.items():
        samples = []
        for _ in range(5):
            ctx = setup()
            t = time.perf_counter()
            try:
                v = op(ctx, random.Random(0))
            except Exception:
                v = None
            samples.append(time.perf_counter() - t)
            if isinstance(v, dict) and "handle" in v:
                _MADE.append(v["handle"])  # (the caller's, given back at the end)
        durations[name] = sorted(samples)[2]
    r_bridge.clear_session(free_memory=False)
    dealt = set()
    records = []  # api records to give back at the end
    end = time.monotonic() + seconds
    step = 0
    while time.monotonic() < end:
        step += 1
        name = rng.choice(list(SIGALRM_OPS))
        setup, op = SIGALRM_OPS[name]
        op_seed = rng.randrange(2**31)
        repro = f"sigalrm op {name} step {step} (seed {rep.seed})"
        if counters().get("dense", 0) > 300:
            r_bridge.clear_session(free_memory=False)
            dealt.clear()
        s0 = counters()
        ctx = setup()
        for v in ctx.values():
            for n in names_of(v):
                rep.check("unique_names", n not in dealt, f"{n} dealt twice (setup of {name})", repro)
                dealt.add(n)
        before = counters()
        layers_before = [layer.name for layer in ctx["m"].layers] if name == "pop" else None
        delay = rng.uniform(0, 1.3 * durations[name]) if rng.random() < 0.8 else 0
        rep.ops += 1
        value, error = alarm.run(
            lambda op=op, ctx=ctx, op_seed=op_seed: op(ctx, random.Random(op_seed)), delay
        )
        after = counters()
        if isinstance(value, dict) and "handle" in value:
            records.append(value["handle"])
        if name in ("clear", "api.clear_session"):
            if error is None or after == {}:
                dealt.clear()
            continue
        if isinstance(error, KeyboardInterrupt):
            rep.interrupts += 1
            # What the same op does uninterrupted, from the same counters.
            naming.set_uid_counts(s0)
            ctx2 = setup()
            try:
                v2 = op(ctx2, random.Random(op_seed))
                if isinstance(v2, dict) and "handle" in v2:
                    records.append(v2["handle"])
            except Exception:
                pass
            done = counters()
            naming.set_uid_counts(after)
            ok = after in (before, done)
            if not ok and alarm.at_exit_entry():
                rep.check(
                    "interrupt_at_atomic_exit_entry (documented limit)",
                    False,
                    f"{name}: {before} -> {after}",
                    repro,
                )
            else:
                rep.check(
                    "counters_after_interrupt",
                    ok,
                    f"{name} interrupted in {alarm.where}: {before} -> {after} (uninterrupted: {done})",
                    repro,
                )
            if name == "pop":  # the model changed exactly when the counters did
                now = [layer.name for layer in ctx["m"].layers]
                rep.check(
                    "pop_keeps_model",
                    (after, now) in ((before, layers_before), (done, layers_before[:-1])),
                    f"interrupted pop: {layers_before} -> {now}, counters "
                    f"{'unchanged' if after == before else 'changed'}",
                    repro,
                )
            if after != done:
                continue  # nothing of the op happened: no new names
        elif error is not None:
            if not isinstance(error, Exception):
                rep.check("no_exception", False, f"{name} raised {error!r}", repro)
                continue
            rep.check(
                "counters_after_failure",
                after == before,
                f"{name} failed ({type(error).__name__}: {error}) and changed {before} -> {after}",
                repro,
            )
            continue
        for n in names_of(value):
            if isinstance(value, Sequential) or (isinstance(value, dict) and value.get("kind") == "model"):
                break
            rep.check("unique_names", n not in dealt, f"{n} dealt twice by {name}", repro)
            dealt.add(n)
    # Give back every record; the table must be back to its baseline.
    host("clear_session", releases=records + _MADE, free_memory=True)
    rep.check(
        "handles_released",
        len(TABLE) == base_handles,
        f"{len(TABLE) - base_handles} handles left after releasing every record "
        f"({rep.interrupts} interrupts)",
        f"sigalrm (seed {rep.seed})",
    )


# ------------------------------------------------------------- threads
def part_threads(rep: Report, rng: random.Random, seconds: float, n_threads=12):
    r_bridge.clear_session(free_memory=False)
    old_switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    end = time.monotonic() + seconds
    seeds = [rng.randrange(2**31) for _ in range(n_threads)]
    base_handles = len(TABLE)

    def worker(k):
        r = random.Random(seeds[k])
        dealt, session = set(), state._STATE
        records = []
        i = 0
        while time.monotonic() < end:
            i += 1
            repro = f"threads thread {k} iteration {i} (seed {rep.seed})"
            choice = r.random()
            if choice >= 0.02 and choice < 0.25:  # a failing op, its arguments made first
                x1, x2 = Input((3,)), Input((3,))
                bad = r.choice(
                    [
                        lambda: Dense(-1),
                        lambda x1=x1, x2=x2: Sequential([x1, x2]),
                        lambda: host("make_layer", kind="dense", args={"units": "x"}),
                        lambda x1=x1: Model(x1, "y"),
                    ]
                )
            sid = state._STATE
            if sid is not session:
                dealt, session = set(), sid
            before = counters()
            if state._STATE is not sid:
                continue  # cleared while reading: start the iteration again
            rep.ops += 1
            try:
                if choice < 0.02:
                    r_bridge.clear_session(free_memory=False)
                    continue
                if choice < 0.25:
                    try:
                        bad()
                    except (ValueError, TypeError):
                        pass
                    except HostError as e:
                        if not {"ValueError", "TypeError"} & set(e.record["classes"]):
                            raise
                    else:
                        rep.check("bad_input_rejected", False, "a bad op succeeded", repro)
                        continue
                    mid = state._STATE  # the session when the op ended
                    after = counters()
                    if state._STATE is not mid:
                        continue  # cleared while reading: nothing to say
                    if mid is sid:  # (not cleared meanwhile)
                        rep.check("counters_after_failure", after == before, f"{before} -> {after}", repro)
                    elif sum(before.values()) > 10:
                        # Another thread cleared during the failing op: its
                        # rollback must not bring the old counters back.
                        rep.check(
                            "failure_keeps_other_clear",
                            after != before,
                            f"a failure after another thread's clear restored {before}",
                            repro,
                        )
                    continue
                if choice < 0.5:
                    objs = [Dense(2), Dropout(0.5), Flatten()]
                elif choice < 0.75:
                    m = Sequential([Input((3,)), Dense(2), Dense(1)])
                    objs = [m] + list(m.layers)
                else:
                    rec = host("make_layer", kind="dense", args={"units": 2})
                    records.append(rec["handle"])
                    objs = [rec]
            except Exception as e:  # noqa: BLE001
                if state._STATE is not sid:
                    # Cleared by another thread meanwhile: two layers of one
                    # model can then share a name, as in Keras.
                    continue
                rep.check(
                    "no_exception",
                    False,
                    f"{type(e).__name__}: {e} at {traceback.format_exception(e)[-2].strip()[:200]}",
                    repro,
                )
                continue
            if state._STATE is not sid:
                dealt, session = set(), state._STATE
                continue  # cleared meanwhile: names straddle two sessions
            for o in objs:
                for n in names_of(o):
                    rep.check("unique_names", n not in dealt, f"{n} dealt twice in thread {k}", repro)
                    dealt.add(n)
        host("release", handles=records)

    threads = [threading.Thread(target=worker, args=(k,), name=f"stress-{k}") for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    sys.setswitchinterval(old_switch)
    rep.check(
        "handles_released",
        len(TABLE) == base_handles,
        f"{len(TABLE) - base_handles} handles left",
        f"threads (seed {rep.seed})",
    )
    consistent = set(TABLE._objects) == set(TABLE._refs) == set(TABLE._handle_of.values()) and all(
        n > 0 for n in TABLE._refs.values()
    )
    rep.check("handle_table_consistent", consistent, "the handle table's dicts disagree", "threads")


# ------------------------------------------------------------- hostile
class Weird:
    def __repr__(self):
        return "<Weird>"

    def __index__(self):
        raise RuntimeError("hostile __index__")


HOSTILE = {
    "None": None,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "2**100": 2**100,
    "-1": -1,
    "0": 0,
    "-0.5": -0.5,
    "True": True,
    "False": False,
    "str1e5": "x" * 100_000,
    "empty_str": "",
    "slash": "a/b",
    "bytes": b"\x00\xff",
    "nested": [[1, [2, [3]]], "a"],
    "dict": {"a": 1, 2: None},
    "object": Weird(),
    "tuple_neg": (-1, 3),
    "list_nan": [math.nan],
    "complex": 1 + 2j,
    "np_complex": np.array([1 + 2j, 3j]),
    "np_object": np.array([None, "a"], dtype=object),
    "np_datetime": np.array(["2020-01-01"], dtype="datetime64[D]"),
    "np_str": np.array(["a", "b"]),
    "np_0d": np.array(3.0),
    "np_empty": np.zeros((0, 3)),
    "np_f16": np.ones((2, 3), dtype=np.float16),
    "np_bool": np.ones((2, 3), dtype=bool),
    "np_int64_big": np.array([2**62]),
    "np_3d": np.ones((2, 3, 4)),
    "set": {1, 2},
    "ellipsis": Ellipsis,
    "float_huge": 1e308,
    "np_nan_matrix": np.full((2, 3), np.nan),
}


def public_callables():
    """Every public callable of r_bridge (classes and functions), once."""
    import r_bridge.layers
    import r_bridge.models

    seen, out = set(), []
    for mod in (r_bridge, config, r_bridge.layers, r_bridge.models, api):
        names = getattr(mod, "__all__", None) or [n for n in dir(mod) if not n.startswith("_")]
        for n in names:
            obj = getattr(mod, n, None)
            if not callable(obj) or not getattr(obj, "__module__", "").startswith("r_bridge"):
                continue
            if n in ("attach_r",) or id(obj) in seen:
                continue
            seen.add(id(obj))
            out.append((f"{mod.__name__}.{n}", obj))
    return out


def valid_args(fname, params, objs):
    """Valid values by parameter name (objects, or handles for api)."""
    is_api = fname.startswith("r_bridge.api.")
    h = lambda k: objs["h"][k]  # noqa: E731
    table = {
        "units": 2,
        "rate": 0.5,
        "activation": "relu",
        "shape": (3,) if not is_api else [3],
        "prefix": "x",
        "free_memory": False,
        "seed": 1,
        "name": None,
        "kind": "dense",
        "fn": (lambda: None),
        "policy": "float32",
        "data_format": "channels_last",
        "inputs": h("x") if is_api else objs["x"],
        "outputs": h("y") if is_api else objs["y"],
        "tensor": objs["y"],
        "layer": h("d") if is_api else objs["d"],
        "model": h("m") if is_api else objs["m"],
        "object": h("m") if is_api else objs["m"],
        "x": np.ones((2, 3)),
        "attr": "name",
        "weights": objs["weights"],
        "handles": [],
        "value": None,
        "state": {},
        "layers": None,
        "args": None,
    }
    out = {}
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty:
            if p.name not in table:
                return None
            out[p.name] = table[p.name]
    return out


def make_objects():
    x = Input(shape=(3,))
    d = Dense(2)
    y = d(x)
    m = Sequential([Input(shape=(3,)), Dense(2)])
    recs = {k: api.record(v) for k, v in {"x": x, "d": Dense(2), "m": m, "y": y}.items()}
    return {
        "x": x,
        "d": d,
        "y": y,
        "m": m,
        "weights": m.get_weights(),
        "h": {k: r["handle"] for k, r in recs.items()},
    }


def methods(objs):
    m, d = objs["m"], objs["d"]
    return [
        ("Sequential.add", m.add, ["layer"]),
        ("Sequential.predict", m.predict, ["x"]),
        ("Sequential.set_weights", m.set_weights, ["weights"]),
        ("Sequential.build", m.build, ["input_shape"]),
        ("Dense.__call__", d.__call__, ["x"]),
        ("Dense.set_weights", d.set_weights, ["weights"]),
        ("Functional.predict", Model(objs["x"], objs["y"]).predict, ["x"]),
    ]


def _returned_handles(v):
    if isinstance(v, dict):
        return ([v["handle"]] if "handle" in v else []) + [
            h for x in v.values() for h in _returned_handles(x)
        ]
    if isinstance(v, (list, tuple)):
        return [h for x in v for h in _returned_handles(x)]
    return []


class LastError:
    """Keeps the exception behind the dispatcher's last error record, to
    see where it was raised (the record itself carries no traceback)."""

    def __init__(self):
        self.error = None
        self._orig = _dispatch_mod.error_record

        def keep(e):
            self.error = e
            return self._orig(e)

        _dispatch_mod.error_record = keep


def _raised_in(error):
    tb = error.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last or "?"


def part_hostile(rep: Report, rng: random.Random, seconds: float):
    alarm = Alarm()
    saved_cfg = (config.floatx(), config.epsilon(), config.image_data_format())
    saved_hooks = list(state._hooks)
    base_handles = len(TABLE)
    last = LastError()
    cases = []
    for fname, fn in public_callables():
        try:
            params = list(inspect.signature(fn).parameters.values())
        except (TypeError, ValueError):
            continue
        named = [p for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        var_kw = any(p.kind == p.VAR_KEYWORD for p in params)
        targets = [p.name for p in named] + (["bogus_kwarg"] if var_kw else [])
        for pname in targets:
            for vname in HOSTILE:
                cases.append((fname, fn, params, pname, vname))
    listing = make_objects()
    host("release", handles=list(listing["h"].values()))
    for mname, _, pnames in methods(listing):
        for pname in pnames:
            for vname in HOSTILE:
                cases.append((mname, None, None, pname, vname))
    rng.shuffle(cases)
    end = time.monotonic() + seconds
    done = 0
    for fname, fn, params, pname, vname in cases:
        if time.monotonic() > end:
            break
        done += 1
        repro = f"hostile {fname}({pname}={vname})"
        r_bridge.clear_session(free_memory=False)
        objs = make_objects()
        own = list(objs["h"].values())
        if fn is None:  # a method of one of the objects
            call = {m: f for m, f, _ in methods(objs)}[fname]
            kwargs = {}
            positional = True
        else:
            kwargs = valid_args(fname, params, objs)
            if kwargs is None:
                kwargs = {}
            call = fn
            positional = False
        value = HOSTILE[vname]
        before = (counters(), config.as_dict(), len(TABLE))
        rep.ops += 1
        if positional:
            result, error = alarm.run(lambda call=call, value=value: call(value), 5.0)
        elif fname.startswith("r_bridge.api.") and fname.rsplit(".", 1)[1] in api.FUNCTIONS:
            # As a host calls it: through the dispatcher, which never raises.
            kwargs = dict(kwargs, **{pname: value})
            last.error = None
            result, error = alarm.run(
                lambda fname=fname, kwargs=kwargs: api.dispatch(fname.rsplit(".", 1)[1], kwargs), 5.0
            )
            if error is not None:
                rep.check("dispatch_never_raises", False, f"{fname}({pname}={vname}) raised {error!r}", repro)
            elif is_error(result):
                error = last.error
                if "KeyboardInterrupt" in result["classes"]:
                    error = KeyboardInterrupt()
        else:
            kwargs = dict(kwargs, **{pname: value})
            result, error = alarm.run(lambda call=call, kwargs=kwargs: call(**kwargs), 5.0)
        if isinstance(error, KeyboardInterrupt):
            rep.check("no_hang", False, f"{fname}({pname}={vname}) ran 5 s", repro)
        elif error is not None:
            after = (counters(), config.as_dict(), len(TABLE))
            rep.check(
                "counters_after_failure",
                after == before,
                f"{fname}({pname}={vname}) raised {type(error).__name__} and changed the session: "
                f"{before[0]} -> {after[0]}",
                repro,
            )
            where = _raised_in(error)
            msg = str(error)
            clean = (
                isinstance(error, Exception)
                and where.startswith(PACKAGE)
                and not isinstance(
                    error,
                    (
                        RuntimeError,
                        IndexError,
                        AssertionError,
                        ZeroDivisionError,
                        OverflowError,
                        RecursionError,
                        MemoryError,
                    ),
                )
                and len(msg) <= 1000
                and "Traceback" not in msg
            )
            rep.check(
                "clean_error",
                clean,
                f"{fname}({pname}={vname}): {type(error).__name__} from "
                f"{where.replace(os.path.dirname(PACKAGE) + os.sep, '')} ({len(msg)} chars): {msg[:160]}",
                repro,
            )
        own += _returned_handles(result)
        host("release", handles=own)
        # Back to a clean process for the next case.
        config.set_floatx(saved_cfg[0])
        config.set_epsilon(saved_cfg[1])
        config.set_image_data_format(saved_cfg[2])
        state._hooks[:] = saved_hooks
    r_bridge.clear_session(free_memory=True)
    rep.check(
        "handles_released",
        len(TABLE) == base_handles,
        f"{len(TABLE) - base_handles} handles left after {done} hostile calls",
        f"hostile (seed {rep.seed})",
    )
    print(f"hostile: {done} of {len(cases)} cases in the time budget", file=sys.stderr)


# ------------------------------------------------------------- registry
def part_registry(rep: Report, rng: random.Random, seconds: float):
    host("clear_session", free_memory=True)
    base = table_sizes()
    refs = []
    sizes = []
    end = time.monotonic() + seconds
    i = 0
    x = np.ones((4, 3))
    pending = []  # released with the next call, as R's finalizers do
    while time.monotonic() < end:
        i += 1
        rep.ops += 1
        seq = host("make_sequential", releases=pending, input={"shape": [3]})
        m = host("make_layer", kind="dense", args={"units": 2}, object=seq["handle"])
        out = host("predict", object=m["handle"], x=x)
        layers = host("get", object=m["handle"], attr="layers")
        refs.append(weakref.ref(TABLE._objects[m["handle"]]))
        pending = [seq["handle"], m["handle"]] + [r["handle"] for r in layers]
        if i % 200 == 0:
            host("clear_session", releases=pending, free_memory=True)
            pending = []
            sizes.append(table_sizes())
        del out
    host("release", handles=pending)
    gc.collect()
    now = table_sizes()
    rep.check(
        "flat_registry",
        all(s == sizes[0] for s in sizes) if sizes else True,
        f"handle table grew over the loop: {sizes[:3]} ... {sizes[-3:]}",
        f"registry (seed {rep.seed})",
    )
    rep.check(
        "handles_released",
        now == base,
        f"table {base} -> {now} after {i} iterations",
        f"registry (seed {rep.seed})",
    )
    alive = sum(1 for r in refs if r() is not None)
    rep.check(
        "objects_freed",
        alive == 0,
        f"{alive} of {len(refs)} released models still alive",
        f"registry (seed {rep.seed})",
    )


# ------------------------------------------------------------- calls
INTERNAL = (
    KeyError,
    AttributeError,
    IndexError,
    RuntimeError,
    RecursionError,
    AssertionError,
    ZeroDivisionError,
)


def _call_targets():
    """Fresh layers and models to call, by name."""
    x = Input(shape=(3,))
    built = Dense(2)
    built(np.ones((1, 3)))
    a, b = Input(shape=(3,), name="a"), Input(shape=(3,), name="b")
    return {
        "Dense": Dense(2),
        "Dense_built": built,
        "Dropout": Dropout(0.5),
        "Activation": Activation("relu"),
        "Flatten": Flatten(),
        "Sequential": Sequential([Input(shape=(3,)), Dense(2)]),
        "Sequential_unbuilt": Sequential([Dense(2)]),
        "Functional": Model(x, Dense(2)(x)),
        "Functional_2in": Model([a, b], Dense(1)(a)),
    }


def _call_values(callee):
    """Values to call ``callee`` on: empty, list, dict and object values."""
    arr, t = np.ones((2, 3)), Input(shape=(3,))
    return {
        "()": (),
        "[]": [],
        "{}": {},
        "[[]]": [[]],
        "[{}]": [{}],
        "None": None,
        "[None]": [None],
        "[1]": [1],
        "(1,)": (1,),
        "1.0": 1.0,
        "str": "abc",
        "[arr]": [arr],
        "(arr,)": (arr,),
        "{a: arr}": {"a": arr},
        "[arr, arr]": [arr, arr],
        "[[arr]]": [[arr]],
        "[arr, None]": [arr, None],
        "{a: {b: arr}}": {"a": {"b": arr}},
        "arr_1d": np.ones(3),
        "arr_0d": np.array(1.0),
        "arr_no_rows": np.zeros((0, 3)),
        "[tensor]": [t],
        "[tensor, 1]": [t, 1],
        "{a: tensor}": {"a": t},
        "self": callee,
        "[self]": [callee],
        "other_layer": Dense(1),
        "a_model": Sequential([Input(shape=(3,)), Dense(3)]),
    }


def _callee_state(layer):
    """Its weights, and whether it is built if it builds weights itself (a
    layer without ``build()`` is marked built by its first call, and so is
    a Sequential model whose call failed, as in Keras)."""
    builds = type(layer).build is not Layer.build and not isinstance(layer, (Sequential, Model))
    return (layer.built if builds else None, [w.shape for w in layer.weights])


def _changed(before, after):
    """What differs between two (counters, state) pairs, briefly."""
    (c0, s0), (c1, s1) = before, after
    keys = sorted(set(c0) | set(c1))
    moved = {k: (c0.get(k, 0), c1.get(k, 0)) for k in keys if c0.get(k, 0) != c1.get(k, 0)}
    return f"counters {moved}" + (f", callee {s0} -> {s1}" if s0 != s1 else "")


def _leaves(x):
    if isinstance(x, dict):
        return [v for item in x.values() for v in _leaves(item)]
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _leaves(item)]
    return [x]


def _clean_call_error(error):
    msg = str(error)
    return (
        isinstance(error, Exception)
        and not isinstance(error, INTERNAL)
        and not msg.strip().lstrip("-").isdigit()
        and 0 < len(msg) <= 1000
        and "Traceback" not in msg
    )


def _self_reference_cases():
    """Arguments that point back at the object they would become part of:
    ``name: (setup() -> ctx, op(ctx) -> object)``. The op is refused, or
    the object it makes is freed by reference counting (no cycle)."""

    def seq():
        return Sequential([Input(shape=(3,)), Dense(3)])

    def add_self(m):
        m.add(m)
        return m

    def outer():
        inner = seq()
        return inner, Sequential([inner])

    def add_outer(ctx):
        inner, holder = ctx
        inner.add(holder)
        return inner

    def joining():
        m = seq()
        return m, Dense(3, activation=m)

    def activation_self(ctx):
        m, dense = ctx
        m.add(dense)
        return m

    def api_add_self(m):
        rec = api.record(m)
        try:
            host("add", object=rec["handle"], layer=rec["handle"])
            return m
        finally:
            host("release", handles=[rec["handle"]])

    return {
        "Sequential.add(itself)": (seq, add_self),
        "Sequential.add(a model holding it)": (outer, add_outer),
        "Sequential.add(Dense(activation=<the model>))": (joining, activation_self),
        "Dense(activation=<a layer>)": (lambda: Dense(3), lambda d: Dense(3, activation=d)),
        "api add(object=m, layer=m)": (seq, api_add_self),
    }


def part_calls(rep: Report, rng: random.Random, seconds: float):
    """Layers and models called on empty, list, dict and object values, in
    Python and through the dispatcher; self-referencing arguments."""
    base_handles = len(TABLE)
    cases = [(t, v, via) for t in _call_targets() for v in _call_values(None) for via in ("python", "api")]
    rng.shuffle(cases)
    end = time.monotonic() + seconds
    for target, vname, via in cases:
        if time.monotonic() > end:
            break
        r_bridge.clear_session(free_memory=False)
        callee = _call_targets()[target]
        value = _call_values(callee)[vname]
        repro = f"calls {target}({vname}) via {via}"
        if via == "api":
            leaves = _leaves(value)
            if any(not isinstance(v, (np.ndarray, int, float, str, type(None))) for v in leaves):
                continue  # objects cross as handles: the python path covers them
        before = (counters(), _callee_state(callee))
        rep.ops += 1
        error = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras's structure warnings are not under test
            if via == "python":
                try:
                    callee(value)
                except Exception as e:  # noqa: BLE001
                    error = e
            else:
                handle = api.record(callee)["handle"]
                out = api.dispatch("call", {"object": handle, "args": [value]})
                host("release", handles=[handle] + _returned_handles(out))
                if is_error(out):
                    error = HostError(out)
        after = (counters(), _callee_state(callee))
        if error is not None:
            rep.check(
                "failure_changes_nothing",
                after == before,
                f"{repro} raised and changed {_changed(before, after)}",
                repro,
            )
            internal = error.record[ERROR] if isinstance(error, HostError) else type(error).__name__
            rep.check(
                "clean_call_error",
                _clean_call_error(error) and internal not in {c.__name__ for c in INTERNAL},
                f"{repro}: {internal}: {str(error)[:160]}",
                repro,
            )
        empty = not [v for v in _leaves(value) if v is not None] and not isinstance(value, np.ndarray)
        if empty and callee.input_spec:
            rep.check("empty_input_refused", error is not None, f"{repro} returned a value", repro)
        rep.check(
            "no_zero_width_weight",
            all(0 not in shape for shape in after[1][1]),
            f"{repro} built weights {after[1][1]}",
            repro,
        )
    for name, (setup, op) in _self_reference_cases().items():
        r_bridge.clear_session(free_memory=False)
        repro = f"calls self-reference {name}"
        rep.ops += 1
        gc.disable()  # a cycle would survive reference counting
        try:
            ctx = setup()
            before = counters()
            try:
                obj = op(ctx)
            except Exception as e:  # noqa: BLE001
                rep.check("failure_changes_nothing", counters() == before, f"{repro} changed counters", repro)
                rep.check(
                    "clean_call_error",
                    _clean_call_error(e),
                    f"{repro}: {type(e).__name__}: {e!s:.160}",
                    repro,
                )
                continue
            finally:
                del ctx
            ref = weakref.ref(obj)
            del obj
            rep.check("no_reference_cycle", ref() is None, f"{repro} made an object that holds itself", repro)
        finally:
            gc.enable()
    r_bridge.clear_session(free_memory=True)
    rep.check(
        "handles_released",
        len(TABLE) == base_handles,
        f"{len(TABLE) - base_handles} handles left",
        f"calls (seed {rep.seed})",
    )


# ------------------------------------------------------------- hosted R
HOSTED_OPS = [
    "clear_session()",
    "clear_session(free_memory = FALSE)",
    "reset_uids()",
    "set_random_seed(1L)",
    'config_set_floatx("float32")',
    "config_set_epsilon(1e-7)",
    "get_uid('x')",
    "d <- layer_dense(units = 2)",
    "m <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)",
    "m2 <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)",
    "p <- predict(m, matrix(1, 2, 3), verbose = 0)",
    "w <- get_weights(m); set_weights(m, w)",
    "x <- keras_input(shape = 3); f <- keras_model(x, layer_dense(x, units = 1))",
    "s <- session_info()",
    "invisible(gc())",
    "tryCatch(layer_dense(units = -1), error = function(e) NULL)",
    "tryCatch(d(list()), error = function(e) NULL)",
    "tryCatch(m(m), error = function(e) NULL)",
]
HOSTED_SETUP = (
    "d <- layer_dense(units = 2); m <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)"
)


def part_rhost(rep: Report, rng: random.Random, seconds: float):
    """Python hosting R (attach_r, rpy2): a call that succeeds writes
    nothing to stderr (neither R nor rpy2's logger)."""
    try:
        import rpy2.rinterface as ri

        pkg = r_bridge.attach_r()
    except Exception as e:  # noqa: BLE001 - a missing piece is reported, not failed
        print(
            f"rhost: skipped: attach_r() is not available here: {type(e).__name__}: {e!s:.200}",
            file=sys.stderr,
        )
        return
    import tempfile

    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            end = time.monotonic() + seconds
            ri.evalr(HOSTED_SETUP)
            while time.monotonic() < end:
                op = rng.choice(HOSTED_OPS + ["<python> pkg.clear_session()"])
                start = sink.seek(0, os.SEEK_END)
                rep.ops += 1
                try:
                    if op.startswith("<python>"):
                        pkg.clear_session()
                    else:
                        ri.evalr(op)
                except Exception as e:  # noqa: BLE001
                    rep.check("no_exception", False, f"{op}: {type(e).__name__}: {e!s:.200}", f"rhost {op}")
                    continue
                sys.stderr.flush()
                sink.seek(start)
                written = sink.read().decode(errors="replace")
                rep.check(
                    "hosted_r_quiet", written == "", f"{op} wrote to stderr: {written[:200]!r}", f"rhost {op}"
                )
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


PARTS = {
    "sigalrm": part_sigalrm,
    "threads": part_threads,
    "hostile": part_hostile,
    "registry": part_registry,
    "calls": part_calls,
    "rhost": part_rhost,
}


def main(argv):
    part, seed, seconds = argv[1], int(argv[2]), float(argv[3])
    rep = Report(part, seed)
    rng = random.Random(f"{seed}-{part}")
    try:
        PARTS[part](rep, rng, seconds)
    except BaseException as e:  # noqa: BLE001 -- the part itself broke: say so
        rep.check(
            "part_completed", False, "".join(traceback.format_exception(e))[-1500:], f"{part} (seed {seed})"
        )
    rep.emit()


if __name__ == "__main__":
    main(sys.argv)
