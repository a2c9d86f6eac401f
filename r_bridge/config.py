"""Settings: floatx, epsilon, image data format, backend, dtype policy,
logging and traceback flags; the checks of ``dtype`` and ``data_format``.

Mirrors ``keras/src/backend/config.py`` and ``keras/src/utils/io_utils.py``.
``floatx``, ``epsilon`` and ``image_data_format`` are process-wide and
survive :func:`r_bridge.clear_session`; the interactive-logging and
traceback-filtering flags, the dtype policy and the global random seed are
session state and go back to their defaults when the session is cleared.
"""

from __future__ import annotations

import math
import numbers

from r_bridge import state
from r_bridge.messages import shown

# Session-state keys written by this module.
INTERACTIVE_LOGGING = "interactive_logging"
TRACEBACK_FILTERING = "traceback_filtering"
DTYPE_POLICY = "dtype_policy"

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_FLOATX_VALUES = ("bfloat16", "float16", "float32", "float64")
_DATA_FORMATS = ("channels_first", "channels_last")
_POLICIES = _FLOATX_VALUES + ("mixed_float16", "mixed_bfloat16")
_DTYPES = _FLOATX_VALUES + (
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "bool",
    "complex64",
    "complex128",
)


def _set_repr(values) -> str:
    return "{" + ", ".join(repr(v) for v in values) + "}"


def backend() -> str:
    """The name of the backend: always ``"numpy"`` (forward passes run in numpy)."""
    return "numpy"


def floatx() -> str:
    """The default float type, e.g. ``"float32"``."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float type: one of bfloat16, float16, float32, float64."""
    global _FLOATX
    if value not in _FLOATX_VALUES:
        raise ValueError(
            f"Unknown `floatx` value: {shown(value)}. Expected one of {_set_repr(_FLOATX_VALUES)}"
        )
    _FLOATX = str(value)


def epsilon() -> float:
    """The fuzz factor used in numeric expressions (default ``1e-7``)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    """Set the fuzz factor: a finite, non-negative real number.

    (Keras accepts anything here; r_bridge rejects values that would break
    arithmetic later, with a message naming the argument.)
    """
    global _EPSILON
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real)
    try:
        ok = ok and math.isfinite(float(value)) and value >= 0
    except OverflowError:  # an int too large for a float
        ok = False
    if not ok:
        raise TypeError(
            f"`value` must be a finite, non-negative number. Received: value={shown(value, conversion='r')}"
        )
    _EPSILON = float(value)


def image_data_format() -> str:
    """``"channels_last"`` (default) or ``"channels_first"``."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format: str) -> None:
    """Set the image data format: ``"channels_first"`` or ``"channels_last"``
    (case-insensitive, as in Keras)."""
    global _IMAGE_DATA_FORMAT
    # As Keras: None is not a format here (str(None) is rejected).
    _IMAGE_DATA_FORMAT = standardize_data_format(str(data_format))


def standardize_data_format(data_format: str | None) -> str:
    """``None`` -> :func:`image_data_format`; else ``"channels_first"`` or
    ``"channels_last"``, case-insensitive (Keras's rules and message)."""
    if data_format is None:
        return _IMAGE_DATA_FORMAT
    data_format = str(data_format).lower()
    if data_format not in _DATA_FORMATS:
        raise ValueError(
            f"The `data_format` argument must be one of {_set_repr(_DATA_FORMATS)}. "
            f"Received: data_format={shown(data_format)}"
        )
    return data_format


def dtype_policy() -> str:
    """The session's dtype policy name; by default the one implied by floatx."""
    return state.get_global_attribute(DTYPE_POLICY) or _FLOATX


def set_dtype_policy(policy: str) -> None:
    """Set the session's dtype policy (reset by ``clear_session()``)."""
    check_dtype_policy(policy)
    state.set_global_attribute(DTYPE_POLICY, policy)


def check_dtype_policy(policy: str) -> str:
    """``policy`` if it is a dtype policy r_bridge knows."""
    if policy not in _POLICIES:
        raise ValueError(
            f"Invalid dtype policy: {shown(policy, conversion='r')}. Expected one of {_set_repr(_POLICIES)}"
        )
    return policy


