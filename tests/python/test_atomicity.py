"""The atomicity promise under interrupts, threads and clear hooks (issue 13,
items 5, 6, 7 and 8).

A failed call consumes no name; an interrupt never leaves anything behind
that later changes the counters (names dealt twice); a rollback never
writes an old session's counters into a new one; every clear hook runs.

Interrupts are injected deterministically with ``sys.settrace``: a
``KeyboardInterrupt`` is raised at the n-th trace event of the call, for
every n until the call completes, so each line of the call (including
``atomic()``'s own ``__enter__``/``__exit__``) gets interrupted once.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading

import pytest

import r_bridge
from r_bridge import api, naming, state
from r_bridge.layers import Dense, Dropout, Layer
from r_bridge.models import Input, Sequential

_PACKAGE = os.path.dirname(r_bridge.__file__) + os.sep


class _Interrupter:
    """``sys.setprofile`` hook raising ``KeyboardInterrupt`` at event ``n``.

    Only the events where CPython can deliver a signal count: entering a
    Python function (its first instruction checks for pending signals) and
    returning from a C function (the call instruction checks after it).
    """

    def __init__(self, n):
        self.n, self.count, self.fired, self.where = n, 0, False, None

    def __call__(self, frame, event, arg):
        # Only in r_bridge's code (not in the test's, nor in a gc callback
        # that happens to run meanwhile, where Python ignores exceptions).
        if event not in ("call", "c_return") or _PACKAGE not in frame.f_code.co_filename:
            return
        self.count += 1
        if self.count == self.n:
            sys.setprofile(None)
            self.fired = True
            self.where = (event, frame.f_code.co_qualname)
            raise KeyboardInterrupt(f"injected at event {self.n}")


# The one point where an interrupt cannot be caught in Python: on entry to
# atomic.__exit__, before its first line (see naming.atomic).
EXIT_ENTRY = ("call", "atomic.__exit__")


def run_interrupted(fn, n):
    """Run ``fn()`` with an interrupt at event ``n``.

    Returns ``(interrupter, exception)``; the exception (and so its
    traceback, with every frame it holds) is returned alive, as an R session
    or a debugger would keep it, so that cleanup it triggers happens later.
    """
    tracer = _Interrupter(n)
    sys.setprofile(tracer)
    try:
        fn()
    except KeyboardInterrupt as e:
        return tracer, e
    finally:
        sys.setprofile(None)
    return tracer, None


def _table_dicts():
    return (api.table._objects, api.table._refs, api.table._handle_of)


@pytest.fixture(autouse=True)
def api_handles_restored():
    """The handles these tests make are not released one by one: put the
    table back as it was."""
    saved = tuple(dict(d) for d in _table_dicts())
    yield
    for table, old in zip(_table_dicts(), saved):
        table.clear()
        table.update(old)


def host(fn, **args):
    """``fn(**args)`` as a host makes it (through the dispatcher, which
    never raises); an error record is raised here, in the test, as the
    exception class it names (ValueError, TypeError) or KeyboardInterrupt."""
    out = api.dispatch(fn, args, None)
    if isinstance(out, dict) and ".rbridge_error" in out:
        classes = out["classes"]
        for cls in (KeyboardInterrupt, ValueError, TypeError, LookupError):
            if cls.__name__ in classes:
                raise cls(out["message"])
        raise AssertionError(f"unexpected error record {out}")
    return out


def sweep(setup, op, max_events=5000):
    """For every interrupt point n of ``op``: fresh session, ``setup()``,
    interrupted ``op(ctx)``; yields ``(n, where, ctx, before, exception)``."""
    for n in range(1, max_events):
        r_bridge.clear_session(free_memory=False)
        ctx = setup()
        before = naming.uid_counts()
        tracer, exc = run_interrupted(lambda ctx=ctx: op(ctx), n)
        if not tracer.fired:
            return
        yield n, tracer.where, ctx, before, exc
    raise AssertionError("the operation never completed")


def uninterrupted(setup, op):
    """Counters after ``setup(); op(ctx)`` in a fresh session."""
    r_bridge.clear_session(free_memory=False)
    ctx = setup()
    op(ctx)
    return naming.uid_counts()


# --------------------------------------------------------------- item 5
def test_an_entered_atomic_block_dropped_without_exit_changes_nothing_later():
    # What an interrupt between __enter__ and the block does: the context
    # manager is entered, never exited, and freed later.
    naming.get_uid("dense")
    cm = naming.atomic()
    cm.__enter__()
    dealt = [naming.get_uid("dense") for _ in range(3)]
    del cm
    gc.collect()
    dealt += [naming.get_uid("dense") for _ in range(3)]
    assert dealt == [2, 3, 4, 5, 6, 7]


API_OPS = {
    "make_layer": (
        lambda: {"seq": host("make_sequential")["handle"]},
        lambda c: host("make_layer", kind="dense", args={"units": 2}, object=c["seq"]),
    ),
    "make_sequential with input": (
        lambda: {
            "x": host("make_input", shape=[3])["handle"],
            "d": host("make_layer", kind="dense", args={"units": 2})["handle"],
        },
        lambda c: host("make_sequential", layers=[c["x"], c["d"]]),
    ),
    "make_sequential with input_shape": (
        dict,
        lambda c: host("make_sequential", input={"shape": [3]}, layers=[]),
    ),
    "add": (
        lambda: {
            "seq": host("make_sequential", input={"shape": [3]})["handle"],
            "d": host("make_layer", kind="dense", args={"units": 2})["handle"],
        },
        lambda c: host("add", object=c["seq"], layer=c["d"]),
    ),
    "call on a tensor": (
        lambda: {
            "x": host("make_input", shape=[3])["handle"],
            "d": host("make_layer", kind="dense", args={"units": 2})["handle"],
        },
        lambda c: host("call", object=c["d"], args=[c["x"]]),
    ),
    "failing add": (
        lambda: {
            "seq": host("make_sequential", input={"shape": [3]})["handle"],
            "x": host("make_input", shape=[3])["handle"],
        },
        lambda c: host("add", object=c["seq"], layer=c["x"]),
    ),
    "failing make_sequential with input_shape": (
        dict,
        lambda c: host("make_sequential", input={"shape": [3]}, name="a/b"),
    ),
}


@pytest.mark.parametrize("name", list(API_OPS))
def test_an_interrupt_anywhere_in_an_api_call_never_deals_a_name_twice(name):
    setup, op = API_OPS[name]

    def op_or_error(c):
        with contextlib.suppress(ValueError, TypeError):
            op(c)

    done = uninterrupted(setup, op_or_error)
    points = 0
    for n, where, _ctx, before, exc in sweep(setup, op_or_error):
        points += 1
        after = naming.uid_counts()
        # Interrupted: nothing happened, or (interrupt after the work was
        # done, on the way out) everything did. Through the dispatcher this
        # holds even on entry to atomic.__exit__: the dispatcher rolls back
        # too.
        assert after in (before, done), f"interrupt at event {n} ({where}): {before} -> {after}"
        dealt = [Dense(1).name for _ in range(3)]
        del exc  # frees the traceback and whatever its frames hold
        gc.collect()
        dealt += [Dense(1).name for _ in range(3)]
        assert len(set(dealt)) == 6, f"interrupt at event {n}: names dealt twice: {dealt}"
    assert points > 20


def test_an_interrupt_inside_the_rollback_still_rolls_back():
    def op(_):
        with naming.atomic():
            naming.get_uid("x")
            raise ValueError("bad input")

    points = 0
    for n, where, _, before, _exc in sweep(dict, lambda c: pytest.raises(ValueError, op, c)):
        # Entering the rollback or the unmarking after it, or back from a C call in them.
        if where[1] in ("_rollback", "_unmark"):
            points += 1
            assert naming.uid_counts() == before, f"interrupt at event {n} ({where})"
    assert points >= 2


# --------------------------------------------------------------- item 6
def test_a_failure_does_not_undo_another_threads_clear_session():
    for _ in range(5):
        Dense(1)
    cleared = threading.Event()
    with pytest.raises(ValueError), naming.atomic():
        Dense(1)
        t = threading.Thread(target=lambda: (r_bridge.clear_session(free_memory=False), cleared.set()))
        t.start()
        t.join()
        raise ValueError("bad input after another thread cleared the session")
    assert cleared.is_set()
    assert Dense(1).name == "dense"


def test_a_failure_does_not_undo_its_own_nested_clear_session():
    class ClearsThenFails(Layer):
        def build(self, input_shape):
            r_bridge.clear_session(free_memory=False)
            raise ValueError("build failed")

    for _ in range(5):
        Dense(1)
    x = Input(shape=(3,))
    with pytest.raises(ValueError, match="build failed"):
        ClearsThenFails(name="c")(x)
    assert naming.uid_counts() == {}
    assert Dense(1).name == "dense"


def test_a_failing_api_call_after_clear_in_the_same_session_is_rolled_back():
    # The check above compares sessions, not counters: a failure with no
    # clear in between still rolls back.
    host("make_layer", kind="dense", args={"units": 1})
    inputs = [host("make_input", shape=[3])["handle"], host("make_input", shape=[3])["handle"]]
    before = naming.uid_counts()
    with pytest.raises(ValueError):
        host("make_sequential", layers=inputs)
    assert naming.uid_counts() == before


# --------------------------------------------------------------- item 8
@pytest.mark.parametrize("exc", [KeyboardInterrupt, SystemExit])
def test_a_hook_raising_an_interrupt_does_not_stop_the_other_hooks(exc):
    ran = []

    def first():
        ran.append("first")
        raise exc("from hook")

    def second():
        ran.append("second")
        raise ValueError("second hook")

    r_bridge.register_clear_hook(first)
    r_bridge.register_clear_hook(second)
    naming.get_uid("dense")
    with pytest.raises(exc, match="from hook"):
        r_bridge.clear_session(free_memory=False)
    assert ran == ["first", "second"]
    assert naming.uid_counts() == {}


def test_an_interrupted_pop_is_all_or_nothing():
    # Issue 13 item 8: wherever the interrupt lands, the model keeps the layer
    # and the counters are as before, or the pop is complete (layer gone,
    # counters as after a pop); never a mix, never the layer lost.
    def setup():
        return {"m": Sequential([Input(shape=(3,)), Dense(2, name="a"), Dense(2, name="b")])}

    after = uninterrupted(setup, lambda c: c["m"].pop())
    for n, where, ctx, before, _exc in sweep(setup, lambda c: c["m"].pop()):
        state_now = ([layer.name for layer in ctx["m"].layers], naming.uid_counts())
        assert state_now in ((["a", "b"], before), (["a"], after)), (
            f"interrupt at event {n} ({where}): {state_now}"
        )


# --------------------------------------------------- item 5 and 7, core
def test_an_interrupted_constructor_consumes_no_name():
    # Every point, since the construction's block is naming.atomic_call (no
    # __exit__ to enter: an interrupt on return from the constructor is
    # inside its try, one on entry to the rollback is caught by the second).
    for n, where, _, before, _exc in sweep(dict, lambda c: Dense(2)):
        assert naming.uid_counts() == before, f"interrupt at event {n} ({where})"


def test_a_dropout_with_a_bad_seed_consumes_no_name():
    with pytest.raises(ValueError):
        Dropout(0.5, seed=-1)
    assert naming.uid_counts() == {}


def test_state_session_identity_changes_on_clear():
    # atomic() relies on clear_session() replacing the session object.
    s = state.session()
    r_bridge.clear_session(free_memory=False)
    assert state.session() is not s


@pytest.mark.parametrize("name", list(API_OPS))
def test_an_interrupted_host_call_leaves_no_handle_behind(name):
    # Through the dispatcher (what a host calls), an interrupt anywhere
    # gives back the references the call made: the host never received them.
    setup, op = API_OPS[name]

    def op_or_error(c):
        with contextlib.suppress(ValueError, TypeError):
            c["out"] = op(c)

    points = 0
    for n, where, ctx, _, _exc in sweep(lambda: dict(setup(), live=len(api.table)), op_or_error):
        points += 1
        # An interrupt Python swallows (raised while a generator is closed:
        # "Exception ignored in") lets the call succeed: its record is the
        # caller's, given back here.
        if "out" in ctx:
            api.release(ctx["out"]["handle"])
        assert len(api.table) == ctx["live"], f"interrupt at event {n} ({where})"
    assert points > 20
