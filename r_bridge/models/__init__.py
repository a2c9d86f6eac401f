"""Models and the Functional API: ``Input``, ``Model``, ``Sequential``,
``Functional``, ``KerasTensor``, ``Node``, ``get_source_inputs``."""

from r_bridge.layers.input_layer import Input, InputLayer
from r_bridge.models.cloning import clone_model
from r_bridge.models.functional import Functional, get_source_inputs
from r_bridge.models.model import Model, model_from_json
from r_bridge.models.sequential import Sequential
from r_bridge.serialization_lib import register_keras_class
from r_bridge.tensor import KerasTensor, Node

# Keras writes these top-level classes so (keras.saving finds them there).
register_keras_class(Sequential, "keras")
register_keras_class(Functional, "keras.src.models.functional", registered_name="Functional")

__all__ = [
    "Input",
    "InputLayer",
    "KerasTensor",
    "Node",
    "Model",
    "Functional",
    "Sequential",
    "get_source_inputs",
    "clone_model",
    "model_from_json",
]
