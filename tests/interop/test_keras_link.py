"""One session with real Keras 3 (issue 17 part 1): r_bridge and Keras in
one process share the name counters and the name-scope stack, and a clear
from either side resets both.

Run with the Keras environment (``.venv-keras``): every scenario runs in a
fresh subprocess of this Python, because linking happens once per process
(on ``import keras``), so import order and environment are the point.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

if importlib.util.find_spec("keras") is None:  # (not imported here: each scenario imports it)
    pytest.skip("needs Keras 3 (run with .venv-keras/bin/python)", allow_module_level=True)


def run(code: str | list[str], env: dict[str, str] | None = None, path: list[str] | None = None) -> object:
    """Run ``code`` (or its parts, each dedented) in a fresh Python; it
    prints one JSON value, returned here."""
    parts = [code] if isinstance(code, str) else code
    code = "\n".join(textwrap.dedent(part) for part in parts)
    full_env = dict(os.environ, KERAS_BACKEND="numpy")
    full_env.pop("RBRIDGE_KERAS_LINK", None)
    full_env["PYTHONPATH"] = os.pathsep.join([*(path or []), str(ROOT)])
    full_env.update(env or {})
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


INTERLEAVE = """
    from keras import layers as K
    from r_bridge import layers as R
    names = []
    for _ in range(3):
        names += [K.Dense(1).name, R.Dense(1).name]
"""


def test_keras_imported_first_then_r_bridge_share_one_counter_space():
    names = run(
        [
            "import json, keras, r_bridge",
            INTERLEAVE,
            "print(json.dumps([names, r_bridge.keras_link.status()]))",
        ]
    )
    assert names[0] == ["dense"] + [f"dense_{i}" for i in range(1, 6)]
    assert names[1]["linked"] is True and names[1]["keras_version"] == "3.15.1"


def test_r_bridge_imported_first_then_keras_continues_its_counters():
    # r_bridge deals names before Keras exists in the process; Keras's first
    # layer must not be "dense" again (the import watcher links at once).
    names = run(
        [
            """
        import json, sys, r_bridge
        assert "keras" not in sys.modules
        first = [r_bridge.layers.Dense(1).name, r_bridge.layers.Dense(1).name]
        import keras
        """,
            INTERLEAVE,
            "print(json.dumps(first + names))",
        ]
    )
    assert names == ["dense"] + [f"dense_{i}" for i in range(1, 8)]


def test_keras_dealing_first_through_its_own_naming_module_is_seen_by_r_bridge():
    names = run(
        """
        import json, r_bridge, keras
        from keras.src.utils import naming
        dealt = [naming.uniquify("dense"), naming.get_uid("dense"), r_bridge.layers.Dense(1).name]
        print(json.dumps(dealt))
        """
    )
    assert names == ["dense", 2, "dense_2"]


@pytest.mark.parametrize(
    "clear",
    [
        "keras.utils.clear_session()",
        "keras.backend.clear_session()",
        "keras_clear(free_memory=False)",  # a reference taken before (from keras.utils import ...)
        "r_bridge.clear_session()",
        "r_bridge.clear_session(free_memory=False)",
    ],
)
def test_every_clear_entry_point_resets_both(clear):
    out = run(
        [
            """
        import json, r_bridge, keras
        from keras.utils import clear_session as keras_clear
        """,
            INTERLEAVE,
            clear,
            """
        after = [R.Dense(1).name, K.Dense(1).name, r_bridge.naming.get_uid("x"), keras.backend.get_uid("x")]
        print(json.dumps(after))
        """,
        ]
    )
    assert out == ["dense", "dense_1", 1, 2]


def test_r_bridge_clear_runs_keras_own_clear_resetting_keras_only_state():
    out = run(
        """
        import json, r_bridge, keras
        keras.config.set_dtype_policy("mixed_float16")
        r_bridge.config.set_dtype_policy("float64")
        both = [keras.config.dtype_policy().name, r_bridge.config.dtype_policy()]
        r_bridge.clear_session()
        both += [keras.config.dtype_policy().name, r_bridge.config.dtype_policy()]
        print(json.dumps(both))
        """
    )
    # r_bridge's policy is its own key (a prefix), Keras's an object; both reset.
    assert out == ["mixed_float16", "float64", "float32", "float32"]


def test_name_scopes_are_shared_both_ways():
    out = run(
        """
        import json, r_bridge, keras
        from keras.src.backend.common import name_scope as K
        from r_bridge import naming as R
        with R.name_scope("outer"):
            with K.name_scope("inner"):
                paths = [R.current_path(), K.current_path()]
            paths.append(K.current_path())
        paths.append(R.current_path())
        print(json.dumps(paths))
        """
    )
    assert out == ["outer/inner", "outer/inner", "outer", ""]


def test_threads_count_on_their_own_as_in_keras():
    out = run(
        """
        import json, threading, r_bridge, keras
        from keras import layers as K
        from r_bridge import layers as R
        main = [K.Dense(1).name, R.Dense(1).name]
        other = []
        def work():
            other.extend([R.Dense(1).name, K.Dense(1).name])
        t = threading.Thread(target=work); t.start(); t.join()
        main += [R.Dense(1).name]
        # A clear in a thread resets every thread (Keras's rule), both sides.
        t = threading.Thread(target=keras.utils.clear_session); t.start(); t.join()
        main += [R.Dense(1).name, K.Dense(1).name]
        print(json.dumps([main, other]))
        """
    )
    assert out == [["dense", "dense_1", "dense_2", "dense", "dense_1"], ["dense", "dense_1"]]


BROKEN_KERAS = {
    "keras/__init__.py": "from keras.src.backend.common import global_state\nraise ImportError('broken keras')\n",
    "keras/src/__init__.py": "",
    "keras/src/backend/__init__.py": "",
    "keras/src/backend/common/__init__.py": "",
    "keras/src/backend/common/global_state.py": (
        "import threading\nGLOBAL_STATE_TRACKER = threading.local()\n"
        "def get_global_attribute(name, default=None, set_to_default=False):\n"
        "    return getattr(GLOBAL_STATE_TRACKER, name, default)\n"
        "def clear_session(free_memory=True):\n    pass\n"
    ),
}


@pytest.fixture
def broken_keras(tmp_path):
    for name, text in BROKEN_KERAS.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return str(tmp_path)


@pytest.mark.parametrize("order", ["r_bridge first", "keras first"])
def test_a_failed_keras_import_leaves_r_bridge_unlinked_and_working(broken_keras, order):
    attempt = """
        try:
            import keras
        except ImportError as e:
            failed = str(e)
        """
    code = (
        "import json, sys\n"
        + (
            f"import r_bridge\n{textwrap.dedent(attempt)}"
            if order == "r_bridge first"
            else textwrap.dedent(attempt)
        )
        + """import r_bridge
