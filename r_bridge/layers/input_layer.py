"""``InputLayer`` and ``Input()``: the layer that owns a graph's input tensor."""

from __future__ import annotations

import weakref

from r_bridge.layers.layer import Layer
from r_bridge.naming import auto_name
from r_bridge.tensor import KerasTensor, Node


def standardize_shape(shape):
    """A tuple of positive ints or ``None``; Keras's message otherwise."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise ValueError(f"Cannot convert '{shape}' to a shape.")
    out = []
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
                f"Cannot convert '{tuple(shape)}' to a shape. "
                f"Found invalid dimension '{d}' of type '{type(d)}'. "
            )
        if int(d) < 0:
            raise ValueError(f"Cannot convert '{tuple(shape)}' to a shape. Negative dimensions are not allowed.")
        out.append(int(d))
    return tuple(out)


class InputLayer(Layer):
    """Holds the input tensor of a graph (``shape`` excludes the batch size).

    The layer keeps only a weak reference to its output tensor (the tensor
    references the layer through its node); when that tensor has been freed
    and is needed again, an equivalent one with the same name is made, so
    names are never consumed twice.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None, **kwargs):
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument.")
            batch_shape = (batch_size,) + standardize_shape(shape)
        batch_shape = standardize_shape(batch_shape)
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.batch_shape = batch_shape
        self.built = True
        # Name the tensor now (Keras does), make it when asked for.
        self._output_name = name or auto_name("KerasTensor")
        self._output_ref = None
        self._output_shape = batch_shape

    @property
    def output(self) -> KerasTensor:
        """The input tensor of this layer (same name every time)."""
        out = self._output_ref() if self._output_ref is not None else None
        if out is None:
            out = KerasTensor(self.batch_shape, dtype=self.dtype, name=self._output_name, node=Node(self))
            self._output_ref = weakref.ref(out)
        return out

    def compute_output_shape(self, input_shape):
        return self.batch_shape


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None):
    """A symbolic input tensor (the output of a new :class:`InputLayer`).

    Args:
        shape: shape tuple without the batch dimension, e.g. ``(4,)``.
        batch_size: optional fixed batch size.
        dtype: dtype of the inputs.
        batch_shape: full shape including the batch size (instead of ``shape``).
        name: explicit name of the layer *and* the tensor; by default the
            layer is ``input_layer``, ``input_layer_1``... and the tensor
            ``keras_tensor``, ``keras_tensor_1``...

    Returns:
        A :class:`KerasTensor` with shape ``(batch_size,) + shape``.
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name)
    return layer.output
