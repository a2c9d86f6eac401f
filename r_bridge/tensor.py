"""Symbolic tensors and the nodes that record how they were computed.

A :class:`KerasTensor` points to the :class:`Node` that produced it; a node
points to its layer and input tensors. Nothing points back (layers do not
list their nodes, nodes do not list their outputs), so a graph is a tree of
strong references from outputs to inputs, freed by reference counting
alone as soon as the user drops it: no reference cycles, no work for the
cycle collector.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from r_bridge.naming import auto_name, validate_name

if TYPE_CHECKING:  # for hints only: layers import this module
    from r_bridge.layers.layer import Layer


def standardize_shape(shape: Any) -> tuple[int | None, ...]:
    """A tuple of positive ints or ``None``; Keras's message otherwise."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(f"Cannot convert '{shape!s:.200}' to a shape.")
    out: list[int | None] = []
    for d in shape:
        if d is None:
            out.append(None)
            continue
        try:
            ok = not isinstance(d, (str, float, bool)) and int(d) == d
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ValueError(
                f"Cannot convert '{tuple(shape)!s:.200}' to a shape. "
                f"Found invalid dimension '{d!s:.100}' of type '{type(d)}'. "
            )
        if int(d) < 0:
            raise ValueError(
                f"Cannot convert '{tuple(shape)!s:.200}' to a shape. Negative dimensions are not allowed."
            )
        out.append(int(d))
    return tuple(out)


class Node:
    """One call of ``layer`` on ``inputs`` (a list of :class:`KerasTensor`).

    ``arguments``, when set, is the call's ``(args, kwargs)`` as given (the
    tensors among them are ``inputs``): a model runs the node with the same
    structure (a merge layer's list, a keyword argument); ``None`` means
    ``layer(*inputs)``.
    """

    __slots__ = ("layer", "inputs", "arguments", "__weakref__")

    def __init__(
        self,
        layer: Layer,
        inputs: Iterable[KerasTensor] = (),
        arguments: tuple[tuple, dict] | None = None,
    ):
        self.layer = layer
        self.inputs = list(inputs)
        self.arguments = arguments


class KerasTensor:
    """A symbolic tensor: a shape (``None`` for unknown sizes), a dtype and a name.

    Without an explicit ``name`` (or with ``""``) it is auto-named ``keras_tensor``,
    ``keras_tensor_1``, ... (consuming the session's counter, as Keras does).
    """

    __slots__ = ("shape", "dtype", "name", "_node", "__weakref__")

    def __init__(
        self,
        shape: Iterable[int | None],
        dtype: str = "float32",
        name: str | None = None,
        node: Node | None = None,
    ):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = validate_name(name) if name else auto_name("KerasTensor")
        self._node = node

    # r_bridge's tensors are dense numpy arrays: never sparse nor ragged.
    sparse = False
    ragged = False

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def _keras_history(self):
        """``(layer, node)`` that produced this tensor (Keras's name for it)."""
        return (self._node.layer, self._node) if self._node is not None else None

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    # ------------------------------------------------------------ operators
    # Each records an op node (r_bridge.ops, imported on use: ops builds on
    # this module), exactly as Keras's KerasTensor does; ``==`` stays
    # identity (Keras defines ``!=`` but not ``==``).

    def __add__(self, other):
        from r_bridge import ops

        return ops.add(self, other)

    def __radd__(self, other):
        from r_bridge import ops

        return ops.add(other, self)

    def __sub__(self, other):
        from r_bridge import ops

        return ops.subtract(self, other)

    def __rsub__(self, other):
        from r_bridge import ops

        return ops.subtract(other, self)

    def __mul__(self, other):
        from r_bridge import ops

        return ops.multiply(self, other)

    def __rmul__(self, other):
        from r_bridge import ops

        return ops.multiply(other, self)

    def __matmul__(self, other):
        from r_bridge import ops

        return ops.matmul(self, other)

    def __rmatmul__(self, other):
        from r_bridge import ops

        return ops.matmul(other, self)

    def __truediv__(self, other):
        from r_bridge import ops

        return ops.true_divide(self, other)

    def __rtruediv__(self, other):
        from r_bridge import ops

        return ops.true_divide(other, self)

    def __floordiv__(self, other):
        from r_bridge import ops

        return ops.floor_divide(self, other)

    def __rfloordiv__(self, other):
        from r_bridge import ops

        return ops.floor_divide(other, self)

    def __mod__(self, other):
        from r_bridge import ops

        return ops.mod(self, other)

    def __rmod__(self, other):
        from r_bridge import ops

        return ops.mod(other, self)

    def __pow__(self, other):
        from r_bridge import ops

        return ops.power(self, other)

    def __rpow__(self, other):
        from r_bridge import ops

        return ops.power(other, self)

    def __lt__(self, other):
        from r_bridge import ops

        return ops.less(self, other)

    def __le__(self, other):
        from r_bridge import ops

        return ops.less_equal(self, other)

    def __gt__(self, other):
        from r_bridge import ops

        return ops.greater(self, other)

    def __ge__(self, other):
        from r_bridge import ops

        return ops.greater_equal(self, other)

    def __ne__(self, other):
        from r_bridge import ops

        return ops.not_equal(self, other)

    def __and__(self, other):
        from r_bridge import ops

        return ops.logical_and(self, other)

    def __rand__(self, other):
        from r_bridge import ops

        return ops.logical_and(other, self)

    def __or__(self, other):
        from r_bridge import ops

        return ops.logical_or(self, other)

    def __ror__(self, other):
        from r_bridge import ops

        return ops.logical_or(other, self)

    def __xor__(self, other):
        from r_bridge import ops

        return ops.logical_xor(self, other)

    def __rxor__(self, other):
        from r_bridge import ops

        return ops.logical_xor(other, self)

    def __neg__(self):
        from r_bridge import ops

        return ops.negative(self)

    def __abs__(self):
        from r_bridge import ops

        return ops.absolute(self)

    def __invert__(self):
        from r_bridge import ops

        return ops.logical_not(self)

    def __getitem__(self, key):
        from r_bridge import ops

        return ops.get_item(self, key)

    __hash__ = object.__hash__  # defining __ne__ must not make tensors unhashable

    def __iter__(self):
        raise NotImplementedError("Iterating over a symbolic KerasTensor is not supported.")

    def __bool__(self):
        raise TypeError("A symbolic KerasTensor cannot be used as a boolean.")

    def __array__(self, dtype=None, copy=None):
        raise ValueError(
            "A KerasTensor is symbolic: it's a placeholder for a shape "
            "an a dtype. It doesn't have any actual numerical value. "
            "You cannot convert it to a NumPy array."
        )

    def reshape(self, newshape: int | tuple[int, ...]) -> KerasTensor:
        from r_bridge import ops

        return ops.reshape(self, newshape)

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> KerasTensor:
        from r_bridge import ops

        return ops.squeeze(self, axis)
