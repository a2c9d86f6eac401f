"""r_bridge.state: clear_session(), thread-local state, clear hooks."""

import gc
import sys
import threading

import numpy as np
import pytest

import r_bridge
from r_bridge import config, naming, random, session, state
from r_bridge.layers import Dense


def dense_names(n):
    return [Dense(2).name for _ in range(n)]


def test_clear_session_returns_none():
    assert r_bridge.clear_session() is None
    assert r_bridge.clear_session(free_memory=False) is None


def test_clear_session_resets_name_counters():
    assert dense_names(3) == ["dense", "dense_1", "dense_2"]
    naming.get_uid("custom")
    assert naming.uid_counts() == {"dense": 3, "custom": 1}
    r_bridge.clear_session(free_memory=False)
    assert naming.uid_counts() == {}
    assert Dense(2).name == "dense"
    assert naming.get_uid("custom") == 1


def test_clear_session_resets_name_scope_stack():
    with naming.name_scope("outer"):
        with naming.name_scope("inner"):
            assert naming.current_path() == "outer/inner"
            r_bridge.clear_session(free_memory=False)
            assert naming.current_path() == ""
        # Leaving scopes opened before the clear must not touch the new stack.
        with naming.name_scope("fresh"):
            assert naming.current_path() == "fresh"
        assert naming.current_path() == ""
    assert naming.current_path() == ""


def test_clear_session_resets_dtype_policy_to_floatx():
    config.set_dtype_policy("mixed_float16")
    assert config.dtype_policy() == "mixed_float16"
    r_bridge.clear_session(free_memory=False)
    assert config.dtype_policy() == config.floatx() == "float32"
    config.set_floatx("float64")
    assert config.dtype_policy() == "float64"


def test_clear_session_resets_seed_generator():
    random.set_random_seed(7)
    gen = random.rng()
    assert state.get_global_attribute("global_random_seed") == 7
    r_bridge.clear_session(free_memory=False)
    assert state.get_global_attribute("global_random_seed") is None
    assert state.get_global_attribute("global_seed_generator") is None
    assert random.rng() is not gen


def test_clear_session_resets_logging_and_traceback_flags():
    config.disable_interactive_logging()
    config.disable_traceback_filtering()
    assert config.is_interactive_logging_enabled() is False
    assert config.is_traceback_filtering_enabled() is False
    r_bridge.clear_session(free_memory=False)
    assert config.is_interactive_logging_enabled() is True
    assert config.is_traceback_filtering_enabled() is True


def test_clear_session_keeps_process_wide_settings():
    config.set_floatx("float64")
    config.set_epsilon(1e-3)
    config.set_image_data_format("channels_first")
    r_bridge.clear_session()
    assert config.floatx() == "float64"
    assert config.epsilon() == 1e-3
    assert config.image_data_format() == "channels_first"
    assert config.backend() == "numpy"


@pytest.mark.parametrize("bad", [1, 0, None, "TRUE", 1.0, np.bool_(True), [True]])
def test_free_memory_must_be_bool_and_nothing_is_reset(bad):
    calls = []
    r_bridge.register_clear_hook(lambda: calls.append(1))
    dense_names(2)
    config.disable_interactive_logging()
    before = naming.uid_counts()
    with pytest.raises(TypeError, match="`free_memory`"):
        r_bridge.clear_session(free_memory=bad)
    assert naming.uid_counts() == before
    assert config.is_interactive_logging_enabled() is False
    assert calls == []
    assert Dense(2).name == "dense_2"


@pytest.mark.parametrize("free_memory, expected", [(True, 1), (False, 0)])
def test_free_memory_controls_gc_collect(monkeypatch, free_memory, expected):
    calls = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append(a) or real(*a))
    r_bridge.clear_session(free_memory=free_memory)
    assert len(calls) == expected


def test_default_free_memory_collects(monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append(a) or 0)
    r_bridge.clear_session()
    assert len(calls) == 1


