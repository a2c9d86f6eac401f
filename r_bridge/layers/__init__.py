"""Layers: ``Layer`` (subclassable), ``InputLayer``, ``Dense``, ``Dropout``,
``Activation``, ``Flatten``."""

from r_bridge.layers.core import Activation, Dense, Dropout, Flatten
from r_bridge.layers.input_layer import InputLayer
from r_bridge.layers.layer import Layer

__all__ = ["Layer", "InputLayer", "Dense", "Dropout", "Activation", "Flatten"]
