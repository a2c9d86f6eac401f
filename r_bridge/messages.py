"""One rule for the length of messages: a value echoed in a message, and a
whole message crossing to a host, are cut the same way.

A text longer than its limit keeps its start and end around a marker
that says how much was cut, in at most ``limit`` characters, the marker
included::

    >>> cut("x" * 100, 40)
    'xxxxxxx …[86 characters cut]… xxxxxxx'

Values echoed in messages are cut at :data:`ECHO_LIMIT` characters (a
100,000-character name gives a short message, not a 100,000-character
one), file paths and the text of other errors at :data:`LONG_ECHO_LIMIT`;
a whole message crossing to a host at :data:`MESSAGE_LIMIT` (text that
code not ours echoed whole). Hosts mirror this rule (R: ``rb_cut``).
Imports nothing of ours: every module may use it.
"""

from __future__ import annotations

ECHO_LIMIT = 100
MESSAGE_LIMIT = 1000
#: For values that are long in normal use (file paths, the text of another
#: error), echoed inside a message: half a message, so the message they are
#: in stays under MESSAGE_LIMIT and is not cut a second time.
LONG_ECHO_LIMIT = MESSAGE_LIMIT // 2


def cut(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` if it has at most ``limit`` characters, else as many of its
    first and last characters as fit around ``…[N characters cut]…`` in
    ``limit`` characters (at least one of each, for a limit shorter than
    the marker)."""
    if len(text) <= limit:
        return text
    room = limit - len(f" …[{len(text)} characters cut]… ")  # (the marker's N is smaller)
    half = max(room // 2, 1)
    return f"{text[:half]} …[{len(text) - 2 * half} characters cut]… {text[len(text) - half :]}"


def shown(value: object, limit: int = ECHO_LIMIT, conversion: str = "s") -> str:
    """``str(value)`` (``conversion="r"``: ``repr(value)``) cut to ``limit``
    characters, for echoing in a message. Never raises: a value whose
    ``str``/``repr`` fails shows as ``<TypeName object>``."""
    try:
        text = repr(value) if conversion == "r" else str(value)
        if not isinstance(text, str):
            raise TypeError
    except Exception:  # noqa: BLE001 - a hostile __str__ must not replace the message
        text = f"<{type(value).__name__} object>"
    return cut(text, limit)
