"""Nested structures of tensors (lists, tuples, dicts), as Keras's ``tree``.

Leaves are anything else (``None`` included). Dicts are walked in sorted key
order, so a dict of inputs lines up with Keras's flat order.
"""

from __future__ import annotations


def _children(x):
    if isinstance(x, dict):
        return [(k, x[k]) for k in sorted(x)]
    if isinstance(x, (list, tuple)):
        return list(enumerate(x))
    return None


def flatten_with_path(x, prefix=()):
    """``[(path, leaf), ...]``; a path is a tuple of keys and indices."""
    kids = _children(x)
    if kids is None:
        return [(prefix, x)]
    out = []
    for key, child in kids:
        out.extend(flatten_with_path(child, prefix + (key,)))
    return out


def flatten(x) -> list:
    """The leaves of ``x`` in order."""
    return [leaf for _, leaf in flatten_with_path(x)]


def _build(s, it):
    # Module-level recursion: a recursive closure would be a reference cycle
    # holding the leaves (tensors) until the cycle collector runs.
    if isinstance(s, dict):
        values = {k: _build(s[k], it) for k in sorted(s)}
        return {k: values[k] for k in s}
    if isinstance(s, (list, tuple)):
        return type(s)(_build(c, it) for c in s)
    return next(it)


def pack_sequence_as(structure, flat):
    """``structure`` with its leaves replaced, in order, by ``flat``."""
    return _build(structure, iter(flat))


def map_structure(fn, x):
    """``x`` with ``fn`` applied to every leaf."""
    return pack_sequence_as(x, [fn(leaf) for leaf in flatten(x)])


def same_structure(a, b) -> bool:
    """Whether ``a`` and ``b`` nest alike (lists and tuples count as equal)."""
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or set(a) != set(b):
            return False
        return all(same_structure(a[k], b[k]) for k in a)
    seq_a, seq_b = isinstance(a, (list, tuple)), isinstance(b, (list, tuple))
    if seq_a or seq_b:
        return seq_a and seq_b and len(a) == len(b) and all(map(same_structure, a, b))
    return True
