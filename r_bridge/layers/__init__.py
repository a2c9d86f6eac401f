"""Layers: ``Layer`` (subclassable), ``Input``/``InputLayer``, ``Dense``, ``Dropout``,
``Activation``, ``Flatten``."""

from r_bridge.layers.core import Activation, Dense, Dropout, Flatten
from r_bridge.layers.input_layer import Input, InputLayer
from r_bridge.layers.layer import Layer

__all__ = ["Layer", "Input", "InputLayer", "Dense", "Dropout", "Activation", "Flatten"]


def _register_public_classes() -> None:
    """Every layer class exported here is Keras's ``keras.layers.<Name>`` in configs."""
    from r_bridge.serialization_lib import register_keras_class

    for name in __all__:
        obj = globals()[name]
        if isinstance(obj, type) and issubclass(obj, Layer) and obj is not Layer:
            register_keras_class(obj, "keras.layers")


_register_public_classes()
