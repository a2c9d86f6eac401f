"""The handle table: objects a host (R) holds, named by opaque handles.

A handle is the string ``"<token>:<n>"``. The token is random and belongs to
one table, so one process: a handle saved by R (``saveRDS``) and read in
another process, or made up by hand, is recognised as not from this session
instead of reaching whichever object has that number here.

Each handle given out counts one reference; :meth:`HandleTable.release`
gives one back and the object is dropped at zero. This is the only
reference count: the host keeps none of its own.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterable
from typing import cast

_HANDLE = re.compile(r"[0-9a-f]{12}:[0-9]+")


class HandleError(LookupError):
    """A handle that names no live object of this session."""

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class HandleTable:
    """Objects held on behalf of a host, with one reference count per handle."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(6)
        self._lock = threading.Lock()
        self._objects: dict[str, object] = {}
        self._refs: dict[str, int] = {}
        self._handle_of: dict[int, str] = {}  # id(object) -> handle
        self._next = 1
        self._calls = threading.local()  # references given out by the current call
        # Handles a host hands over to give back, with list.extend (C code: no
        # signal is delivered while it runs), drained by the dispatcher. An
        # interrupt on entry to a dispatcher call can't lose them.
        self.inbox: list[str] = []

    def __len__(self) -> int:
        return len(self._objects)

    def add(self, obj: object) -> str:
        """The handle of ``obj`` (the same one while it is held), one more reference."""
        # An interrupt (KeyboardInterrupt from a signal handler) can arrive
        # after any call returns, not between plain subscript stores. So
        # every call is made first, and the reference is counted and noted
        # for the current call (see track()) with no call in between:
        # interrupted anywhere, the table is consistent and the dispatcher
        # gives back every reference it counted.
        key = id(obj)
        given = getattr(self._calls, "given", None)
        with self._lock:
            handle = self._handle_of.get(key)
            if handle is None:
                handle = f"{self.token}:{self._next}"
                self._next += 1
                self._objects[handle] = obj
                self._refs[handle] = 0
                self._handle_of[key] = handle
            self._refs[handle] += 1
            if given is not None:
                given.append(handle)
        return handle

    def get(self, handle: object, argument: str = "object") -> object:
        """The object named by ``handle``; a :class:`HandleError` naming ``argument`` if none."""
        obj = self._objects.get(handle) if isinstance(handle, str) else None
        if obj is not None:
            return obj
        if not isinstance(handle, str) or not _HANDLE.fullmatch(handle):
            raise HandleError(f"`{argument}` is not an rbridge object.", argument)
        if not handle.startswith(self.token + ":"):
            raise HandleError(
                f"`{argument}` is not from this session: it was made in another R or Python "
                "process (saved with saveRDS() or save()?). Create it again in this session.",
                argument,
            )
        raise HandleError(f"`{argument}` has been released and can no longer be used.", argument)

    def drain(self) -> None:
        """Give back the handles in :attr:`inbox`, each removed as it is given
        back: an interrupt (delivered only after a call or at the loop's
        end) leaves the rest for the next drain, none lost or given twice."""
        inbox = self.inbox
        with self._lock:
            while inbox:
                handle = inbox[-1]
                obj = self._objects.get(handle) if isinstance(handle, str) else None
                if obj is None:
                    del inbox[-1]
                    continue
                refs = self._refs[handle]
                key = id(obj)
                del inbox[-1]  # no call from here until the table agrees
                if refs > 1:
                    self._refs[handle] = refs - 1
                else:
                    del self._refs[handle]
                    del self._handle_of[key]
                    del self._objects[handle]
            obj = None  # the last object freed here, after the table is consistent

    def release(self, handles: object, progress: list | None = None) -> int:
        """Give back one reference per handle in ``handles`` (a str or a list of str).

        Handles that are unknown, malformed or from another table are
        ignored (finalizers may run late and twice). Returns how many
        objects are held afterwards.

        ``progress`` (a one-item list, ``[0]`` at first) counts the handles
        given back: called again with the same list after an interrupt, it
        gives back the rest, none twice. Each handle is given back with no
        call between the table's changes and the count (an interrupt is
        delivered only after a call or at the loop's end).
        """
        if isinstance(handles, str):
            handles = [handles]
        elif not isinstance(handles, list):
            handles = list(cast("Iterable[object]", handles or ()))
        if progress is None:
            progress = [0]
        with self._lock:
            n = len(handles)
            while progress[0] < n:
                handle = handles[progress[0]]
                if isinstance(handle, str) and handle in self._refs:
                    refs = self._refs[handle]
                    key = id(self._objects[handle])
                    if refs > 1:
                        self._refs[handle] = refs - 1
                    else:
                        del self._refs[handle]
                        del self._handle_of[key]
                        del self._objects[handle]  # may free the object: last
                progress[0] += 1
            return len(self._objects)

    def track(self, given: list) -> None:
        """Note in ``given`` the references this thread's call gives out
        (the caller keeps the list, to give them back if the call fails)."""
        self._calls.given = given

    def untrack(self) -> None:
        """Stop noting."""
        self._calls.given = None

    def references(self) -> int:
        """References given out and not yet released (over all handles)."""
        with self._lock:
            return sum(self._refs.values())
