"""The link to Keras 3: one session when Keras is in the same process.

r_bridge never imports Keras. When Keras 3 is imported, before or after
r_bridge, r_bridge's session moves into Keras's own thread-local state
(``keras.src.backend.common.global_state.GLOBAL_STATE_TRACKER``), so the two
share the name counters and the name-scope stack, and a ``clear_session()``
from either side resets both (see :mod:`r_bridge.state` for what is shared
and how a clear made by Keras reaches r_bridge's clear hooks).

* Keras imported first: linked when r_bridge is imported.
* r_bridge imported first: a one-shot import watcher on the ``keras``
  package links right after ``import keras`` has succeeded (a failed
  ``import keras`` leaves r_bridge unlinked and working).
* Keras internals not as expected (another Keras version): not linked, with
  one warning saying so.
* Opt-out: the environment variable ``RBRIDGE_KERAS_LINK=0`` (read when
  r_bridge is imported) or :func:`set_enabled` ``(False)``.

:func:`status` says whether the session is linked, and to which Keras.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import warnings
from types import ModuleType
from typing import Any

from r_bridge import state
from r_bridge.messages import LONG_ECHO_LIMIT, shown

ENV = "RBRIDGE_KERAS_LINK"
GLOBAL_STATE = "keras.src.backend.common.global_state"
_OFF = ("0", "false", "no", "off")

_enabled = os.environ.get(ENV, "1").strip().lower() not in _OFF
_warned = False
_lock = threading.RLock()


def status() -> dict[str, Any]:
    """``{"linked": bool, "enabled": bool, "keras_version": str | None}``:
    whether r_bridge's session is Keras's, whether linking is enabled, and
    the version of the Keras in the process (``None`` if none is loaded)."""
    keras = sys.modules.get("keras")
    version = getattr(keras, "__version__", None) if keras is not None else None
    return {
        "linked": state._keras is not None,
        "enabled": _enabled,
        "keras_version": version if isinstance(version, str) else None,
    }


def set_enabled(enabled: bool) -> None:
    """Link r_bridge's session to Keras's (``True``, the default) or keep it
    separate (``False``).

    Disabling while linked gives r_bridge its own session again, starting
    from a copy of this thread's counters and settings (other threads start
    afresh); Keras keeps its own. Enabling links at once if Keras is loaded,
    else when it is imported.

    Raises:
        TypeError: ``enabled`` is not a bool.
    """
    global _enabled
    if not isinstance(enabled, bool):
        raise TypeError(
            f"`enabled` must be a bool (True or False). Received: {shown(enabled, conversion='r')}"
        )
    with _lock:
        _enabled = enabled
        if enabled:
            install()
        else:
            _stop_watching()
            if state._keras is not None:
                state._unlink()
            else:
                state._set_route(None)  # (no longer waiting for Keras)


# ----------------------------------------------------------- detection
def _keras_ready() -> ModuleType | None:
    """Keras's ``global_state`` module if ``keras`` imported completely."""
    keras = sys.modules.get("keras")
    if keras is None or _initializing(keras):
        return None
    return sys.modules.get(GLOBAL_STATE)


def _initializing(module: ModuleType) -> bool:
    return bool(getattr(getattr(module, "__spec__", None), "_initializing", False))


def _usable(gs: ModuleType) -> bool:
    """Keras's internals as r_bridge relies on them (3.x's global_state)."""
    tracker = getattr(gs, "GLOBAL_STATE_TRACKER", None)
    clear = getattr(gs, "clear_session", None)
    code = getattr(clear, "__code__", None)
    return (
        isinstance(tracker, threading.local)
        and callable(getattr(gs, "get_global_attribute", None))
        and code is not None
        and "free_memory" in code.co_varnames[: code.co_argcount]
    )


def _warn_once(message: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(message, RuntimeWarning, stacklevel=3)


def try_link(imported: bool = False) -> bool:
    """Link now if enabled and Keras is completely imported (``imported``:
    the watcher saw ``keras`` run to its end); whether linked."""
    with _lock:
        if state._keras is not None:
            return True
        if not _enabled:
            return False
        gs = sys.modules.get(GLOBAL_STATE) if imported else _keras_ready()
        if gs is None:
            return False
        if not _usable(gs):
            version = getattr(sys.modules.get("keras"), "__version__", "?")
            _warn_once(
                f"r_bridge could not link its session to Keras {shown(version)}: Keras's "
                f"internals ({GLOBAL_STATE}) are not as r_bridge expects. r_bridge and Keras "
                "keep separate sessions: names may repeat across them and each "
                "clear_session() resets only its own side."
            )
            return False
        try:
            state._link(gs)
        except Exception as e:  # noqa: BLE001 -- linking must never break r_bridge, nor import keras
            _warn_once(
                f"r_bridge could not link its session to Keras: {type(e).__name__}: {shown(e, LONG_ECHO_LIMIT)}. "
                "r_bridge and Keras keep separate sessions."
            )
            return False
        _stop_watching()
        # Where a host froze the start-up objects (R does, after starting
        # Python), freeze Keras's too: clear_session(free_memory = TRUE) then
        # collects only what was made since.
        if gc.get_freeze_count():
            gc.freeze()
        return True


# ------------------------------------------------------ import watcher
class _Watcher:
    """A meta path finder (not derived from ``importlib.abc.MetaPathFinder``:
    importing that costs more than all of this module) that finds nothing
    itself; when ``keras`` is about to be loaded, it wraps the loader's
    ``exec_module`` that the other finders give, so that r_bridge links right
    after ``keras`` ran."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "keras":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                _watch(spec.loader)
                return spec
        return None


def _watch(loader: Any) -> None:
    run = getattr(loader, "exec_module", None)
    if run is None or getattr(run, "_r_bridge", False):
        return

    def exec_module(module: ModuleType) -> None:
        try:
            run(module)
        finally:
            with contextlib.suppress(AttributeError):
                del loader.exec_module  # back to the loader's own method
        # Linked before anything can deal a name in Keras's session (the
        # import system still marks the module as initializing here).
        try_link(imported=True)

    exec_module._r_bridge = True  # type: ignore[attr-defined]
    with contextlib.suppress(AttributeError, TypeError):
        loader.exec_module = exec_module  # (a loader without instance attributes: not watched)


def _pending_until_ready() -> None:
    """Keras still initializing (imported in another thread, or r_bridge
    imported from within Keras's import): check at each state access until
    it is done, then link (or, if the import failed, stop checking)."""

    def route(name: str) -> tuple[Any, str]:
        keras = sys.modules.get("keras")
        if keras is None or not _initializing(keras):
            state._set_route(None)
            if not try_link():
                return state._STATE, name
            return state.session(), state._KEYS[name]
        return state._STATE, name

    if state._keras is None and _enabled:
        keras = sys.modules.get("keras")
        if keras is not None and _initializing(keras):
            state._set_route(route)


_watcher = _Watcher()


def _stop_watching() -> None:
    if _watcher in sys.meta_path:
        sys.meta_path.remove(_watcher)


def install() -> None:
    """Link now if Keras is loaded; else watch for ``import keras``."""
    with _lock:
        if not _enabled or try_link():
            return
        if "keras" in sys.modules:
            _pending_until_ready()
        if _watcher not in sys.meta_path:
            sys.meta_path.insert(0, _watcher)


install()
