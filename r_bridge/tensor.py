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
from typing import TYPE_CHECKING

from r_bridge.naming import auto_name, validate_name

if TYPE_CHECKING:  # for hints only: layers import this module
    from r_bridge.layers.layer import Layer


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
