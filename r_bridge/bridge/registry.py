"""What the dispatcher serves: the host functions, by name, and the table
of objects held for the host.

:mod:`r_bridge.api` registers its functions here with :func:`export`; the
dispatcher (:mod:`.dispatch`) looks them up here. So the imports point one
way: ``api -> dispatch -> registry``, and nothing here imports the api.
A host imports :mod:`r_bridge.api` (which registers everything) and calls
its ``dispatch``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from r_bridge.bridge.handles import HandleTable

_F = TypeVar("_F", bound=Callable)

#: The objects held for the host (one table per process).
table = HandleTable()

#: Host functions by name, in registration order.
functions: dict[str, Callable] = {}

#: Names of the functions that give out no handles and take no names (the
#: dispatcher need not track references or roll counters back for them).
plain: set[str] = set()


def export(fn: _F, *, gives_no_objects: bool = False) -> _F:
    """Register ``fn`` under its ``__name__``; ``gives_no_objects``: it is
    plain (see :data:`plain`). Returns ``fn``."""
    functions[fn.__name__] = fn
    if gives_no_objects:
        plain.add(fn.__name__)
    return fn


def lookup(name: object) -> Callable | None:
    """The function registered as ``name``, or ``None`` (any ``name``, even
    an unhashable one)."""
    return functions.get(name) if isinstance(name, str) else None
