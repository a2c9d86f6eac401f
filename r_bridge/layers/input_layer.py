"""``InputLayer`` and ``Input()``: the layer that owns a graph's input tensor."""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Sequence
from typing import Any

from r_bridge import config
from r_bridge.layers.layer import Layer
from r_bridge.messages import shown
from r_bridge.naming import atomic, auto_name
from r_bridge.tensor import KerasTensor, Node, standardize_shape


class InputLayer(Layer):
    """Holds the input tensor of a graph (``shape`` excludes the batch size).

    Args (Keras's): ``shape``, ``batch_size``, ``dtype``, ``sparse``,
    ``ragged``, ``batch_shape``, ``input_tensor`` (an existing
    :class:`KerasTensor` to adopt), ``optional`` (the input may be ``None``),
    ``name``; legacy ``input_shape`` (warns) and ``batch_input_shape``.
    ``sparse=True`` and ``ragged=True`` are rejected (numpy backend), with
    Keras's messages.

    The layer keeps only a weak reference to its output tensor (the tensor
    references the layer through its node); when that tensor has been freed
    and is needed again, an equivalent one with the same name is made, so
    names are never consumed twice.
    """

    def __init__(
        self,
        shape: Sequence[int | None] | None = None,
        batch_size: int | None = None,
        dtype: str | None = None,
        sparse: bool | None = None,
        ragged: bool | None = None,
        batch_shape: Sequence[int | None] | None = None,
        input_tensor: KerasTensor | None = None,
        optional: bool = False,
        name: str | None = None,
        **kwargs: Any,
    ):
        if "input_shape" in kwargs:
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.", stacklevel=2)
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        dtype = config.check_tensor_dtype(dtype)
        if input_tensor is not None:
            batch_shape = _adopted_shape(input_tensor, shape, batch_size, batch_shape, dtype, sparse)
            dtype = input_tensor.dtype
        else:
            if shape is not None and batch_shape is not None:
                raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
            if batch_size is not None and batch_shape is not None:
                raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the same time.")
            if shape is None and batch_shape is None:
                raise ValueError("You must pass a `shape` argument.")
            if shape is not None:
                batch_shape = (batch_size,) + standardize_shape(shape)
        batch_shape = standardize_shape(batch_shape)
        for flag, value in (("sparse", sparse), ("ragged", ragged)):
            if value:
                raise ValueError(f"`{flag}=True` is not supported with the {config.backend()} backend")
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.batch_shape = batch_shape
        self.sparse = False
        self.ragged = False
        self.optional = bool(optional)
        self.built = True
        self._output_shape = batch_shape
        self._output_ref = None
        if input_tensor is not None:  # adopt it: it becomes this layer's output
            input_tensor._node = Node(self)
            self._output_name = input_tensor.name
            self._output_ref = weakref.ref(input_tensor)
        else:  # name the tensor now (Keras does), make it when asked for
            self._output_name = name or auto_name("KerasTensor")

    @property
    def output(self) -> KerasTensor:
        """The input tensor of this layer (same name every time)."""
        out = self._output_ref() if self._output_ref is not None else None
        if out is None:
            out = KerasTensor(self.batch_shape, dtype=self.dtype, name=self._output_name, node=Node(self))
            self._output_ref = weakref.ref(out)
        return out

    def get_config(self) -> dict[str, Any]:
        """Keras's InputLayer config (a plain dtype name, no ``trainable``)."""
        return {
            "batch_shape": self.batch_shape,
            "dtype": self.dtype,
            "sparse": self.sparse,
            "ragged": self.ragged,
            "name": self.name,
            "optional": self.optional,
        }

    def call(self) -> None:
        """An input layer computes nothing (Keras's ``InputLayer.call()``)."""
        return None

    def compute_output_shape(self, input_shape: object) -> tuple[int | None, ...]:
        return self.batch_shape


def _adopted_shape(tensor, shape, batch_size, batch_shape, dtype, sparse):
    """The batch shape of an ``input_tensor``, after Keras's consistency checks."""
    if not isinstance(tensor, KerasTensor):
        raise ValueError(
            "Argument `input_tensor` must be a KerasTensor. "
            f"Received invalid type: input_tensor={shown(tensor, conversion='r')} (of type {type(tensor)})"
        )

    def incompatible(arg):
        return ValueError(
            f"When providing the `input_tensor` argument, you cannot provide an incompatible `{arg}` argument."
        )

    if batch_size is not None and (len(tensor.shape) < 1 or tensor.shape[0] != batch_size):
        raise incompatible("batch_size")
    if shape is not None and tuple(shape) != tensor.shape[1:]:
        raise incompatible("shape")
    if batch_shape is not None and tuple(batch_shape) != tensor.shape:
        raise incompatible("batch_shape")
    if dtype is not None and tensor.dtype != dtype:
        raise incompatible("dtype")
    if sparse is not None and bool(sparse) != tensor.sparse:
        raise incompatible("sparse")
    return tensor.shape


def Input(
    shape: Sequence[int | None] | None = None,
    batch_size: int | None = None,
    dtype: str | None = None,
    sparse: bool | None = None,
    ragged: bool | None = None,
    batch_shape: Sequence[int | None] | None = None,
    name: str | None = None,
    tensor: KerasTensor | None = None,
    optional: bool = False,
) -> KerasTensor:
    """A symbolic input tensor (the output of a new :class:`InputLayer`).

    Args:
        shape: shape tuple without the batch dimension, e.g. ``(4,)``.
        batch_size: optional fixed batch size.
        dtype: dtype of the inputs.
        sparse, ragged: ``True`` is rejected (numpy backend), as in Keras.
        batch_shape: full shape including the batch size (instead of ``shape``).
        name: explicit name of the layer *and* the tensor; by default the
            layer is ``input_layer``, ``input_layer_1``... and the tensor
            ``keras_tensor``, ``keras_tensor_1``...
        tensor: an existing :class:`KerasTensor` to wrap.
        optional: whether the input may be ``None`` when the model is called.

    Returns:
        A :class:`KerasTensor` with shape ``(batch_size,) + shape``.
    """
    with atomic():  # the layer and its output tensor, or neither
        return _input_layer(
            shape, batch_size, dtype, sparse, ragged, batch_shape, name, tensor, optional
        ).output


def _input_layer(shape, batch_size, dtype, sparse, ragged, batch_shape, name, tensor, optional):
    return InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        batch_shape=batch_shape,
        input_tensor=tensor,
        optional=optional,
        name=name,
    )
