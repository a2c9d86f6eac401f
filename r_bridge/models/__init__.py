"""Models and the Functional API: ``Input``, ``Model``, ``Sequential``,
``Functional``, ``KerasTensor``, ``Node``, ``get_source_inputs``."""

from r_bridge.layers.input_layer import InputLayer
from r_bridge.models.functional import Functional, get_source_inputs
from r_bridge.models.model import Model
from r_bridge.models.sequential import Sequential
from r_bridge.tensor import KerasTensor, Node


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


__all__ = ["Input", "InputLayer", "KerasTensor", "Node", "Model", "Functional", "Sequential", "get_source_inputs"]
