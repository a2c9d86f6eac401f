"""Thread-local session state and ``clear_session()``.

Mirrors ``keras/src/backend/common/global_state.py``: every piece of
session state (name counters, the name-scope stack, the dtype policy, the
global seed generator, logging and traceback flags) is an attribute of one
``threading.local`` object, the *session*. ``clear_session()`` replaces that
object, which resets the state of *every* thread at once; afterwards each
thread starts counting on its own again.

Where the session lives: r_bridge's own ``threading.local`` until
:mod:`r_bridge.keras_link` links it to Keras 3 in the same process; then it
is Keras's ``GLOBAL_STATE_TRACKER``, so r_bridge and Keras share one session:

* the name counters (``object_name_uids``) and the name-scope stack
  (``name_scope_stack``) are the same objects for both, so names never
  collide; every other r_bridge key is stored as ``"r_bridge/<key>"``
  (Keras's dtype policy and seed generator are objects of other types);
* :func:`clear_session` calls Keras's own ``clear_session`` (its backend
  resets included), and a clear from Keras (``keras.utils.clear_session``,
  ``keras.backend.clear_session``, R's ``keras3::clear_session()``) is
  noticed by the tracker's identity at r_bridge's next state access, which
  then runs the clear hooks (a failing hook is a warning there).

The session holds counters and flags, never strong references to user
objects, so models and layers are freed as soon as the user drops them.
"""

from __future__ import annotations

import gc
import threading
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

_STATE = threading.local()
_hooks: list = []
_Hook = TypeVar("_Hook", bound=Callable[[], object])

# Set only through the functions at the end of this module (by
# r_bridge.keras_link): `_keras` is Keras's global_state module while linked,
# else None; `_route` is a function `key -> (session, key)` while r_bridge
# waits for a Keras import in progress, else None. Unlinked, the hot path
# reads these two module globals, then `_STATE`.
_keras: ModuleType | None = None
_route: Callable[[str], tuple[Any, str]] | None = None
_seen: Any = None  # the Keras tracker r_bridge last saw (a new one: Keras cleared)
_lock = threading.Lock()

# Keys shared with Keras while linked; the others get PREFIX.
SHARED = frozenset({"object_name_uids", "name_scope_stack"})
PREFIX = "r_bridge/"


class _Keys(dict):
    """``key -> key as stored in Keras's tracker`` (computed once per key)."""

    def __missing__(self, key: str) -> str:
        stored = key if key in SHARED or key.startswith("r_bridge") else PREFIX + key
        self[key] = stored
        return stored


_KEYS = _Keys()


def session() -> Any:
    """This thread's session object (replaced by :func:`clear_session`)."""
    if _keras is None:
        return _STATE if _route is None else _route("")[0]
    tracker = _keras.GLOBAL_STATE_TRACKER
    if tracker is not _seen:
        _cleared_by_keras(tracker)
    return tracker


def set_global_attribute(name: str, value: object) -> None:
    """Set attribute ``name`` of this thread's session state."""
    if _keras is None:
        if _route is None:
            setattr(_STATE, name, value)
            return
        where, name = _route(name)
    else:
        where = _keras.GLOBAL_STATE_TRACKER
        if where is not _seen:
            _cleared_by_keras(where)
        name = _KEYS[name]
    setattr(where, name, value)


def get_global_attribute(name: str, default: Any = None, set_to_default: bool = False) -> Any:
    """Get attribute ``name`` of this thread's session state.

    If it is unset (or ``None``) and ``default`` is not ``None``, return
    ``default``, storing it first when ``set_to_default`` is true (Keras's
    semantics, so callers can mutate the stored default in place).
    """
    if _keras is None and _route is None:
        # r_bridge's own state from the thread's dict: getattr() on a missing
        # attribute of a threading.local raises and catches an AttributeError
        # (bench/README.md).
        where = _STATE
        attr = where.__dict__.get(name)
        if attr is not None or default is None:
            return attr
    else:
        if _keras is None:
            where, name = _route(name)  # type: ignore[misc]
        else:  # linked: Keras's tracker, r_bridge's own keys prefixed
            where = _keras.GLOBAL_STATE_TRACKER
            if where is not _seen:
                _cleared_by_keras(where)
            name = _KEYS[name]
        # (Keras's tracker is a threading.local too: its dict, no AttributeError.)
        attr = where.__dict__.get(name)
    if attr is None and default is not None:
        attr = default
        if set_to_default:
            setattr(where, name, attr)
    return attr


def register_clear_hook(fn: _Hook) -> _Hook:
    """Call ``fn()`` after every :func:`clear_session` (e.g. to drop a cache).

    With Keras linked, also after a clear made by Keras: at r_bridge's next
    state access (then a hook that raises is reported as a warning).
    Registering the same function twice has no extra effect. Returns ``fn``,
    so it can be used as a decorator.
    """
    if not callable(fn):
        raise TypeError(f"`fn` must be callable. Received: {fn!r:.100}")
    if fn not in _hooks:
        _hooks.append(fn)
    return fn