def run_in_thread(fn):
    out = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as e:  # pragma: no cover - reported below
            out["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join(10)
    assert not t.is_alive()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_each_thread_counts_on_its_own():
    assert dense_names(3) == ["dense", "dense_1", "dense_2"]
    assert run_in_thread(lambda: dense_names(2)) == ["dense", "dense_1"]
    assert Dense(2).name == "dense_3"
    assert run_in_thread(naming.uid_counts) == {}


def test_clear_session_in_one_thread_resets_the_others():
    made, cleared, done = threading.Event(), threading.Event(), threading.Event()
    out = {}

    def worker():
        out["before"] = dense_names(2)
        made.set()
        cleared.wait(10)
        out["after"] = Dense(2).name
        out["counts"] = naming.uid_counts()
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    assert made.wait(10)
    dense_names(3)
    r_bridge.clear_session(free_memory=False)
    cleared.set()
    assert done.wait(10)
    t.join(10)
    assert out["before"] == ["dense", "dense_1"]
    assert out["after"] == "dense"
    assert out["counts"] == {"dense": 1}
    assert Dense(2).name == "dense"


def test_clear_in_a_thread_resets_the_main_thread():
    dense_names(3)
    run_in_thread(lambda: r_bridge.clear_session(free_memory=False))
    assert naming.uid_counts() == {}
    assert Dense(2).name == "dense"


# ------------------------------------------------------------------ hooks
def test_hook_called_on_every_clear_until_unregistered():
    calls = []

    def hook():
        calls.append(naming.uid_counts())

    assert r_bridge.register_clear_hook(hook) is hook
    dense_names(2)
    r_bridge.clear_session(free_memory=False)
    r_bridge.clear_session(free_memory=False)
    # Hooks run after the reset: they see the fresh state.
    assert calls == [{}, {}]
    r_bridge.unregister_clear_hook(hook)
    r_bridge.clear_session(free_memory=False)
    assert len(calls) == 2


def test_hook_as_decorator():
    calls = []

    @r_bridge.register_clear_hook
    def hook():
        calls.append(1)

    r_bridge.clear_session(free_memory=False)
    assert calls == [1]


def test_duplicate_registration_has_no_extra_effect():
    calls = []

    def hook():
        calls.append(1)

    r_bridge.register_clear_hook(hook)
    r_bridge.register_clear_hook(hook)
    r_bridge.clear_session(free_memory=False)
    assert calls == [1]
    r_bridge.unregister_clear_hook(hook)  # one unregister removes it
    r_bridge.clear_session(free_memory=False)
    assert calls == [1]


def test_unregister_unknown_hook_is_ignored():
    assert r_bridge.unregister_clear_hook(lambda: None) is None


@pytest.mark.parametrize("bad", [None, 1, "hook"])
def test_register_non_callable_raises(bad):
    with pytest.raises(TypeError, match="`fn` must be callable"):
        r_bridge.register_clear_hook(bad)
    assert bad not in state._hooks


def test_raising_hook_propagates_after_reset_and_other_hooks(monkeypatch):
    seen = []
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(1) or 0)

    def bad():
        seen.append("bad")
        raise RuntimeError("hook failed")

    def also_bad():
        seen.append("also_bad")
        raise KeyError("second")

    def good():
        seen.append(("good", naming.uid_counts()))

    for fn in (bad, also_bad, good):
        r_bridge.register_clear_hook(fn)
    dense_names(3)
    config.disable_traceback_filtering()
    with pytest.raises(RuntimeError, match="hook failed"):
        r_bridge.clear_session()
    assert seen == ["bad", "also_bad", ("good", {})]
    assert naming.uid_counts() == {}
    assert config.is_traceback_filtering_enabled() is True
    assert collected == [1]
    assert Dense(2).name == "dense"


