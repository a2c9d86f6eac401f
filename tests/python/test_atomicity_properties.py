"""Property (hypothesis) of the atomicity promise (issue 13).

Any sequence of valid and invalid operations through ``r_bridge.api``, with
interrupts injected at random points, leaves the name counters equal to
those produced by the operations that took effect, replayed alone and
uninterrupted in a fresh session. An operation took effect when it
returned; an interrupted one may have (the interrupt arrived on its way
out) only if it changed the counters, and then it must have done all of it.

Interrupts are ``KeyboardInterrupt`` raised at the n-th point where CPython
can deliver a signal (see ``test_atomicity._Interrupter``), except two
places documented elsewhere: the entry of ``atomic.__exit__`` (uncatchable
in Python, see ``naming.atomic``) and ``pop`` (issue 13 item 8, see
``test_an_interrupted_pop_keeps_the_layer``).
"""

from __future__ import annotations

import math
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from test_atomicity import EXIT_ENTRY, _Interrupter

import r_bridge
from r_bridge import api, naming
from r_bridge.layers import Activation, Dense, Dropout, Flatten, Layer
from r_bridge.models import Input, KerasTensor, Model, Sequential


class _SkippingInterrupter(_Interrupter):
    """Does not count the one point an interrupt cannot be caught."""

    def __call__(self, frame, event, arg):
        if (event, frame.f_code.co_qualname) == EXIT_ENTRY:
            return
        return super().__call__(frame, event, arg)


HOSTILE = [None, -1, 0, 1.5, math.nan, math.inf, True, "x", 10**30, [], {}, b"\x00"]
UNITS = st.sampled_from([1, 2, 3] * 12 + HOSTILE)
RATE = st.sampled_from([0.0, 0.5, 0.25] * 12 + HOSTILE)
ACTIVATION = st.sampled_from(["relu", None, "softmax", "linear"] * 9 + ["bogus"] + HOSTILE)
NAME = st.sampled_from([None] * 10 + ["a", "b", "a/b", "", 5])
SHAPE = st.sampled_from([[3], [3], [2], [2, 3]] * 6 + [[], [-1], [0], ["a"], [None], [1.5], [10**30]])
SEED = st.sampled_from([None, None, 1, -1, 2.5, "s"])
# A reference to a live object: (wanted kind or None for any, index modulo
# their number); index 30 is a handle that does not exist.
REF = st.tuples(st.sampled_from(["layer", "model", "tensor", None]), st.integers(0, 30))

layer_args = st.one_of(
    st.tuples(
        st.just("dense"), st.fixed_dictionaries({"units": UNITS, "activation": ACTIVATION, "name": NAME})
    ),
    st.tuples(st.just("dropout"), st.fixed_dictionaries({"rate": RATE, "seed": SEED, "name": NAME})),
    st.tuples(st.just("activation"), st.fixed_dictionaries({"activation": ACTIVATION, "name": NAME})),
    st.tuples(st.just("flatten"), st.fixed_dictionaries({"name": NAME})),
    st.tuples(st.sampled_from(["conv2d", "", None]), st.just({})),
    st.tuples(st.just("dense"), st.just({"units": 2, "bogus_argument": 1})),
)

OPERATIONS = {
    "make_layer": st.tuples(
        st.just("make_layer"),
        layer_args,
        st.one_of(st.none(), st.tuples(st.sampled_from(["model", "tensor", None]), st.integers(0, 30))),
    ),
    "make_input": st.tuples(st.just("make_input"), SHAPE, NAME),
    "make_sequential": st.tuples(
        st.just("make_sequential"),
        st.lists(st.tuples(st.sampled_from(["layer", "tensor", None]), st.integers(0, 30)), max_size=3),
        NAME,
    ),
    "make_model": st.tuples(st.just("make_model"), REF, REF, NAME),
    "add": st.tuples(
        st.just("add"),
        st.tuples(st.sampled_from(["model", None]), st.integers(0, 30)),
        st.tuples(st.sampled_from(["layer", None]), st.integers(0, 30)),
    ),
    "pop": st.tuples(st.just("pop"), st.tuples(st.sampled_from(["model", None]), st.integers(0, 30))),
    "call": st.tuples(
        st.just("call"),
        st.tuples(st.sampled_from(["layer", None]), st.integers(0, 30)),
        st.tuples(st.sampled_from(["tensor", None]), st.integers(0, 30)),
    ),
    "get_uid": st.tuples(st.just("get_uid"), st.sampled_from(["dense", "x", "", 5, None])),
    "clear_session": st.just(("clear_session",)),
}
WEIGHTS = {
    "make_layer": 6,
    "make_input": 3,
    "make_sequential": 3,
    "make_model": 2,
    "add": 4,
    "pop": 2,
    "call": 3,
    "get_uid": 1,
    "clear_session": 1,
}
operation = st.sampled_from([k for k, w in WEIGHTS.items() for _ in range(w)]).flatmap(OPERATIONS.get)


