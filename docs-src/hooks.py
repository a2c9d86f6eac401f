"""mkdocs hook: doctest output and subscripts in docstrings (``['dense',
'dense_1']``, ``x[0]``) are not cross-references. mkdocs-autorefs warns about
any bracketed text it cannot resolve, and --strict fails on warnings; this
drops those warnings only when the bracketed text is not a Python name, so
a broken reference to a real name (``[r_bridge.Foo][]``) still fails."""

from __future__ import annotations

import logging
import re

_TARGET = re.compile(r"Could not find cross-reference target '(?P<target>.*)'")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class _NotAName(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        m = _TARGET.search(record.getMessage())
        return m is None or bool(_NAME.match(m.group("target")))


def on_config(config: object) -> None:
    # On mkdocs's own handlers (the one that prints and the one that counts
    # warnings for --strict): they see the plugin's records as they propagate.
    # on_config runs after the build added its counter.
    for handler in logging.getLogger("mkdocs").handlers:
        if not any(isinstance(f, _NotAName) for f in handler.filters):
            handler.addFilter(_NotAName())
