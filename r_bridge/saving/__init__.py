"""Keras's formats: configs, JSON and ``.keras`` files (``keras.saving``).

* :func:`serialize_keras_object` / :func:`deserialize_keras_object`: an
  object's config as Keras writes it, and back;
* :func:`save_model` / :func:`load_model`: ``.keras`` files in Keras's own
  layout (a zip of ``config.json``, ``metadata.json`` and
  ``model.weights.h5``), readable by ``keras.saving.load_model`` and
  written by Keras or r_bridge alike;
* :func:`save_weights` / :func:`load_weights`: ``.weights.h5`` files.

Weights need h5py (``pip install "r_bridge[keras]"``); it is imported only
when weights are read or written.
"""

from r_bridge.saving.saving_lib import load_model, load_weights, save_model, save_weights
from r_bridge.serialization_lib import deserialize_keras_object, serialize_keras_object

__all__ = [
    "serialize_keras_object",
    "deserialize_keras_object",
    "save_model",
    "load_model",
    "save_weights",
    "load_weights",
]
