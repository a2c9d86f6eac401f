"""``clone_model``: a new model with the same config and fresh weights (Keras's ``models/cloning.py``)."""

from __future__ import annotations

from typing import Any

from r_bridge.messages import shown
from r_bridge.models.model import Model
from r_bridge.naming import atomic
from r_bridge.serialization_lib import deserialize_keras_object, serialize_keras_object


def clone_model(
    model: Model,
    input_tensors: Any = None,
    clone_function: Any = None,
    call_function: Any = None,
    recursive: bool = False,
    **kwargs: Any,
) -> Model:
    """A new model built from ``model``'s config: same layers, same layer and
    model names (as Keras keeps them), newly initialized weights; the
    original is untouched.

    Only Keras's default cloning is supported: ``input_tensors``,
    ``clone_function`` and ``call_function`` must be ``None``. All or
    nothing: on error no name is consumed.
    """
    if not isinstance(model, Model):
        raise ValueError(
            "Arguments clone_function and call_function are only supported for Sequential models "
            f"or Functional models. Received model of type '{type(model).__name__}'"
            if clone_function is not None or call_function is not None
            else f"Expected `model` argument to be a `Model` instance. Received: model={shown(model, conversion='r')}"
        )
    for arg, value in (
        ("input_tensors", input_tensors),
        ("clone_function", clone_function),
        ("call_function", call_function),
    ):
        if value is not None:
            raise ValueError(f"`{arg}` is not supported by r_bridge's clone_model(): pass None.")
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {list(kwargs)}")
    config = serialize_keras_object(model)  # a custom object fails here, naming the layer
    with atomic():
        return deserialize_keras_object(config)
