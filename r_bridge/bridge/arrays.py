"""Arrays as buffers: for hosts whose own converter can't hand NumPy arrays over.

reticulate 1.28 is built for NumPy 1's C API and refuses NumPy 2 in both
directions. For such a host, an array crosses as one plain dict
``{ARRAY: bytearray, "dim": [...]}``: the raw bytes of its float64 values
in R's column-major order, which both sides read without a loop over
elements. This is the one place where R's column-major order meets
NumPy's row-major order: the bytes are always column-major ("F").
NaN, Inf and R's NA (a NaN payload) travel bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from r_bridge import tree

ARRAY = "__rbridge_array__"
_F64 = np.dtype("<f8")
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _holds_no_array(value: object) -> bool:
    """Whether ``value`` is a scalar, or a dict or list of scalars and of
    dicts or lists of scalars: what most calls pass and return (a layer's
    arguments, a record), decided without the walk (which costs 5x the
    dispatcher's own time on clear_session()). Anything else is walked."""
    if type(value) in _SCALARS:
        return True
    if type(value) is dict:
        items: Iterable[object] = value.values()
    elif type(value) is list:
        items = value
    else:
        return False
    for item in items:
        if type(item) in _SCALARS:
            continue
        if type(item) is dict:
            inner: Iterable[object] = item.values()
        elif type(item) is list:
            inner = item
        else:
            return False
        if not _SCALARS.issuperset(map(type, inner)):
            return False
    return True


def _is_encoded(value: object) -> bool:
    return isinstance(value, dict) and ARRAY in value


def _decode_leaf(value: object) -> object:
    if not _is_encoded(value):
        return value
    dims = value["dim"]  # type: ignore[index]
    dims = [dims] if isinstance(dims, int) else [int(d) for d in dims]
    flat = np.frombuffer(value[ARRAY], dtype=_F64)  # type: ignore[index]  # no copy
    return flat.reshape(dims, order="F")


def decode(value: object) -> object:
    """Arrays encoded by the host, inside ``value`` (dicts and lists), as ndarrays."""
    if _holds_no_array(value):
        return value
    return tree.map_structure(_decode_leaf, value, is_leaf=_is_encoded)


def _encode_leaf(value: object) -> object:
    if not isinstance(value, np.ndarray):
        return value
    buf = bytearray(value.size * 8)
    np.frombuffer(buf, dtype=_F64).reshape(value.shape, order="F")[...] = value  # one copy
    return {ARRAY: buf, "dim": list(value.shape)}


def encode(value: object) -> object:
    """ndarrays inside ``value`` (dicts, lists, tuples) as buffer dicts."""
    if _holds_no_array(value):
        return value
    return tree.map_structure(_encode_leaf, value)
