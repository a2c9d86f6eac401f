"""Layers: ``Layer`` (subclassable), ``Input``/``InputLayer``, the core layers
(``Dense``, ``Dropout``, ``Activation``, ``Flatten``), the merging layers
with their functional forms (``add([x, y])``, ``concatenate([x, y])``, ...),
the reshaping layers (``Reshape``, ``Permute``, ``RepeatVector``),
``BatchNormalization``, ``LayerNormalization`` and ``Embedding``."""

from r_bridge.layers.core import Activation, Dense, Dropout, Flatten
from r_bridge.layers.embedding import Embedding
from r_bridge.layers.input_layer import Input, InputLayer
from r_bridge.layers.layer import Layer
from r_bridge.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from r_bridge.layers.normalization import BatchNormalization, LayerNormalization
from r_bridge.layers.reshaping import Permute, RepeatVector, Reshape

__all__ = [
    "Layer",
    "Input",
    "InputLayer",
    "Dense",
    "Dropout",
    "Activation",
    "Flatten",
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "Reshape",
    "Permute",
    "RepeatVector",
    "BatchNormalization",
    "LayerNormalization",
    "Embedding",
    "add",
    "subtract",
    "multiply",
    "average",
    "maximum",
    "minimum",
    "concatenate",
    "dot",
]


def _register_public_classes() -> None:
    """Every layer class exported here is Keras's ``keras.layers.<Name>`` in configs."""
    from r_bridge.serialization_lib import register_keras_class

    for name in __all__:
        obj = globals()[name]
        if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer:
            register_keras_class(obj, "keras.layers")


_register_public_classes()