def test_save_restore_round_trip():
    dense_names(2)
    naming.get_uid("x")
    config.disable_interactive_logging()
    random.set_random_seed(3)
    saved = session.save()
    assert saved["object_name_uids"] == {"dense": 2, "x": 1}
    r_bridge.clear_session(free_memory=False)
    Dense(2)
    session.restore(saved)
    assert naming.uid_counts() == {"dense": 2, "x": 1}
    assert config.is_interactive_logging_enabled() is False
    assert state.get_global_attribute("global_random_seed") == 3
    assert Dense(2).name == "dense_2"
    # save() is a copy: later names do not change it.
    assert saved["object_name_uids"] == {"dense": 2, "x": 1}


def test_restore_rejects_bad_input():
    with pytest.raises(TypeError, match="`state`"):
        session.restore([1])
    with pytest.raises(ValueError, match="Unknown session state key"):
        session.restore({"nope": 1})


def test_snapshot_is_plain():
    dense_names(1)
    with naming.name_scope("s"):
        snap = session.snapshot()
    assert snap["uids"] == {"dense": 1}
    assert snap["thread"] == threading.current_thread().name
    assert snap["name_scope"] == "s"
    assert snap["config"] == config.as_dict()


@pytest.mark.parametrize("bad", [{"nope": 1}, {"object_name_uids": {"dense": -1}}])
def test_failed_restore_leaves_state_unchanged(bad):
    dense_names(2)
    config.disable_interactive_logging()
    with pytest.raises(ValueError):
        session.restore({**bad, "interactive_logging": True})
    assert naming.uid_counts() == {"dense": 2}
    assert config.is_interactive_logging_enabled() is False


def test_restore_empty_dict_resets_saved_keys():
    dense_names(2)
    config.disable_interactive_logging()
    session.restore({})
    assert naming.uid_counts() == {}
    assert config.is_interactive_logging_enabled() is True


def test_restore_puts_back_the_seed_generator():
    """A seed set inside a saved/restored block does not leak out (the
    generator is saved with the seed, exactly)."""
    random.set_random_seed(11)
    random.rng().random()  # advance it: the saved state is mid-stream
    saved = session.save()
    expected = np.random.default_rng(11)
    expected.random()
    random.set_random_seed(5)
    session.restore(saved)
    assert random.rng().random() == expected.random()
    r_bridge.clear_session(free_memory=False)
    session.restore(session.save())  # nothing saved: nothing appears
    assert state.get_global_attribute(random.GLOBAL_SEED_GENERATOR) is None


def test_saved_state_is_plain():
    random.set_random_seed(2)
    random.rng()
    saved = session.save()
    assert all(isinstance(v, (bool, int, str, dict)) for v in saved.values())
    with pytest.raises(ValueError, match="random generator"):
        session.restore({**saved, random.GLOBAL_SEED_GENERATOR: "{"})
    assert session.save() == saved


def test_state_imports_nothing_of_ours():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(state))
    imported = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in imported if m and m.startswith("r_bridge")]


# ------------------------------------------------------- the Keras link
# Without Keras (this environment): a stand-in for Keras's global_state
# module, linked by hand; tests/interop links the real one.
def _fake_keras_state():
    import types

    gs = types.ModuleType("fake_global_state")
    gs.GLOBAL_STATE_TRACKER = threading.local()
    gs.cleared = []

    def get_global_attribute(name, default=None, set_to_default=False):
        return getattr(gs.GLOBAL_STATE_TRACKER, name, default)

    def clear_session(free_memory=True):
        gs.GLOBAL_STATE_TRACKER = threading.local()
        gs.cleared.append(free_memory)

    gs.get_global_attribute = get_global_attribute
    gs.clear_session = clear_session
    return gs


@pytest.fixture
def linked():
    gs = _fake_keras_state()
    assert state._keras is None and state._route is None
    state._link(gs)
    try:
        yield gs
    finally:
        state._unlink()
    assert state._keras is None and state._route is None