def _ref(live: dict, ref):
    """Resolve ``ref`` to the op index that made the object (``None``: a
    handle that does not exist)."""
    kind, i = ref
    candidates = [j for j, k in live.items() if kind is None or k == kind]
    return candidates[i % len(candidates)] if candidates and i < 30 else None


def resolve(op, live):
    """The operation with references resolved to the op indices that made them."""
    kind = op[0]
    if kind == "make_layer":
        return (kind, op[1], None if op[2] is None else _ref(live, op[2]))
    if kind == "make_sequential":
        return (kind, [_ref(live, r) for r in op[1]], op[2])
    if kind == "make_model":
        return (kind, _ref(live, op[1]), _ref(live, op[2]), op[3])
    if kind in ("add", "call"):
        return (kind, _ref(live, op[1]), _ref(live, op[2]))
    if kind == "pop":
        return (kind, _ref(live, op[1]))
    return op


class ApiExecutor:
    """Operations as a host makes them, through the dispatcher
    (``r_bridge.api.dispatch``): objects are handles. An error record is
    raised here, in the test, as the class it names (or KeyboardInterrupt)."""

    def execute(self, op, objs):
        """Run a resolved operation; ``objs`` maps op index -> handle (an
        unknown op index becomes a handle of this session that does not exist)."""
        h = lambda i: objs.get(i, f"{api.table.token}:999999999")  # noqa: E731
        kind = op[0]
        if kind == "make_layer":
            (layer_kind, args), target = op[1], op[2]
            return self.host(
                "make_layer", kind=layer_kind, args=args, object=None if target is None else h(target)
            )
        if kind == "make_input":
            return self.host("make_input", shape=op[1], name=op[2])
        if kind == "make_sequential":
            return self.host("make_sequential", layers=[h(i) for i in op[1]], name=op[2])
        if kind == "make_model":
            return self.host("make_model", inputs=h(op[1]), outputs=h(op[2]), name=op[3])
        if kind == "add":
            return self.host("add", object=h(op[1]), layer=h(op[2]))
        if kind == "pop":
            return self.host("pop", object=h(op[1]))
        if kind == "call":
            return self.host("call", object=h(op[1]), args=[h(op[2])])
        if kind == "get_uid":
            return self.host("get_uid", prefix=op[1])
        if kind == "clear_session":
            return self.host("clear_session", free_memory=False)
        raise AssertionError(kind)

    @staticmethod
    def host(fn, **args):
        out = api.dispatch(fn, args, None)
        if isinstance(out, dict) and ".rbridge_error" in out:
            if "KeyboardInterrupt" in out["classes"]:
                raise KeyboardInterrupt(out["message"])
            for cls in (ValueError, TypeError, KeyError, AttributeError, LookupError):
                if cls.__name__ in out["classes"]:
                    raise cls(out["message"])
            raise AssertionError(f"error record of an unexpected class: {out}")
        return out

    def describe(self, result):
        """``(value to keep, kind, name)`` of an op's result, or ``None``."""
        if isinstance(result, dict) and "handle" in result:
            return result["handle"], result["kind"], result["name"]
        return None


class DirectExecutor:
    """The same operations on the Python classes themselves."""

    CLASSES = {"dense": Dense, "dropout": Dropout, "activation": Activation, "flatten": Flatten}

    def execute(self, op, objs):
        o = lambda i: objs.get(i, "no such object")  # noqa: E731
        kind = op[0]
        if kind == "make_layer":  # (composing is a separate operation here)
            (layer_kind, args), _ = op[1], op[2]
            return self.CLASSES.get(layer_kind, Dense)(**args)
        if kind == "make_input":
            shape = tuple(op[1]) if isinstance(op[1], list) else op[1]
            return Input(shape=shape, name=op[2])
        if kind == "make_sequential":
            return Sequential([o(i) for i in op[1]], name=op[2])
        if kind == "make_model":
            return Model(o(op[1]), o(op[2]), name=op[3])
        if kind == "add":
            return Sequential.add(o(op[1]), o(op[2])) if isinstance(o(op[1]), Sequential) else None
        if kind == "pop":
            return o(op[1]).pop() if isinstance(o(op[1]), Sequential) else None
        if kind == "call":
            return o(op[1])(o(op[2])) if isinstance(o(op[1]), Layer) else None
        if kind == "get_uid":
            return r_bridge.get_uid(op[1])
        if kind == "clear_session":
            return r_bridge.clear_session(free_memory=False)
        raise AssertionError(kind)

    def describe(self, result):
        if isinstance(result, KerasTensor):
            return result, "tensor", result.name
        if isinstance(result, Layer):
            return result, "model" if isinstance(result, Model) else "layer", result.name
        return None


