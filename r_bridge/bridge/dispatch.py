"""The dispatcher: the one entry point every host (reticulate, rpy2, ...) calls.

``dispatch(fn, args, releases)`` runs ``r_bridge.api.<fn>(**args)`` after
giving back the handles in ``releases`` (queued by the host's finalizers,
so releasing costs no extra crossing). It never raises: it returns the
function's value, or an *error record*, a dict whose first key is
:data:`ERROR`::

    {ERROR: "ValueError", "message": "...", "argument": "units" or None,
     "classes": ["ValueError", "Exception"]}

so no exception crosses the language boundary and no host parses text.
Interrupts (KeyboardInterrupt, SystemExit) come back as records too; the
host re-raises them as its own interrupt.
"""

from __future__ import annotations

from collections.abc import Callable

from r_bridge.bridge import arrays

ERROR = ".rbridge_error"
MAX_MESSAGE = 2000  # characters; longer messages (echoed huge values) are cut

_functions: dict[str, Callable] = {}


def _function(fn: object) -> Callable:
    if not _functions:
        from r_bridge import api

        _functions.update({name: getattr(api, name) for name in api.FUNCTIONS})
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
    """
    from r_bridge.api import table

    # The references the call gives out, kept here (not only in the table's
    # thread-local note): if the call fails or is interrupted anywhere, even
    # in the bookkeeping below, they are given back (the host never gets
    # them). The one point this cannot cover is an interrupt delivered on
    # entry to this function, before its first line: the host then gets the
    # exception and nothing was done (tests/stress/LIMITS.md).
    given: list = []
    released = [0]  # how many of `releases` are given back (see HandleTable.release)
    try:
        table.track(given)
        if releases:
            table.release(releases, released)
        func = _function(fn)
        if not args:
            value = func()
        elif isinstance(args, dict):
            value = func(**args)
        else:
            raise TypeError(f"The arguments of r_bridge.api.{fn} must be named. Received: {args!r}")
        table.untrack()
        return value
    except BaseException as e:  # noqa: BLE001 - nothing may cross the boundary as an exception
        table.untrack()
        if releases:
            table.release(releases, released)  # the rest, if an interrupt cut them short
        table.release(given)
        return error_record(e)


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