def serialize_dtype_policy(policy: str) -> dict:
    """A dtype policy name as Keras writes a ``DTypePolicy`` in a config."""
    return {
        "module": "keras",
        "class_name": "DTypePolicy",
        "config": {"name": policy},
        "registered_name": None,
    }


def deserialize_dtype_policy(obj: object) -> str:
    """The policy name of a serialized ``DTypePolicy`` (or of a name).

    Keras's quantized policies (``QuantizedDTypePolicy``, ...) cannot be
    represented: a ``ValueError`` says so."""
    if isinstance(obj, dict):
        cls = obj.get("class_name")
        inner = obj.get("config") or {}
        if cls not in ("DTypePolicy", "FloatDTypePolicy") or not isinstance(inner, dict):
            raise ValueError(
                f"Cannot interpret the dtype policy {shown(cls)}: quantized dtype policies "
                "(quantization) are not supported by r_bridge."
            )
        obj = inner.get("name")
    if obj is None:
        return dtype_policy()
    return standardize_dtype(obj)  # type: ignore[arg-type,return-value]


def check_tensor_dtype(dtype: str | None) -> str | None:
    """A tensor's ``dtype`` (``None`` or a dtype name, not a policy), with
    Keras's message (``Input(dtype=...)``)."""
    if dtype is not None and (not isinstance(dtype, str) or dtype not in _DTYPES):
        raise ValueError(f"Invalid dtype: {shown(dtype)}")
    return dtype


def standardize_dtype(dtype: str | None) -> str | None:
    """A layer's ``dtype`` argument: ``None``, a dtype name or a mixed
    policy name, checked with Keras's messages."""
    if dtype is None:
        return None
    if not isinstance(dtype, str):
        raise ValueError(
            "Cannot interpret `dtype` argument. Expected a string "
            f"or an instance of DTypePolicy. Received: dtype={shown(dtype, conversion='r')}"
        )
    if dtype not in _DTYPES and dtype not in _POLICIES:
        raise ValueError(
            f"Cannot convert '{shown(dtype)}' to a mixed precision "
            "DTypePolicy. Valid policies include 'mixed_float16', "
            "'mixed_bfloat16', and the name of any float dtype such as "
            "'float32'."
        )
    return dtype


def enable_interactive_logging() -> None:
    """Turn interactive logging (progress bars) on (the default)."""
    state.set_global_attribute(INTERACTIVE_LOGGING, True)


def disable_interactive_logging() -> None:
    """Turn interactive logging off, until enabled again or the session is cleared."""
    state.set_global_attribute(INTERACTIVE_LOGGING, False)


def is_interactive_logging_enabled() -> bool:
    """Whether interactive logging is on (``True`` in a fresh session)."""
    return state.get_global_attribute(INTERACTIVE_LOGGING, True)


def enable_traceback_filtering() -> None:
    """Turn traceback filtering on (the default)."""
    state.set_global_attribute(TRACEBACK_FILTERING, True)


def disable_traceback_filtering() -> None:
    """Turn traceback filtering off, until enabled again or the session is cleared."""
    state.set_global_attribute(TRACEBACK_FILTERING, False)


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on (``True`` in a fresh session)."""
    return state.get_global_attribute(TRACEBACK_FILTERING, True)


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


def get(name: str) -> object:
    """Read the setting ``name`` (see ``as_dict()`` for the names)."""
    if name not in _GETTERS:
        raise ValueError(
            f"Unknown setting: {shown(name, conversion='r')}. Expected one of {_set_repr(_GETTERS)}"
        )
    return _GETTERS[name]()


def set(name: str, value: object) -> object:  # noqa: A001 - mirrors get()
    """Change the setting ``name``; returns the previous value."""
    if name not in _SETTERS:
        if name in _GETTERS:
            raise ValueError(f"Setting {name!r} is read-only.")
        raise ValueError(
            f"Unknown setting: {shown(name, conversion='r')}. Expected one of {_set_repr(_SETTERS)}"
        )
    old = get(name)
    _SETTERS[name](value)
    return old


def as_dict() -> dict:
    """Every setting by name, as plain values."""
    return {name: fn() for name, fn in _GETTERS.items()}
