"""BatchNormalization and LayerNormalization against real Keras (the Keras
venv): weights (names, order, trainability), inference and training-mode
outputs, moving-average updates, shapes and errors."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import layers


def _weights_info(layer):
    trainable = {id(w) for w in layer.trainable_weights}
    return [(tuple(w.shape), id(w) in trainable) for w in layer.weights]


def _k_weights_info(layer):
    return [(tuple(w.shape), w.trainable) for w in layer.weights]


BN_CASES = [
    ({}, (2, 5)),
    ({"axis": 1, "momentum": 0.5, "epsilon": 1e-5}, (3, 4, 2)),
    ({"center": False}, (4, 3)),
    ({"scale": False, "moving_variance_initializer": "zeros"}, (2, 3, 3)),
    ({"axis": -2}, (2, 3, 4)),
]


@pytest.mark.parametrize("kwargs,shape", BN_CASES)
def test_batch_normalization_matches_keras(keras, kwargs, shape):
    rng = np.random.default_rng(3)
    x = rng.normal(5.0, 10.0, size=(6,) + shape).astype("float32")
    k_layer = keras.layers.BatchNormalization(**kwargs)
    r_layer = layers.BatchNormalization(**kwargs)
    k_layer.build(x.shape)
    r_layer.build(x.shape)
    assert _weights_info(r_layer) == _k_weights_info(k_layer)
    # non-trivial weights, the same in both
    values = [rng.random(w.shape).astype("float32") + 0.5 for w in k_layer.get_weights()]
    k_layer.set_weights(values)
    r_layer.set_weights(values)
    for training in (False, True, True, False):
        want = np.asarray(k_layer(x, training=training))
        got = r_layer(x, training=training)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
        for g, w in zip(r_layer.get_weights(), k_layer.get_weights()):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)


def test_batch_normalization_in_functional_model_matches_keras(keras):
    def run(lib):
        inputs = lib.Input(shape=(4,))
        bn = lib.layers.BatchNormalization()
        out = bn(lib.layers.Dense(3, kernel_initializer="ones")(inputs))
        model = lib.Model(inputs, out)
        return bn.name, [w.shape for w in model.weights], model

    keras.utils.clear_session()
    k_name, k_shapes, k_model = run(keras)
    r_name, r_shapes, r_model = run(r_bridge)
    assert (r_name, [tuple(s) for s in r_shapes]) == (k_name, [tuple(s) for s in k_shapes])
    r_model.set_weights(k_model.get_weights())
    x = np.arange(8, dtype="float32").reshape(2, 4)
    np.testing.assert_allclose(r_model.predict(x, verbose=0), k_model.predict(x, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(r_model(x, training=True), np.asarray(k_model(x, training=True)), rtol=1e-5)


def test_batch_normalization_frozen_layer_uses_moving_statistics():
    layer = layers.BatchNormalization(momentum=0.0)
    layer.build((None, 2))
    layer.trainable = False
    x = np.array([[1.0, 2.0], [3.0, 6.0]], dtype="float32")
    np.testing.assert_allclose(layer(x, training=True), x / np.sqrt(1 + 1e-3), rtol=1e-6)
    assert layer.moving_mean.tolist() == [0.0, 0.0]  # not updated
    layer.trainable = True
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean, [2.0, 4.0])
    np.testing.assert_allclose(layer.moving_variance, [1.0, 4.0])


LN_CASES = [
    ({}, (5,)),
    ({"axis": [1, 2]}, (3, 4)),
    ({"axis": (-1, 1), "epsilon": 1e-6}, (3, 4)),
    ({"center": False}, (3, 4)),
    ({"scale": False}, (6,)),
    ({"axis": 1}, (3, 4)),
]


@pytest.mark.parametrize("kwargs,shape", LN_CASES)
def test_layer_normalization_matches_keras(keras, kwargs, shape):
    rng = np.random.default_rng(4)
    x = rng.normal(2.0, 3.0, size=(2,) + shape).astype("float32")
    k_layer = keras.layers.LayerNormalization(**kwargs)
    r_layer = layers.LayerNormalization(**kwargs)
    k_layer.build(x.shape)
    r_layer.build(x.shape)
    assert _weights_info(r_layer) == _k_weights_info(k_layer)
    values = [rng.random(w.shape).astype("float32") for w in k_layer.get_weights()]
    k_layer.set_weights(values)
    r_layer.set_weights(values)
    np.testing.assert_allclose(r_layer(x), np.asarray(k_layer(x)), rtol=1e-5, atol=1e-5)
    assert r_layer.axis == k_layer.axis


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.layers.BatchNormalization(axis=3)(lib.Input(shape=(2,))),
        lambda lib: lib.layers.LayerNormalization(axis=4)(lib.Input(shape=(2,))),
        lambda lib: lib.layers.LayerNormalization(axis="x"),
        lambda lib: lib.layers.BatchNormalization(synchronized=True),
    ],
)
def test_errors_match_keras(keras, make):
    def error(lib):
        try:
            make(lib)
        except (ValueError, TypeError, IndexError) as e:
            return type(e).__name__, str(e)
        return None

    keras.utils.clear_session()
    want = error(keras)
    assert want is not None
    got = error(r_bridge)
    if want[0] == "IndexError":  # Keras fails building before its own check
        assert got is not None
    else:
        assert got == want


def test_out_of_scope_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="`gamma_regularizer` is outside r_bridge"):
        layers.BatchNormalization(gamma_regularizer="l2")
    with pytest.raises(ValueError, match="Masking is outside"):
        layers.BatchNormalization()(np.ones((2, 3)), mask=np.ones(2, dtype=bool))
