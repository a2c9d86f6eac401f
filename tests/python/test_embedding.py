"""Embedding against real Keras (the Keras venv): shapes, dtypes, lookups,
weights, names and errors; mask_zero is recorded (masking itself is outside
r_bridge)."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import layers


@pytest.mark.parametrize("shape", [(5,), (None,), (2, 3)])
def test_embedding_matches_keras(keras, shape):
    def run(lib):
        inputs = lib.Input(shape=shape, dtype="int32")
        emb = lib.layers.Embedding(10, 4)
        out = emb(inputs)
        model = lib.Model(inputs, lib.layers.Dense(2)(out))
        return emb, out, model

    keras.utils.clear_session()
    k_emb, k_out, k_model = run(keras)
    r_emb, r_out, r_model = run(r_bridge)
    assert (r_emb.name, tuple(r_out.shape), r_out.dtype) == (k_emb.name, tuple(k_out.shape), k_out.dtype)
    assert [tuple(w.shape) for w in r_model.weights] == [tuple(w.shape) for w in k_model.weights]
    r_model.set_weights(k_model.get_weights())
    data_shape = (3,) + tuple(4 if d is None else d for d in shape)
    x = np.random.default_rng(0).integers(0, 10, size=data_shape).astype("int32")
    np.testing.assert_allclose(r_model.predict(x, verbose=0), k_model.predict(x, verbose=0), rtol=1e-6)
    # float indices are cast to int32, as in Keras
    np.testing.assert_allclose(r_emb(x.astype("float32")), np.asarray(k_emb(x.astype("float32"))))


def test_initializer_and_mask_match_keras(keras):
    k = keras.layers.Embedding(1000, 8, mask_zero=True)
    r = layers.Embedding(1000, 8, mask_zero=True)
    k.build()
    r.build()
    kw, rw = k.get_weights()[0], r.get_weights()[0]
    assert rw.dtype == kw.dtype and rw.shape == kw.shape
    assert np.abs(rw).max() <= 0.05 and np.abs(kw).max() <= 0.05  # "uniform" in [-0.05, 0.05]
    x = np.array([[0, 3, 0]])
    assert r.compute_mask(x).tolist() == np.asarray(k.compute_mask(x)).tolist()
    assert layers.Embedding(3, 2).compute_mask(x) is None


@pytest.mark.parametrize("bad", [3.7, 4.0, "3", None, True, -1, 0])
def test_invalid_dims_match_keras(keras, bad):
    for kwargs in ({"input_dim": bad, "output_dim": 8}, {"input_dim": 10, "output_dim": bad}):
        with pytest.raises(ValueError) as want:
            keras.layers.Embedding(**kwargs)
        with pytest.raises(ValueError) as got:
            layers.Embedding(**kwargs)
        assert str(got.value) == str(want.value)


def test_embedding_without_keras():
    layer = layers.Embedding(3, 2, weights=np.array([[0.0, 0.0], [2.0, 2.0], [3.0, 3.0]]))
    np.testing.assert_array_equal(layer(np.array([2, 1, 0])), [[3.0, 3.0], [2.0, 2.0], [0.0, 0.0]])
    np.testing.assert_array_equal(layer([[1, 2]]), [[[2.0, 2.0], [3.0, 3.0]]])
    assert layer.mask_zero is False and layer.embeddings.shape == (3, 2)
    with pytest.raises(AttributeError, match="build the layer"):
        _ = layers.Embedding(3, 2).embeddings
