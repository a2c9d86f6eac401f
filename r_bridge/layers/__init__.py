"""Layers: ``Layer`` (subclassable), ``Input``/``InputLayer``, ``Dense``, ``Dropout``,
``Activation``, ``Flatten``."""

from r_bridge.layers.core import Activation, Dense, Dropout, Flatten
from r_bridge.layers.input_layer import Input, InputLayer
from r_bridge.layers.layer import Layer

__all__ = ["Layer", "Input", "InputLayer", "Dense", "Dropout", "Activation", "Flatten"]