def unregister_clear_hook(fn: Callable[[], object]) -> None:
    """Stop calling ``fn`` from :func:`clear_session`; unknown ``fn`` is ignored."""
    if fn in _hooks:
        _hooks.remove(fn)


def _run_hooks() -> list[BaseException]:
    errors = []
    for fn in list(_hooks):
        try:
            fn()
        except BaseException as e:  # noqa: BLE001 -- even KeyboardInterrupt and
            errors.append(e)  # SystemExit: every hook runs, then the first is raised
    return errors


def clear_session(free_memory: bool = True) -> None:
    """Resets all state generated by Keras (here: by ``r_bridge``).

    Keras manages a global state, which it uses to implement the Functional
    model-building API and to uniquify autogenerated layer names. Calling
    ``clear_session()`` releases it: name counters restart (the next
    ``Dense`` is ``"dense"``), the name-scope stack, dtype policy, global
    seed generator and the interactive-logging / traceback-filtering flags
    go back to their defaults, in every thread. Process-wide settings
    (``floatx``, ``epsilon``, ``image_data_format``, backend) are kept.

    With Keras linked (:mod:`r_bridge.keras_link`) this is also Keras's
    ``clear_session()``: Keras's own function resets the shared session and
    its backend, then r_bridge's hooks run, then the collection.

    Args:
        free_memory: Whether to call Python garbage collection
            (``gc.collect()``) afterwards. It is usually good practice, but
            it takes time: in a short loop you may want to skip it.

    Returns:
        ``None``.

    Raises:
        TypeError: if ``free_memory`` is not a bool (nothing is reset then).
        BaseException: the first error (even ``KeyboardInterrupt`` or
            ``SystemExit``) raised by a hook registered with
            :func:`register_clear_hook`; the session is fully reset and
            every hook has run before it is raised.
    """
    global _STATE, _seen
    if not isinstance(free_memory, bool):
        raise TypeError(f"`free_memory` must be a bool (True or False). Received: {free_memory!r:.100}")
    keras = _keras
    if keras is None:
        _STATE = threading.local()
    else:
        with _lock:  # (a thread that sees the new tracker meanwhile runs no hooks)
            keras.clear_session(free_memory=False)
            _seen = keras.GLOBAL_STATE_TRACKER
    errors = _run_hooks() if _hooks else None  # (none registered: no call)
    if free_memory:
        gc.collect()
    if errors:
        raise errors[0]


# ------------------------------------------------------------ the Keras link
def _cleared_by_keras(tracker: object) -> None:
    global _seen
    with _lock:
        if tracker is _seen or _keras is None or tracker is not _keras.GLOBAL_STATE_TRACKER:
            return  # another thread ran the hooks, or r_bridge cleared itself
        _seen = tracker
    errors = _run_hooks()
    for e in errors:
        warnings.warn(
            f"A clear hook failed after Keras's clear_session(): {type(e).__name__}: {e!s:.200}",
            RuntimeWarning,
            stacklevel=3,
        )


def _link(keras_state: ModuleType) -> None:
    """Move this thread's session into Keras's tracker and share it from now on.

    Counters merge (the larger count of each prefix wins, so no name is
    dealt twice); r_bridge's other keys move under their prefixed names.
    Other threads' r_bridge state is not reachable from here: those threads
    continue in Keras's session for them."""
    global _route, _keras, _seen
    tracker = keras_state.GLOBAL_STATE_TRACKER
    own = dict(vars(_STATE))
    uids = getattr(tracker, "object_name_uids", None)
    if own.get("object_name_uids"):
        if uids is None:
            import collections

            uids = collections.defaultdict(int)
            tracker.object_name_uids = uids
        for prefix, count in own["object_name_uids"].items():
            uids[prefix] = max(uids.get(prefix, 0), count)
    if own.get("name_scope_stack") and not getattr(tracker, "name_scope_stack", None):
        tracker.name_scope_stack = own["name_scope_stack"]
    for key, value in own.items():
        if key not in SHARED and not key.startswith("r_bridge"):
            setattr(tracker, _KEYS[key], value)
    with _lock:
        _keras, _seen, _route = keras_state, tracker, None


def _unlink() -> None:
    """Go back to r_bridge's own session, starting from a copy of this
    thread's part of the shared one (other threads start afresh)."""
    global _STATE, _route, _keras, _seen
    if _keras is None:
        return
    tracker = session()
    fresh = threading.local()
    for key, value in vars(tracker).items():
        if key == "object_name_uids":
            import collections

            fresh.object_name_uids = collections.defaultdict(int, value)
        elif key == "name_scope_stack":
            fresh.name_scope_stack = list(value)
        elif key.startswith(PREFIX):
            setattr(fresh, key[len(PREFIX) :], value)
    with _lock:
        _STATE, _route, _keras, _seen = fresh, None, None, None


def _set_route(route: Callable[[str], tuple[Any, str]] | None) -> None:
    """For :mod:`r_bridge.keras_link` while Keras is being imported (see there)."""
    global _route
    _route = route