def is_auto_named(op):
    """Whether the op's new object has an auto-generated name."""
    return op[0] == "call" or (op[0] == "make_layer" and op[2] is None and op[1][1].get("name") is None)


def run(ops, interrupts, executor=None, interrupt_pop=False):
    """Run ``ops`` (interrupt at event ``interrupts[i]`` of op i, 0 for none).

    Returns ``(took_effect, counters, interrupted)``; checks on the way
    that a failure changes no counter and no auto name is dealt twice.
    """
    executor = executor or ApiExecutor()
    r_bridge.clear_session(free_memory=False)
    objs, live, took_effect, interrupted = {}, {}, [], 0
    auto_names = set()
    for i, (raw, n) in enumerate(zip(ops, interrupts)):
        op = resolve(raw, live)
        before = naming.uid_counts()
        tracer = _SkippingInterrupter(n if interrupt_pop or op[0] != "pop" else 0)
        sys.setprofile(tracer)
        try:
            result = executor.execute(op, objs)
        except BaseException as e:  # noqa: BLE001 (sorted out below)
            sys.setprofile(None)
            error = e
        else:
            sys.setprofile(None)
            error = None
        if isinstance(error, KeyboardInterrupt):
            assert tracer.fired
            interrupted += 1
            if naming.uid_counts() != before:
                took_effect.append((i, op))
            continue
        if error is not None:
            if not isinstance(error, (ValueError, TypeError, LookupError, AttributeError)):
                raise error
            assert naming.uid_counts() == before, f"{op} failed ({error!r}) and changed the counters"
            continue
        took_effect.append((i, op))
        if op[0] == "clear_session":
            auto_names.clear()
        described = executor.describe(result)
        if described is not None:
            objs[i], live[i], name = described
            if is_auto_named(op):
                assert name not in auto_names, f"name {name} dealt twice"
                auto_names.add(name)
    return took_effect, naming.uid_counts(), interrupted


def replay(took_effect, executor=None):
    executor = executor or ApiExecutor()
    r_bridge.clear_session(free_memory=False)
    objs = {}
    for i, op in took_effect:
        described = executor.describe(executor.execute(op, objs))
        if described is not None:
            objs[i] = described[0]
    return naming.uid_counts()


def _with_handles_restored(fn):
    dicts = (api.table._objects, api.table._refs, api.table._handle_of)
    saved = tuple(dict(d) for d in dicts)
    try:
        return fn()
    finally:
        for table, old in zip(dicts, saved):
            table.clear()
            table.update(old)


PROGRAM = st.lists(st.tuples(operation, st.one_of(st.just(0), st.integers(1, 80))), max_size=25)


def check_program(program, executor=None, interrupt_pop=False):
    ops = [op for op, _ in program]
    interrupts = [n for _, n in program]
    took_effect, counters, _ = _with_handles_restored(
        lambda: run(ops, interrupts, executor, interrupt_pop=interrupt_pop)
    )
    assert _with_handles_restored(lambda: replay(took_effect, executor)) == counters


@settings(max_examples=300, deadline=None, derandomize=True)
@given(PROGRAM)
def test_counters_equal_those_of_the_operations_that_took_effect(program):
    check_program(program)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(operation, max_size=25))
def test_without_interrupts_failures_change_nothing(ops):
    check_program([(op, 0) for op in ops])


def _good_seed(op):
    # Dropout's bad seeds are issue 13 item 7 (test_a_dropout_with_a_bad_seed_consumes_no_name).
    return not (op[0] == "make_layer" and op[1][0] == "dropout" and op[1][1]["seed"] not in (None, 1))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(operation.filter(_good_seed), max_size=25))
def test_python_classes_without_interrupts_failures_change_nothing(ops):
    check_program([(op, 0) for op in ops], DirectExecutor())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(PROGRAM)
def test_python_classes_with_interrupts_counters_equal_those_of_the_operations_that_took_effect(program):
    check_program(program, DirectExecutor(), interrupt_pop=True)
