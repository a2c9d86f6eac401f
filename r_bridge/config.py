"""Settings: floatx, epsilon, image data format, backend, logging and traceback flags.

Mirrors ``keras/src/backend/config.py`` and ``keras/src/utils/io_utils.py``.
``floatx``, ``epsilon`` and ``image_data_format`` are process-wide and
survive :func:`r_bridge.clear_session`; the interactive-logging and
traceback-filtering flags, the dtype policy and the global random seed are
session state and go back to their defaults when the session is cleared.
"""

from __future__ import annotations

import numbers
import random

import numpy as np

from r_bridge import state

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_FLOATX_VALUES = ("bfloat16", "float16", "float32", "float64")
_DATA_FORMATS = ("channels_first", "channels_last")
_POLICIES = _FLOATX_VALUES + ("mixed_float16", "mixed_bfloat16")


def _set_repr(values) -> str:
    return "{" + ", ".join(repr(v) for v in values) + "}"


def backend() -> str:
    """The name of the backend: always ``"numpy"`` (forward passes run in numpy)."""
    return "numpy"


def floatx() -> str:
    """The default float type, e.g. ``"float32"``."""
    return _FLOATX


def set_floatx(value) -> None:
    """Set the default float type: one of bfloat16, float16, float32, float64."""
    global _FLOATX
    if value not in _FLOATX_VALUES:
        raise ValueError(
            f"Unknown `floatx` value: {value}. Expected one of {_set_repr(_FLOATX_VALUES)}"
        )
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (default ``1e-7``)."""
    return _EPSILON


def set_epsilon(value) -> None:
    """Set the fuzz factor: a finite, non-negative real number.

    (Keras accepts anything here; r_bridge rejects values that would break
    arithmetic later, with a message naming the argument.)
    """
    global _EPSILON
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
        raise TypeError(f"`value` must be a finite, non-negative number. Received: value={value!r}")
    _EPSILON = float(value)


def image_data_format() -> str:
    """``"channels_last"`` (default) or ``"channels_first"``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format) -> None:
    """Set the image data format: ``"channels_first"`` or ``"channels_last"``
    (case-insensitive, as in Keras)."""
    global _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()  # as Keras: "Channels_First" is accepted
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {_set_repr(_DATA_FORMATS)}. "
            f"Received: data_format={data_format}"
        )
    _IMAGE_DATA_FORMAT = data_format


def dtype_policy() -> str:
    """The session's dtype policy name; by default the one implied by floatx."""
    return state.get_global_attribute("dtype_policy") or _FLOATX


def set_dtype_policy(policy) -> None:
    """Set the session's dtype policy (reset by ``clear_session()``)."""
    if policy not in _POLICIES:
        raise ValueError(f"Invalid dtype policy: {policy!r}. Expected one of {_set_repr(_POLICIES)}")
    state.set_global_attribute("dtype_policy", policy)


def enable_interactive_logging() -> None:
    """Turn interactive logging (progress bars) on (the default)."""
    state.set_global_attribute("interactive_logging", True)


def disable_interactive_logging() -> None:
    """Turn interactive logging off, until enabled again or the session is cleared."""
    state.set_global_attribute("interactive_logging", False)


def is_interactive_logging_enabled() -> bool:
    """Whether interactive logging is on (``True`` in a fresh session)."""
    return state.get_global_attribute("interactive_logging", True)


def enable_traceback_filtering() -> None:
    """Turn traceback filtering on (the default)."""
    state.set_global_attribute("traceback_filtering", True)


def disable_traceback_filtering() -> None:
    """Turn traceback filtering off, until enabled again or the session is cleared."""
    state.set_global_attribute("traceback_filtering", False)


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (``True`` in a fresh session)."""
    return state.get_global_attribute("traceback_filtering", True)


def set_random_seed(seed) -> None:
    """Seed Python's ``random``, numpy's global generator and the session's
    generator (used by ``Dense`` initializers and ``Dropout``)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(
            "Expected `seed` argument to be an integer. "
            f"Received: seed={seed} (of type {type(seed)})"
        )
    seed = int(seed)
    state.set_global_attribute("global_random_seed", seed)
    state.set_global_attribute("global_seed_generator", np.random.default_rng(seed))
    random.seed(seed)
    np.random.seed(seed % 2**32)


def rng() -> np.random.Generator:
    """The session's random generator (seeded by :func:`set_random_seed`)."""
    gen = state.get_global_attribute("global_seed_generator")
    if gen is None:
        seed = state.get_global_attribute("global_random_seed")
        gen = np.random.default_rng(seed)
        state.set_global_attribute("global_seed_generator", gen)
    return gen


# Plain-value access by name, for r_bridge.api and session_info().
_GETTERS = {
    "floatx": floatx,
    "epsilon": epsilon,
    "image_data_format": image_data_format,
    "backend": backend,
    "interactive_logging": is_interactive_logging_enabled,
    "traceback_filtering": is_traceback_filtering_enabled,
    "dtype_policy": dtype_policy,
}


def _set_flag(enable, disable):
    def setter(value):
        if not isinstance(value, bool):
            raise TypeError(f"`value` must be a bool (True or False). Received: value={value!r}")
        (enable if value else disable)()

    return setter


_SETTERS = {
    "floatx": set_floatx,
    "epsilon": set_epsilon,
    "image_data_format": set_image_data_format,
    "interactive_logging": _set_flag(enable_interactive_logging, disable_interactive_logging),
    "traceback_filtering": _set_flag(enable_traceback_filtering, disable_traceback_filtering),
    "dtype_policy": set_dtype_policy,
}


def get(name: str):
    """Read the setting ``name`` (see ``as_dict()`` for the names)."""
    if name not in _GETTERS:
        raise ValueError(f"Unknown setting: {name!r}. Expected one of {_set_repr(_GETTERS)}")
    return _GETTERS[name]()


def set(name: str, value):  # noqa: A001 - mirrors get()
    """Change the setting ``name``; returns the previous value."""
    if name not in _SETTERS:
        if name in _GETTERS:
            raise ValueError(f"Setting {name!r} is read-only.")
        raise ValueError(f"Unknown setting: {name!r}. Expected one of {_set_repr(_SETTERS)}")
    old = get(name)
    _SETTERS[name](value)
    return old


def as_dict() -> dict:
    """Every setting by name, as plain values."""
    return {name: fn() for name, fn in _GETTERS.items()}
