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

import numpy as np

from r_bridge import tree

ARRAY = "__rbridge_array__"
_F64 = np.dtype("<f8")


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
    if tree.is_shallow_plain(value):  # (most calls: no walk, 5x the dispatcher's own time)
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
    if tree.is_shallow_plain(value):
        return value
    return tree.map_structure(_encode_leaf, value)
