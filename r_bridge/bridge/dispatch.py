"""The dispatcher: the one entry point every host (reticulate, rpy2, ...) calls.

``dispatch(fn, args, releases)`` runs ``r_bridge.api.<fn>(**args)`` after
giving back the handles in ``releases`` (queued by the host's finalizers,
so releasing costs no extra crossing). It never raises: it returns the
function's value, or an *error record*, a dict whose first key is
:data:`ERROR`::

    {
        ERROR: "ValueError",
        "message": "...",
        "argument": "units" or None,
        "classes": ["ValueError", "Exception"],
    }

so no exception crosses the language boundary and no host parses text.
Interrupts (KeyboardInterrupt, SystemExit) come back as records too; the
host re-raises them as its own interrupt.
"""

from __future__ import annotations

from collections.abc import Callable

from r_bridge import naming as _naming
from r_bridge.bridge import arrays

ERROR = ".rbridge_error"
MAX_MESSAGE = 1000  # characters; longer messages (a huge value echoed by code not ours) are cut

# Loaded from r_bridge.api on the first call (api imports this module).
_functions: dict[str, Callable] = {}
_plain: set[str] = set()  # functions that give out no handles and take no names
_table: list = []  # [api.table]


def _load() -> None:
    from r_bridge import api

    _functions.update({name: getattr(api, name) for name in api.FUNCTIONS})
    _plain.update(api.PLAIN)
    _table.append(api.table)


def _function(fn: object) -> Callable:
    func = _functions.get(fn) if isinstance(fn, str) else None
    if func is None:
        raise AttributeError(f"r_bridge.api has no function {fn!r}")
    return func


def _cut(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    half = MAX_MESSAGE // 2
    return f"{message[:half]} …[{len(message) - MAX_MESSAGE} characters cut]… {message[-half:]}"


def error_record(e: BaseException) -> dict:
    """What a host needs to raise ``e`` as its own error."""
    if isinstance(e, KeyError) and len(e.args) == 1 and isinstance(e.args[0], str):
        message = e.args[0]  # str(KeyError) would add quotes
    else:
        message = str(e)
    classes = [c.__name__ for c in type(e).__mro__ if c not in (object, BaseException)]
    argument = getattr(e, "argument", None)
    return {
        ERROR: type(e).__name__,
        "message": _cut(message),
        "argument": argument if isinstance(argument, str) else None,
        "classes": classes,
    }


def dispatch(fn: str, args: object = None, releases: object = None) -> object:
    """Release ``releases``, then return ``api.<fn>(**args)`` or an error record.

    ``args`` is a dict of keyword arguments; an empty list (what an empty R
    list becomes) or ``None`` means none.

    A call that fails or is interrupted, wherever that happens, leaves the
    session as it was: its references are given back (the host never gets
    them; they are kept here, not only in the table's thread-local note)
    and the name counters are put back by the dispatcher's own
    :class:`~r_bridge.naming.atomic` (which covers an interrupt delivered
    on entry to an inner ``atomic.__exit__``, where that one cannot act).
    The queued ``releases`` are given back in full, none twice. If the
    giving back is itself interrupted, it is finished, then the record
    returned. What remains: an interrupt on entry to this function, before
    its first line (the host gets the exception, nothing was done), or two
    interrupts microseconds apart (tests/stress/LIMITS.md).

    The API's plain functions (``api.PLAIN``: they give out no handles and
    take no names) skip the tracking and the counters' rollback: that is
    the hot path of ``clear_session()`` in a loop.
    """
    if not _table:
        _load()
    table = _table[0]
    given: list = []
    progress = ([0], [0])  # of `releases` and of `given` (see HandleTable.release)
    undo = None if fn in _plain else _naming.atomic()
    try:
        if undo is not None:
            undo.__enter__()
            table.track(given)
        if table.inbox:
            table.drain()
        if releases:
            table.release(releases, progress[0])
        func = _function(fn)
        if not args:
            value = func()
        elif isinstance(args, dict):
            value = func(**args)
        else:
            raise TypeError(f"The arguments of r_bridge.api.{fn} must be named. Received: {args!r}")
        if undo is not None:
            table.untrack()
            undo.__exit__(None, None, None)  # closes the block (re-entrant: it marks the session)
        return value
    except BaseException as e:  # noqa: BLE001 - nothing may cross the boundary as an exception
        try:
            _give_back(table, undo, e, releases, given, progress)
        except BaseException:  # noqa: BLE001 - interrupted while giving back: finish
            _give_back(table, undo, e, releases, given, progress)
        return error_record(e)


def _give_back(table, undo, e, releases, given, progress) -> None:
    if undo is not None:
        table.untrack()
    if table.inbox:
        table.drain()
    if releases:
        table.release(releases, progress[0])  # the rest, if an interrupt cut them short
    table.release(given, progress[1])
    if getattr(undo, "_saved", None) is not None:  # (entered: else nothing to undo)
        undo.__exit__(type(e), e, None)


def dispatch_buffers(fn: str, args: object = None, releases: object = None) -> object:
    """:func:`dispatch` for a host that passes arrays as buffers (see :mod:`.arrays`)."""
    try:
        args = arrays.decode(args)
    except BaseException as e:  # noqa: BLE001
        return error_record(e)
    out = dispatch(fn, args, releases)
    if isinstance(out, dict) and ERROR in out:
        return out
    return arrays.encode(out)
