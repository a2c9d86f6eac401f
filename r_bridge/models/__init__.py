"""Models and the Functional API: ``Input``, ``Model``, ``Sequential``,
``Functional``, ``KerasTensor``, ``Node``, ``get_source_inputs``."""

from r_bridge.layers.input_layer import Input, InputLayer
from r_bridge.models.functional import Functional, get_source_inputs
from r_bridge.models.model import Model
from r_bridge.models.sequential import Sequential
from r_bridge.tensor import KerasTensor, Node

__all__ = [
    "Input",
    "InputLayer",
    "KerasTensor",
    "Node",
    "Model",
    "Functional",
    "Sequential",
    "get_source_inputs",
]
