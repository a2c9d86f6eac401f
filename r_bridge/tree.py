"""Nested structures (lists, tuples, dicts), as Keras's ``tree``: the one
module that walks them.

Leaves are anything else (``None`` included). One rule for dicts: they are
walked in sorted key order (Keras's flat order; keys that cannot be
compared: in their own order), and rebuilt in their own key order. One rule for shapes: a list or tuple of ``int`` (numpy integers
included) or ``None`` is a shape, a leaf for the ``*_shape*`` functions.
Imports nothing of ours (the lowest level).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

#: A leaf (anything but a list, tuple or dict), or a list, tuple or dict of
#: structures: no narrower type fits what a user can pass.
Structure = Any
#: A leaf's position: the keys and indices that lead to it.
Path = tuple[Any, ...]

_NO_LEAF: Callable[[Any], bool] = lambda x: False  # noqa: E731


def is_nested(x: Structure) -> bool:
    """Whether ``x`` is a list, tuple or dict (not a leaf)."""
    return isinstance(x, (list, tuple, dict))


#: The types of plain scalars (what a host sends and receives as they are).
SCALARS = frozenset({str, int, float, bool, type(None)})


def _dict_or_list_items(x: object) -> Iterable[Any] | None:
    # Exact types: a subclass may hold anything.
    if type(x) is dict:
        return x.values()
    if type(x) is list:
        return x
    return None


def is_shallow_plain(x: Structure) -> bool:
    """Whether ``x`` is a scalar, or a dict or list of scalars and of dicts
    or lists of scalars (a layer's arguments, a record): decided in two
    levels, without a walk. Anything deeper answers ``False``."""
    if type(x) in SCALARS:
        return True
    items = _dict_or_list_items(x)
    if items is None:
        return False
    for item in items:
        if type(item) in SCALARS:
            continue
        inner = _dict_or_list_items(item)
        if inner is None or not SCALARS.issuperset(map(type, inner)):
            return False
    return True


def is_shape(x: object) -> bool:
    """Whether ``x`` is a shape: a list or tuple of ints (numpy's too) or ``None``."""
    return isinstance(x, (list, tuple)) and all(d is None or isinstance(d, (int, np.integer)) for d in x)


def _keys(d: dict) -> list:
    """A dict's keys in flat order: sorted, or as they are if they cannot
    be compared (as optree, under Keras)."""
    try:
        return sorted(d)
    except TypeError:
        return list(d)


def _children(x: Structure) -> list[tuple[Any, Structure]] | None:
    if isinstance(x, dict):
        return [(k, x[k]) for k in _keys(x)]
    if isinstance(x, (list, tuple)):
        return list(enumerate(x))
    return None


def flatten_with_path(
    x: Structure, prefix: Path = (), is_leaf: Callable[[Any], bool] = _NO_LEAF
) -> list[tuple[Path, Any]]:
    """``[(path, leaf), ...]``; a path is a tuple of keys and indices.
    ``is_leaf(x)`` true stops the walk at ``x``."""
    kids = None if is_leaf(x) else _children(x)
    if kids is None:
        return [(prefix, x)]
    out: list[tuple[Path, Any]] = []
    for key, child in kids:
        out.extend(flatten_with_path(child, prefix + (key,), is_leaf))
    return out


def flatten(x: Structure, is_leaf: Callable[[Any], bool] = _NO_LEAF) -> list[Any]:
    """The leaves of ``x`` in order (dicts by sorted key)."""
    if not isinstance(x, (list, tuple, dict)):
        return [x]
    return [leaf for _, leaf in flatten_with_path(x, is_leaf=is_leaf)]


def _build(s: Structure, it: Iterator[Any], is_leaf: Callable[[Any], bool]) -> Structure:
    # Module-level recursion: a recursive closure would be a reference cycle
    # holding the leaves (tensors) until the cycle collector runs.
    if is_leaf(s):
        return next(it)
    if isinstance(s, dict):
        values = {k: _build(s[k], it, is_leaf) for k in _keys(s)}
        return {k: values[k] for k in s}
    if isinstance(s, (list, tuple)):
        return type(s)(_build(c, it, is_leaf) for c in s)
    return next(it)


def pack_sequence_as(
    structure: Structure, flat: Iterable[Any], is_leaf: Callable[[Any], bool] = _NO_LEAF
) -> Structure:
    """``structure`` with its leaves replaced, in order, by ``flat``."""
    return _build(structure, iter(flat), is_leaf)


def map_structure(
    fn: Callable[[Any], Any], x: Structure, is_leaf: Callable[[Any], bool] = _NO_LEAF
) -> Structure:
    """``x`` with ``fn`` applied to every leaf (in flat order)."""
    if not isinstance(x, (list, tuple, dict)) or is_leaf(x):
        return fn(x)
    return pack_sequence_as(x, [fn(leaf) for leaf in flatten(x, is_leaf)], is_leaf)


def flatten_shapes(shapes: Structure) -> list[Any]:
    """The shapes in a structure of shapes, in order (see :func:`is_shape`)."""
    return flatten(shapes, is_shape)


def map_shape_structure(fn: Callable[[Any], Any], shapes: Structure) -> Structure:
    """``fn`` applied to every shape of a structure of shapes (Keras's
    ``tree.map_shape_structure``)."""
    return map_structure(fn, shapes, is_shape)


def same_structure(a: Structure, b: Structure) -> bool:
    """Whether ``a`` and ``b`` nest alike (lists and tuples count as equal)."""
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            return False
        return all(same_structure(a[k], b[k]) for k in a)
    seq_a, seq_b = isinstance(a, (list, tuple)), isinstance(b, (list, tuple))
    if seq_a or seq_b:
        return seq_a and seq_b and len(a) == len(b) and all(map(same_structure, a, b))
    return True
