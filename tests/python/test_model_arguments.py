"""Model-level argument checks without Keras: clone_model's unsupported
arguments, model_from_json's refusals, predict's argument checks, the
reserved ``layers`` attribute, and a Model subclass built from inputs and
outputs becoming Functional."""

from __future__ import annotations

import json

import numpy as np
import pytest

import r_bridge
from r_bridge import layers
from r_bridge.models import clone_model, model_from_json
from r_bridge.models.functional import Functional


@pytest.fixture
def model():
    r_bridge.clear_session()
    return r_bridge.Sequential([r_bridge.Input(shape=(3,)), layers.Dense(2)], name="s")


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"input_tensors": [1]}, "`input_tensors` is not supported"),
        ({"clone_function": lambda layer: layer}, "`clone_function` is not supported"),
        ({"call_function": lambda *a: a}, "`call_function` is not supported"),
        ({"foo": 1}, r"Unexpected keyword argument\(s\): \['foo'\]"),
    ],
)
def test_clone_model_unsupported_arguments(model, kwargs, match):
    with pytest.raises(ValueError, match=match):
        clone_model(model, **kwargs)


def test_clone_model_of_a_layer_with_a_clone_function():
    with pytest.raises(ValueError, match="only supported for Sequential models or Functional models"):
        clone_model(layers.Dense(2), clone_function=lambda layer: layer)


def test_model_from_json_refusals(model):
    with pytest.raises(ValueError, match="`custom_objects` are not supported"):
        model_from_json(model.to_json(), custom_objects={"A": object})
    dense_json = json.dumps(
        {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "name": "d"}}
    )
    with pytest.raises(ValueError, match="The JSON describes a Dense, not a model"):
        model_from_json(dense_json)


@pytest.mark.parametrize(
    "kwargs,x,match",
    [
        ({"batch_size": 0}, np.ones((2, 3)), "`batch_size` must be a positive integer"),
        ({"steps": 0}, np.ones((2, 3)), "`steps` must be a positive integer or None"),
        ({"verbose": 3}, np.ones((2, 3)), '`verbose` must be "auto", 0, 1 or 2'),
        ({}, np.float32(1), "Unrecognized data type"),
        ({}, np.ones((0, 3)), "Expected input data to be non-empty"),
    ],
)
def test_predict_argument_checks(model, kwargs, x, match):
    with pytest.raises(ValueError, match=match):
        model.predict(x, **{"verbose": 0, **kwargs})


def test_predict_steps_sets_the_batch_size(model):
    x = np.arange(15, dtype="float32").reshape(5, 3)
    want = model.predict(x, verbose=0)
    np.testing.assert_allclose(model.predict(x, steps=2, verbose=0), want, rtol=1e-6)


def test_layers_is_reserved(model):
    with pytest.raises(AttributeError, match="`Sequential.layers` attribute is reserved"):
        model.layers = []
    x = r_bridge.Input(shape=(3,))
    functional = r_bridge.Model(x, layers.Dense(2)(x))
    with pytest.raises(AttributeError, match="`Model.layers` attribute is reserved"):
        functional.layers = []


def test_a_subclass_called_with_inputs_and_outputs_is_functional():
    class Mine(r_bridge.Model):
        pass

    x = r_bridge.Input(shape=(3,))
    m = Mine(x, layers.Dense(2)(x))
    assert isinstance(m, Mine) and isinstance(m, Functional)
    assert m.predict(np.ones((1, 3)), verbose=0).shape == (1, 2)