from r_bridge import layers
names = [layers.Dense(1).name, layers.Dense(1).name]
r_bridge.clear_session()
names.append(layers.Dense(1).name)
half = "keras.src.backend.common.global_state" in sys.modules
print(json.dumps([failed, half, names, r_bridge.keras_link.status()]))
"""
    )
    failed, half, names, status = run(code, path=[broken_keras])
    assert failed == "broken keras" and half  # a half-imported global_state is left behind
    assert names == ["dense", "dense_1", "dense"]
    assert status["linked"] is False


def test_keras_internals_not_as_expected_stay_unlinked_with_one_warning():
    out = run(
        """
        import json, types, warnings
        import keras
        from keras.src.backend.common import global_state
        global_state.GLOBAL_STATE_TRACKER = types.SimpleNamespace()  # as another Keras might
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import r_bridge
            r_bridge.keras_link.try_link()
            names = [keras.layers.Dense(1).name, r_bridge.layers.Dense(1).name]
        print(json.dumps([[str(w.message) for w in caught], names, r_bridge.keras_link.status()["linked"]]))
        """
    )
    messages, names, linked = out
    assert len(messages) == 1 and "could not link its session to Keras 3.15.1" in messages[0]
    assert names == ["dense", "dense"] and linked is False


@pytest.mark.parametrize("value", ["0", "false", "off"])
def test_the_environment_opt_out_keeps_two_sessions(value):
    out = run(
        [
            "import json, keras, r_bridge",
            INTERLEAVE,
            "keras.utils.clear_session()\nnames.append(R.Dense(1).name)",
            "print(json.dumps([names, r_bridge.keras_link.status()]))",
        ],
        env={"RBRIDGE_KERAS_LINK": value},
    )
    names, status = out
    assert names == ["dense", "dense", "dense_1", "dense_1", "dense_2", "dense_2", "dense_3"]
    assert status == {"linked": False, "enabled": False, "keras_version": "3.15.1"}


def test_the_setting_unlinks_and_links_again():
    out = run(
        """
        import json, r_bridge, keras
        from keras import layers as K
        from r_bridge import layers as R, keras_link
        names = [K.Dense(1).name, R.Dense(1).name]
        keras_link.set_enabled(False)       # r_bridge keeps a copy of its counters
        names += [K.Dense(1).name, R.Dense(1).name]
        keras_link.set_enabled(True)        # merged again: the larger count wins
        names += [K.Dense(1).name, R.Dense(1).name]
        print(json.dumps([names, keras_link.status()["linked"]]))
        """
    )
    assert out == [["dense", "dense_1", "dense_2", "dense_2", "dense_3", "dense_4"], True]


def test_rollback_and_local_session_restore_the_shared_counters():
    out = run(
        """
        import json, r_bridge, keras
        from r_bridge import api, naming, session
        from keras import layers as K
        names = [K.Dense(1).name]
        try:
            with naming.atomic():          # a failed call: names dealt inside, Keras's too, given back
                K.Dense(1); r_bridge.layers.Dense(1)
                raise ValueError
        except ValueError:
            pass
        names.append(K.Dense(1).name)
        err = api.dispatch("make_layer", {"kind": "dense", "args": {"units": -1}})
        names.append(K.Dense(1).name)
        saved = session.save()             # local_session() in R
        names += [K.Dense(1).name, r_bridge.layers.Dense(1).name]
        session.restore(saved)
        names.append(K.Dense(1).name)
        print(json.dumps([names, ".rbridge_error" in err]))
        """
    )
    assert out == [["dense", "dense_1", "dense_2", "dense_3", "dense_4", "dense_3"], True]


def test_hooks_run_after_a_keras_clear_at_r_bridges_next_use():
    out = run(
        """
        import json, r_bridge, keras
        ran = []
        r_bridge.register_clear_hook(lambda: ran.append("hook"))
        r_bridge.layers.Dense(1)
        keras.utils.clear_session()
        before = list(ran)                  # Keras has no hook: nothing yet
        r_bridge.layers.Dense(1)            # r_bridge's next state access notices
        r_bridge.layers.Dense(1)
        after_use = list(ran)
        r_bridge.clear_session(free_memory=False)
        r_bridge.layers.Dense(1)
        print(json.dumps([before, after_use, ran]))
        """
    )
    assert out == [[], ["hook"], ["hook", "hook"]]


def test_a_failing_hook_after_a_keras_clear_is_a_warning():
    out = run(
        """
        import json, warnings, r_bridge, keras
        ran = []
        def bad():
            raise RuntimeError("hook broke")
        r_bridge.register_clear_hook(bad)
        r_bridge.register_clear_hook(lambda: ran.append("second"))
        keras.backend.clear_session()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            name = r_bridge.layers.Dense(1).name
        print(json.dumps([name, ran, [str(w.message) for w in caught]]))
        """
    )
    name, ran, messages = out
    assert name == "dense" and ran == ["second"]
    assert len(messages) == 1 and "RuntimeError: hook broke" in messages[0]


def test_session_snapshot_reports_the_link():
    out = run(
        """
        import json, r_bridge
        from r_bridge import session
        before = session.snapshot()["keras"]
        import keras
        print(json.dumps([before, session.snapshot()["keras"]]))
        """
    )
    assert out == [
        {"linked": False, "enabled": True, "keras_version": None},
        {"linked": True, "enabled": True, "keras_version": "3.15.1"},
    ]


def test_import_r_bridge_never_imports_keras():
    out = run(
        """
        import json, sys, r_bridge, r_bridge.api
        r_bridge.layers.Dense(1); r_bridge.clear_session()
        print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("keras", "h5py", "jax"))))
        """
    )
    assert out == []


def test_a_link_that_fails_never_breaks_import_keras():
    out = run(
        """
        import json, warnings, r_bridge
        from r_bridge import state
        def broken(gs):
            raise RuntimeError("no room")
        state._link = broken
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            import keras
        names = [keras.layers.Dense(1).name, r_bridge.layers.Dense(1).name]
        print(json.dumps([[str(w.message) for w in caught if "r_bridge" in str(w.message)], names,
                          r_bridge.keras_link.status()["linked"]]))
        """
    )
    messages, names, linked = out
    assert len(messages) == 1 and "RuntimeError: no room" in messages[0]
    assert names == ["dense", "dense"] and linked is False
