"""Symbolic tensors and the nodes that record how they were computed.

A :class:`KerasTensor` points to the :class:`Node` that produced it; a node
points to its layer and input tensors. Nothing points back (layers do not
list their nodes, nodes do not list their outputs), so a graph is a tree of
strong references from outputs to inputs, freed by reference counting
alone as soon as the user drops it: no reference cycles, no work for the
cycle collector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from r_bridge.messages import shown
from r_bridge.naming import auto_name, validate_name

if TYPE_CHECKING:  # for hints only: layers import this module
    from r_bridge.layers.layer import Layer


def standardize_shape(shape: Any) -> tuple[int | None, ...]:
    """A tuple of positive ints or ``None``; Keras's message otherwise."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(f"Cannot convert '{shown(shape)}' to a shape.")
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
                f"Cannot convert '{shown(tuple(shape))}' to a shape. "
                f"Found invalid dimension '{shown(d)}' of type '{type(d)}'. "
            )
        if int(d) < 0:
            raise ValueError(
                f"Cannot convert '{shown(tuple(shape))}' to a shape. Negative dimensions are not allowed."
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


# The functions behind KerasTensor's operators and methods, by op name:
# registered by r_bridge.ops when it is imported (``import r_bridge`` does).
OPERATIONS: dict[str, Callable[..., Any]] = {}


def _binary(op: str, reflected: bool = False) -> Callable[[KerasTensor, Any], Any]:
    if reflected:

        def method(self: KerasTensor, other: Any) -> Any:
            return OPERATIONS[op](other, self)
    else:

        def method(self: KerasTensor, other: Any) -> Any:
            return OPERATIONS[op](self, other)

    method.__name__ = f"__r{op}__" if reflected else f"__{op}__"
    return method


def _unary(op: str) -> Callable[[KerasTensor], Any]:
    def method(self: KerasTensor) -> Any:
        return OPERATIONS[op](self)

    method.__name__ = f"__{op}__"
    return method


class KerasTensor:
    """A symbolic tensor: a shape (``None`` for unknown sizes), a dtype and a name.

    Without an explicit ``name`` (or with ``""``) it is auto-named ``keras_tensor``,
    ``keras_tensor_1``, ... (consuming the session's counter, as Keras does).
    """

    __slots__ = ("shape", "dtype", "name", "_node", "_index", "__weakref__")

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
        # Which of its call's outputs this is (flat order), ``None`` for the
        # one output of a call: a call with several outputs is one node.
        self._index: int | None = None

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
    # Each records an op node, exactly as Keras's KerasTensor does, through
    # the functions r_bridge.ops registers in OPERATIONS (ops builds on this
    # module: the import points one way); ``==`` stays identity (Keras
    # defines ``!=`` but not ``==``).
    __add__, __radd__ = _binary("add"), _binary("add", reflected=True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", reflected=True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", reflected=True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", reflected=True)
    __truediv__, __rtruediv__ = _binary("true_divide"), _binary("true_divide", reflected=True)
    __floordiv__, __rfloordiv__ = _binary("floor_divide"), _binary("floor_divide", reflected=True)
    __mod__, __rmod__ = _binary("mod"), _binary("mod", reflected=True)
    __pow__, __rpow__ = _binary("power"), _binary("power", reflected=True)
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    __ne__ = _binary("not_equal")
    __and__, __rand__ = _binary("logical_and"), _binary("logical_and", reflected=True)
    __or__, __ror__ = _binary("logical_or"), _binary("logical_or", reflected=True)
    __xor__, __rxor__ = _binary("logical_xor"), _binary("logical_xor", reflected=True)
    __neg__, __abs__, __invert__ = _unary("negative"), _unary("absolute"), _unary("logical_not")
    __getitem__ = _binary("get_item")

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
        return OPERATIONS["reshape"](self, newshape)

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> KerasTensor:
        return OPERATIONS["squeeze"](self, axis)
