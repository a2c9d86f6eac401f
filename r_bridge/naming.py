"""Name generation: snake-case prefixes, unique names, uid counters, name scopes.

Mirrors ``keras/src/utils/naming.py`` and ``backend/common/name_scope.py``.
Auto-naming and :func:`get_uid` share one counter per prefix, stored in the
session state (so :func:`r_bridge.clear_session` resets it):

>>> from r_bridge import clear_session
>>> clear_session()
>>> uniquify("dense"), uniquify("dense"), get_uid("dense"), uniquify("dense")
('dense', 'dense_1', 3, 'dense_3')
"""

from __future__ import annotations

import collections
import functools
import re
import sys
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

from r_bridge import state
from r_bridge.messages import shown

_UIDS = "object_name_uids"
# The outermost open atomic block of this thread's session (see `atomic`): an
# identifier, read and written with attribute syntax where no signal may land.
_ATOMIC = "r_bridge_atomic"


def _uids() -> collections.defaultdict[str, int]:
    """This session's counters (made and stored on first use: not a new
    ``defaultdict`` as the default of every read)."""
    uids = state.get_global_attribute(_UIDS)
    if uids is None:
        uids = collections.defaultdict(int)
        state.set_global_attribute(_UIDS, uids)
    return uids


@functools.lru_cache(maxsize=4096)
def to_snake_case(name: str) -> str:
    """Class name to prefix: ``MyCustomLayer`` -> ``my_custom_layer``,
    ``HTTPLayer2D`` -> ``http_layer2d`` (Keras's rules exactly).

    Cached: auto-naming converts the same few class names over and over
    (a third of an Example 1 iteration went into these regexes)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()
    return name


def uniquify(name: str) -> str:
    """``name`` the first time, then ``name_1``, ``name_2``, ... (per session)."""
    uids = state.get_global_attribute(_UIDS)
    if uids is None:
        uids = _uids()
    count = uids.get(name)
    uids[name] = 1 if count is None else count + 1
    return name if count is None else f"{name}_{count}"


def auto_name(prefix: str) -> str:
    """A unique name from a class name: ``auto_name("Dense")`` -> ``"dense"``."""
    return uniquify(to_snake_case(prefix))


def get_uid(prefix: str = "") -> int:
    """Associates a string prefix with an integer counter.

    Increments the counter of ``prefix`` (shared with auto-naming) and
    returns it: ``get_uid("dense")`` is ``1``, then ``2``, ...
    """
    if not isinstance(prefix, str):
        raise TypeError(f"`prefix` must be a string. Received: {prefix!r}")
    uids = _uids()
    uids[prefix] += 1
    return uids[prefix]


def reset_uids() -> None:
    """Restart every counter (names and uids), leaving other state alone."""
    state.set_global_attribute(_UIDS, collections.defaultdict(int))


def uid_counts() -> dict[str, int]:
    """A copy of the counters: ``{prefix: count}`` in first-use order."""
    return dict(state.get_global_attribute(_UIDS) or {})


def set_uid_counts(counts: dict[str, int]) -> None:
    """Replace the counters with ``counts`` (``{prefix: non-negative int}``)."""
    new: collections.defaultdict[str, int] = collections.defaultdict(int)
    for prefix, count in dict(counts).items():
        if not isinstance(prefix, str) or isinstance(count, bool) or int(count) != count or count < 0:
            raise ValueError(f"Invalid counter {prefix!r}: {count!r}")
        new[prefix] = int(count)
    state.set_global_attribute(_UIDS, new)


class atomic:
    """On an exception inside the block, put the counters back as they were.

    Every constructor and ``add()`` runs in one, so bad input never consumes
    a name (Keras sometimes does; r_bridge promises an unchanged session).
    :func:`atomic_call` is the same block around one call, for the hot path
    (every layer's construction).

    Re-entrant: only the outermost block of a thread snapshots the counters
    (one copy of the counter dict, one entry per prefix in use) and restores
    them on an exception; a block opened inside it (in the same thread and
    session) costs a few reads and does nothing on exit, the outermost one
    covering it. With Keras linked (:mod:`r_bridge.keras_link`) the counters
    are shared with Keras, so a rollback restores the names Keras dealt
    inside the block too.

    A class rather than a generator, so that an interrupt (``KeyboardInterrupt``
    from a signal handler) can never leave a suspended generator behind
    whose cleanup, whenever its traceback is freed, would roll the counters
    back to an old snapshot and deal names twice:

    * ``__enter__`` only reads, but for its last step: marking the session
      as covered by this block (the mark is the frame that entered it). If
      it is interrupted before that, nothing was changed and ``__exit__`` is
      not needed.
    * ``__exit__`` rolls back in one assignment; if an interrupt arrives
      while it does so, it rolls back again, then raises the interrupt.
      After a successful block it only clears the mark, with subscripts (no
      call, so no point where a signal is delivered). (An interrupt
      delivered on entry to the outermost ``__exit__``, before its first
      line, cannot be caught in Python: the block's names then stay
      consumed, but nothing is dealt twice. :func:`atomic_call` has no such
      point.)
    * A mark left behind by a block whose ``__exit__`` never ran (interrupted
      as above, or a host that entered it by hand and never exited) is
      recognised as stale: a block counts as nested only while the frame
      that entered the outermost one is still on this thread's stack; else
      it becomes the outermost block itself. (Not a weak reference: an
      interrupt on entry to ``__exit__`` keeps the block and its frame alive
      in the traceback, which R or a debugger keeps. A frame that catches
      the interrupt of its own ``with`` block and then opens more blocks is
      still on the stack: r_bridge's frames don't.)
    * It rolls back only into the session it saved: if ``clear_session()``
      ran meanwhile (in this thread, e.g. from a layer's ``build``, or in
      another one), the new session is left alone; a block opened after such
      a clear, in the new session, is an outermost block of its own.
    """

    __slots__ = ("_saved", "_frame")
    # (session, counters copied on entry or None, the session's dict for this
    # thread), or None for a nested block.
    _saved: tuple[Any, dict[str, int] | None, dict[str, Any]] | None
    _frame: Any  # the frame that entered the outermost block: the mark (None once exited)

    def __enter__(self) -> atomic:
        # Keep the session object itself (clear_session() replaces it; held,
        # its identity cannot be reused) and read the counters from it, not
        # from whatever session is current a moment later. A session is a
        # threading.local: its __dict__ is this thread's part, read and
        # written as a plain dict (no attribute lookup on the local).
        session = state._STATE if state._keras is None and state._route is None else state.session()
        d = session.__dict__
        frame: Any = sys._getframe(1)
        outer = d.get(_ATOMIC)
        if outer is not None and _on_stack(outer, frame):
            self._saved = None  # nested: the outermost block restores
            return self
        uids = d.get(_UIDS)
        # The copy is a plain dict ({**uids}: a quarter of defaultdict.copy()'s time).
        self._saved = (session, None if uids is None else {**uids}, d)
        self._frame = frame
        d[_ATOMIC] = frame  # last: the mark that covers nested blocks
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> Literal[False]:
        saved = self._saved
        if saved is None:
            return False
        if exc_type is None:
            # Subscripts, no call: nothing here where a signal can be
            # delivered, so a successful block stays successful.
            d = saved[2]
            if d[_ATOMIC] is self._frame:
                d[_ATOMIC] = None
            self._frame = None
            return False
        try:
            _rollback(saved)
        except BaseException:
            _rollback(saved)  # interrupted while rolling back: finish, then raise
            raise
        finally:
            _unmark(saved[2], self._frame)
            self._frame = None  # (the frame holds this block: no cycle left behind)
        return False


_F = TypeVar("_F", bound=Callable[..., Any])


def atomic_call(fn: _F) -> _F:
    """``fn`` run inside an :class:`atomic` block: the same protocol in one
    function, without a block object and its two method calls (a layer's
    construction is one such call: ``Layer``'s metaclass ``__call__``).

    The mark is the caller's frame. After ``fn`` returns, the block closes
    with subscripts only; an interrupt on return from ``fn`` is inside the
    ``try`` (rolled back), and one on entry to the rollback is caught by the
    second rollback, so no point is left where an interrupt consumes the
    call's names."""

    @functools.wraps(fn)
    def atomic_wrapper(*args: Any, **kwargs: Any) -> Any:
        session = state._STATE if state._keras is None and state._route is None else state.session()
        d = session.__dict__
        frame: Any = sys._getframe(1)
        outer = d.get(_ATOMIC)
        if outer is not None and _on_stack(outer, frame):
            return fn(*args, **kwargs)  # nested: the outermost block restores
        uids = d.get(_UIDS)
        saved = (session, None if uids is None else {**uids}, d)  # (a plain dict, as above)
        d[_ATOMIC] = frame  # last: the mark that covers nested blocks
        try:
            value = fn(*args, **kwargs)
        except BaseException:
            try:
                _rollback(saved)
            except BaseException:
                _rollback(saved)  # interrupted while rolling back: finish, then raise
                raise
            finally:
                _unmark(d, frame)
            raise
        if d[_ATOMIC] is frame:  # (subscripts: no point where a signal is delivered)
            d[_ATOMIC] = None
        return value

    return cast(_F, atomic_wrapper)


def _on_stack(mark: Any, frame: Any) -> bool:
    """Whether ``mark`` (the frame that opened the outermost block) is
    ``frame`` or one of its callers: the block is still open; else its mark
    is stale (its exit never ran)."""
    while frame is not None:
        if frame is mark:
            return True
        frame = frame.f_back
    return False


def _unmark(d: dict[str, Any], mark: Any) -> None:
    if d.get(_ATOMIC) is mark:
        d[_ATOMIC] = None


def _rollback(saved: tuple[Any, dict[str, int] | None, dict[str, Any]]) -> None:
    session, counts, d = saved
    if state.session() is not session:
        return  # cleared meanwhile: the new session is not ours to undo
    # Written into the saved session, not the current one: if another
    # thread clears right now, only the discarded session gets it.
    d[_UIDS] = collections.defaultdict(int, counts or {})


def validate_name(name: object) -> str:
    """Keras's check on explicit names: a string without ``/``."""
    if not isinstance(name, str) or "/" in name:
        raise ValueError(
            "Argument `name` must be a string and "
            "cannot contain character `/`. "
            f"Received: name={shown(name)} (of type {type(name)})"
        )
    return name


def get_object_name(obj: object) -> str:
    """A name for any object, as Keras derives one: ``obj.name`` if it has
    one, else the snake-cased ``__name__`` (functions), else the snake-cased
    class name."""
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    if hasattr(obj, "__class__"):
        return to_snake_case(obj.__class__.__name__)
    return to_snake_case(str(obj))


_SCOPES = "name_scope_stack"


class name_scope:
    """Context manager opening a sub-namespace for paths (``"outer/inner"``).

    Args:
        name: scope name, a string without ``/``.
        caller: optional object opening the scope (e.g. a layer).
        deduplicate: if true and the innermost open scope has the same
            ``name`` and the same (non-``None``) ``caller``, entering opens
            no new level.
        override_parent: an absolute path (``"/a/b"``) that replaces the
            scopes opened before this one; by default a caller's
            ``_parent_path`` when ``deduplicate`` is true.

    ``__exit__`` pops only what ``__enter__`` pushed (nothing if it was
    never entered), and only from the stack it pushed onto: after a
    ``clear_session()`` inside the scope, the new session's stack is left
    alone.
    """

    def __init__(
        self, name: str, caller: object = None, deduplicate: bool = True, override_parent: str | None = None
    ):
        if not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Argument `name` must be a string and cannot contain character `/`. Received: name={shown(name)}"
            )
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        if (
            override_parent is None
            and deduplicate
            and (parent := getattr(caller, "_parent_path", None)) is not None
        ):
            self.override_parent = parent
        self._pop_on_exit = False
        self._stack: list[name_scope] | None = None

    def __enter__(self) -> name_scope:
        stack = state.get_global_attribute(_SCOPES, default=[], set_to_default=True)
        if self.deduplicate and stack:
            top = stack[-1]
            if self.caller is not None and self.caller is top.caller and self.name == top.name:
                return self
        stack.append(self)
        self._stack = stack
        self._pop_on_exit = True
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        if self._pop_on_exit:
            stack, self._stack, self._pop_on_exit = self._stack, None, False
            if stack:
                stack.pop()
        return False


def current_path() -> str:
    """The open name scopes joined by ``/`` (``""`` outside any scope); a
    scope's ``override_parent`` replaces everything before it."""
    parts: list[str] = []
    for entry in state.get_global_attribute(_SCOPES) or []:
        if entry.override_parent is not None:
            parts = [p for p in entry.override_parent.split("/") if p]
        parts.append(entry.name)
    return "/".join(parts)
