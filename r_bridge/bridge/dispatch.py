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

from r_bridge import naming as _naming
from r_bridge.bridge import arrays, registry
from r_bridge.messages import MESSAGE_LIMIT, cut, shown

ERROR = ".rbridge_error"
MAX_MESSAGE = MESSAGE_LIMIT  # longer messages (a huge value echoed by code not ours) are cut


def _function(fn: object):
    func = registry.lookup(fn)
    if func is None:
        raise AttributeError(f"r_bridge.api has no function {shown(fn, conversion='r')}")
    return func


def _releases(releases: object) -> list:
    """The handles to give back, as a list: ``None`` or ``""`` (none), one
    handle, or a list (or tuple) of them. Items that are not live handles
    are ignored later (finalizers may run late and twice); anything else
    is refused before anything is done."""
    if releases is None:
        return []
    if isinstance(releases, str):
        return [releases] if releases else []
    if isinstance(releases, list):
        return releases
    if isinstance(releases, tuple):
        return list(releases)
    e = TypeError(
        "`releases` must be a handle or a list of handles. "
        f"Received: {shown(releases, conversion='r')} (of type {type(releases).__name__})"
    )
    e.argument = "releases"  # type: ignore[attr-defined]
    raise e


def _well_formed_releases(releases: object) -> list:
    """:func:`_releases`, or none if ``releases`` is malformed."""
    try:
        return _releases(releases)
    except TypeError:
        return []


def error_record(e: BaseException) -> dict:
    """What a host needs to raise ``e`` as its own error. Never raises: an
    exception whose text or attributes fail still gives a record."""
    try:
        if isinstance(e, KeyError) and len(e.args) == 1 and isinstance(e.args[0], str):
            message = e.args[0]  # str(KeyError) would add quotes
        else:
            message = str(e)
        argument = getattr(e, "argument", None)
    except Exception:  # noqa: BLE001 - a hostile exception still gives a record
        message, argument = f"<{type(e).__name__} object>", None
    classes = [c.__name__ for c in type(e).__mro__ if c not in (object, BaseException)]
    return {
        ERROR: type(e).__name__,
        "message": cut(message, MESSAGE_LIMIT),
        "argument": argument if isinstance(argument, str) else None,
        "classes": classes,
    }


def dispatch(fn: str, args: object = None, releases: object = None) -> object:
    """Release ``releases``, then return ``<fn>(**args)`` (the host function
    registered as ``fn``, see :mod:`.registry`) or an error record.

    ``args`` is a dict of keyword arguments; an empty list (what an empty R
    list becomes) or ``None`` means none. ``releases`` is ``None``, one
    handle or a list of handles; anything else (and any ``fn``, even an
    unhashable one) gives an error record; the function is not run.

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

    The plain functions (``registry.plain``: they give out no handles and
    take no names) skip the tracking and the counters' rollback: that is
    the hot path of ``clear_session()`` in a loop.
    """
    table = registry.table
    given: list = []
    progress = ([0], [0])  # of `releases` and of `given` (see HandleTable.release)
    undo = None  # no call before the try: an interrupt can come after any call
    try:
        if not (isinstance(fn, str) and fn in registry.plain):
            undo = _naming.atomic()
            undo.__enter__()
            table.track(given)
        if releases is not None:
            queued = _releases(releases)
            if table.inbox:
                table.drain()
            if queued:
                table.release(queued, progress[0])
        elif table.inbox:
            table.drain()
        # The registry's dict read here (the usual case); _function() for
        # anything else, which it refuses.
        func = registry.functions.get(fn) if type(fn) is str else None
        if func is None:
            func = _function(fn)
        if not args:
            value = func()
        elif isinstance(args, dict):
            value = func(**args)
        else:
            raise TypeError(
                f"The arguments of r_bridge.api.{shown(fn)} must be named. "
                f"Received: {shown(args, conversion='r')}"
            )
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
    queued = _well_formed_releases(releases)
    if queued:
        table.release(queued, progress[0])  # the rest, if an interrupt cut them short
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
