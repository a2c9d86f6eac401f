"""r_bridge.serialization_lib on the values a config holds (plain values,
containers, numpy arrays and scalars, slices, Ellipsis, tensors,
initializers, activations) and its refusals (custom objects, unknown
classes, bad configs): serialize then deserialize gives the value back."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import layers
from r_bridge.serialization_lib import (
    deserialize_keras_object,
    registered_class,
    serialize_keras_object,
)


@pytest.fixture(autouse=True)
def _fresh():
    r_bridge.clear_session()


@pytest.mark.parametrize(
    "value",
    [None, "a", True, 3, 2.5, [1, "b", None], (1, 2), {"k": [1, {"z": 2.0}]}, slice(1, None, 2), Ellipsis],
    ids=repr,
)
def test_plain_values_round_trip(value):
    assert deserialize_keras_object(serialize_keras_object(value)) == value


def test_arrays_and_numpy_scalars():
    arr = np.arange(6, dtype="int16").reshape(2, 3)
    rec = serialize_keras_object(arr)
    assert rec == {"class_name": "__numpy__", "config": {"value": arr.tolist(), "dtype": "int16"}}
    back = deserialize_keras_object(rec)
    assert back.dtype == np.int16 and np.array_equal(back, arr)
    # Keras writes an op's constant as __tensor__
    t = deserialize_keras_object({"class_name": "__tensor__", "config": {"value": [1.5], "dtype": "float32"}})
    assert t.dtype == np.float32 and t.tolist() == [1.5]
    assert serialize_keras_object(np.float32(0.5)) == 0.5 and type(serialize_keras_object(np.int64(3))) is int
    assert serialize_keras_object(np.array(7)) == 7
    tup = deserialize_keras_object({"class_name": "__tuple__", "config": {"value": [1, [2, 3]]}})
    assert tup == (1, [2, 3])


def test_tensors_serialize_but_only_deserialize_inside_a_model():
    x = r_bridge.Input(shape=(3,), dtype="int32")
    rec = serialize_keras_object(x)
    assert rec == {
        "class_name": "__keras_tensor__",
        "config": {"shape": (None, 3), "dtype": "int32", "keras_history": None},
    }
    with pytest.raises(ValueError, match="only be deserialized as part of a Functional model"):
        deserialize_keras_object(rec)


def test_initializers_and_activations_round_trip():
    init = serialize_keras_object(r_bridge.initializers.get("glorot_uniform"))
    assert init["module"] == "keras.initializers" and init["class_name"] == "GlorotUniform"
    back = deserialize_keras_object(init)
    assert serialize_keras_object(back) == init
    # a built-in activation is written as its name (a layer looks it up again)
    assert serialize_keras_object(r_bridge.activations.get("relu")) == "relu"
    act = {"module": "keras.activations", "class_name": "relu", "config": None, "registered_name": None}
    assert deserialize_keras_object(act) is r_bridge.activations.get("relu")


def test_a_dict_without_class_name_is_walked():
    rec = {"a": {"class_name": "__ellipsis__", "config": {}}, "class_name": 3}
    assert deserialize_keras_object(rec) == {"a": Ellipsis, "class_name": 3}


def test_custom_objects_are_refused_with_the_layer_named():
    class Mine(layers.Layer):
        pass

    with pytest.raises(ValueError, match=r"Cannot serialize 'mine': its class Mine is a custom object"):
        serialize_keras_object(Mine(name="mine"))
    with pytest.raises(ValueError, match=r"Cannot serialize .* \(of type object\) in a Keras config"):
        serialize_keras_object(object())
    dense = layers.Dense(2, activation=lambda x: x, name="dd")
    with pytest.raises(ValueError, match="layer 'dd'"):
        serialize_keras_object(dense)


def test_unknown_and_custom_classes_are_refused_on_load():
    with pytest.raises(
        ValueError, match="Cannot load layer 'z': its class Nope .* a Keras class that r_bridge"
    ):
        deserialize_keras_object({"module": "keras.layers", "class_name": "Nope", "config": {"name": "z"}})
    with pytest.raises(ValueError, match="is a custom object"):
        deserialize_keras_object(
            {
                "module": "my.pkg",
                "class_name": "Dense",
                "config": {"name": "z"},
                "registered_name": "Mine>Dense",
            }
        )
    with pytest.raises(ValueError, match="Cannot load layer 'None': its config is not a dict"):
        deserialize_keras_object({"module": "keras.layers", "class_name": "Dense", "config": [1]})
    with pytest.raises(TypeError, match=r"Cannot load layer 'q' \(Dense\)"):
        deserialize_keras_object({"module": "keras.layers", "class_name": "Dense", "config": {"name": "q"}})


def test_a_layer_round_trips_with_its_build_config():
    dense = layers.Dense(3, name="d1")
    dense.build((None, 4))
    rec = serialize_keras_object(dense)
    assert rec["build_config"] == {"input_shape": (None, 4)}
    back = deserialize_keras_object(rec)
    assert back.built and back.get_weights()[0].shape == (4, 3)
    assert registered_class("Dense") is layers.Dense and registered_class("NoSuch") is None
