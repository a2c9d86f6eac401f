"""Session save, restore and snapshot: the resettable state as plain values.

For ``local_session()`` in R and for tests in Python. What :func:`save` keeps
is built from the state keys of the modules that write them (``naming``'s
name counters, ``config``'s flags and dtype policy, ``random``'s seed and
generator), so a seed set inside ``local_session()`` does not leak out.
Every value is plain (R can hold it): the random generator is kept as text.

With Keras linked (:mod:`r_bridge.keras_link`) the name counters are
Keras's too: :func:`restore` puts back the shared counters, so names Keras
dealt after :func:`save` are given back as well (``local_session()``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from r_bridge import config, keras_link, naming, random, state
from r_bridge.messages import shown

_UIDS = naming._UIDS  # restored through naming.set_uid_counts(), which checks it


def _check_flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"Invalid saved flag: {shown(value, conversion='r')} (expected True or False)")
    return value


def _check_seed(value: object) -> int:
    return random._check_seed(value, f"Invalid saved random seed: {shown(value, conversion='r')}")


# key -> (to a plain value, from a plain value (checked))
_SAVED: dict[str, tuple[Callable[[Any], Any] | None, Callable[[Any], Any]]] = {
    config.INTERACTIVE_LOGGING: (None, _check_flag),
    config.TRACEBACK_FILTERING: (None, _check_flag),
    config.DTYPE_POLICY: (None, config.check_dtype_policy),
    random.GLOBAL_SEED: (None, _check_seed),
    random.GLOBAL_SEED_GENERATOR: (random.generator_to_text, random.generator_from_text),
}


def save() -> dict[str, Any]:
    """Plain-value copy of this thread's resettable state (see :func:`restore`)."""
    out: dict[str, Any] = {}
    uids = naming.uid_counts()
    if uids:
        out[_UIDS] = uids
    for key, (dump, _) in _SAVED.items():
        val = state.get_global_attribute(key)
        if val is not None:
            out[key] = dump(val) if dump else val
    return out


def restore(saved: dict[str, Any]) -> None:
    """Make this thread's state what :func:`save` returned (other keys reset).

    Everything is checked before anything changes: on error the state is as it was.
    """
    if not isinstance(saved, dict):
        raise TypeError(
            f"`state` must be a dict from session_save(). Received: {shown(saved, conversion='r')}"
        )
    for key in saved:
        if key != _UIDS and key not in _SAVED:
            raise ValueError(f"Unknown session state key: {shown(key, conversion='r')}")
    values = {key: load(saved[key]) for key, (_, load) in _SAVED.items() if saved.get(key) is not None}
    # set_uid_counts() validates the whole dict before storing it.
    naming.set_uid_counts(saved.get(_UIDS) or {})
    for key in _SAVED:
        state.set_global_attribute(key, values.get(key))


def snapshot() -> dict[str, Any]:
    """What this thread's session holds, as plain values (``keras``: whether
    it is linked to Keras, see :func:`r_bridge.keras_link.status`)."""
    return {
        "uids": naming.uid_counts(),
        "thread": threading.current_thread().name,
        "name_scope": naming.current_path(),
        "config": config.as_dict(),
        "keras": keras_link.status(),
    }