def test_linking_merges_counters_and_moves_other_keys_under_the_prefix():
    dense_names(2)
    config.set_dtype_policy("float64")
    gs = _fake_keras_state()
    gs.GLOBAL_STATE_TRACKER.object_name_uids = __import__("collections").defaultdict(
        int, {"dense": 5, "conv": 1}
    )
    state._link(gs)
    try:
        tracker = gs.GLOBAL_STATE_TRACKER
        assert dict(tracker.object_name_uids) == {"dense": 5, "conv": 1}  # the larger count wins
        assert getattr(tracker, "r_bridge/dtype_policy") == "float64"
        assert not hasattr(tracker, "dtype_policy")  # Keras's own key is Keras's
        assert Dense(2).name == "dense_5"
        assert tracker.object_name_uids["dense"] == 6  # one dict for both
    finally:
        state._unlink()
    # Unlinked again: a copy of this thread's part.
    assert naming.uid_counts() == {"dense": 6, "conv": 1}
    assert config.dtype_policy() == "float64"


def test_linked_name_scopes_use_keras_key(linked):
    with naming.name_scope("outer"):
        stack = linked.GLOBAL_STATE_TRACKER.name_scope_stack
        assert [s.name for s in stack] == ["outer"]


def test_linked_clear_calls_keras_clear_then_hooks_then_collects(linked, monkeypatch):
    order = []
    monkeypatch.setattr(gc, "collect", lambda *a: order.append("gc") or 0)
    r_bridge.register_clear_hook(lambda: order.append("hook"))
    dense_names(2)
    r_bridge.clear_session()
    assert linked.cleared == [False]  # Keras's own clear, its collection left to r_bridge
    assert order == ["hook", "gc"]
    assert Dense(2).name == "dense" and order == ["hook", "gc"]  # the hooks ran once


def test_a_keras_clear_runs_the_hooks_at_the_next_access(linked):
    ran = []
    r_bridge.register_clear_hook(lambda: ran.append(1))
    dense_names(2)
    linked.clear_session()
    assert ran == []
    assert Dense(2).name == "dense"
    assert ran == [1]
    Dense(2)
    assert ran == [1]


def test_a_hook_failing_after_a_keras_clear_is_a_warning(linked):
    ran = []

    def bad():
        raise ValueError("hook broke")

    r_bridge.register_clear_hook(bad)
    r_bridge.register_clear_hook(lambda: ran.append(1))
    linked.clear_session()
    with pytest.warns(RuntimeWarning, match="ValueError: hook broke"):
        assert Dense(2).name == "dense"
    assert ran == [1]


def test_a_keras_clear_seen_by_two_threads_runs_the_hooks_once(linked):
    ran = []
    r_bridge.register_clear_hook(lambda: ran.append(1))
    linked.clear_session()
    threads = [threading.Thread(target=lambda: Dense(2)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Dense(2)
    assert ran == [1]


def test_rollback_restores_the_shared_counters(linked):
    Dense(2)
    with pytest.raises(ValueError), naming.atomic():
        dense_names(2)
        linked.GLOBAL_STATE_TRACKER.object_name_uids["keras_side"] += 1
        raise ValueError
    assert dict(linked.GLOBAL_STATE_TRACKER.object_name_uids) == {"dense": 1}
    saved = session.save()
    dense_names(2)
    session.restore(saved)
    assert dict(linked.GLOBAL_STATE_TRACKER.object_name_uids) == {"dense": 1}


def test_keras_link_status_without_keras():
    from r_bridge import keras_link

    if "keras" in sys.modules:  # (the keras venv, after a test that imported it)
        pytest.skip("needs a process where Keras was not imported")
    assert keras_link.status() == {"linked": False, "enabled": False, "keras_version": None}
    assert session.snapshot()["keras"] == keras_link.status()
    with pytest.raises(TypeError, match="`enabled` must be a bool"):
        keras_link.set_enabled("no")
