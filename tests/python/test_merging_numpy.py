"""Merging layers without Keras: forward passes against numpy, symbolic
shapes, masks and the argument checks (the comparison with Keras's own
values and messages is in test_merging.py, in the Keras venv)."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import layers
from r_bridge.layers import merging

RNG = np.random.default_rng(7)
A = RNG.random((2, 3)).astype("float32")
B = RNG.random((2, 3)).astype("float32")
C = RNG.random((2, 3)).astype("float32")


@pytest.fixture(autouse=True)
def _fresh():
    r_bridge.clear_session()


@pytest.mark.parametrize(
    "fn,want",
    [
        (merging.add, A + B + C),
        (merging.multiply, A * B * C),
        (merging.average, (A + B + C) / 3),
        (merging.maximum, np.maximum(np.maximum(A, B), C)),
        (merging.minimum, np.minimum(np.minimum(A, B), C)),
        (lambda xs: merging.concatenate(xs, axis=-1), np.concatenate([A, B, C], axis=-1)),
        (lambda xs: merging.concatenate(xs, axis=0), np.concatenate([A, B, C], axis=0)),
    ],
)
def test_elementwise_forms_compute_numpys_value_eagerly_and_in_a_model(fn, want):
    np.testing.assert_allclose(fn([A, B, C]), want, rtol=1e-6)
    ins = [r_bridge.Input(shape=(3,), batch_size=2) for _ in range(3)]
    out = fn(ins)
    assert out.shape == want.shape
    model = r_bridge.Model(ins, out)
    np.testing.assert_allclose(model.predict([A, B, C], verbose=0), want, rtol=1e-6)


def test_subtract_needs_exactly_two():
    np.testing.assert_allclose(merging.subtract([A, B]), A - B)
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        merging.subtract([A, B, C])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()([r_bridge.Input(shape=(3,)) for _ in range(3)])


def test_inputs_of_different_ranks_broadcast_after_the_batch_axis():
    x = r_bridge.Input(shape=(4, 3))
    y = r_bridge.Input(shape=(3,))
    out = layers.Add()([x, y])
    assert out.shape == (None, 4, 3)
    xs = RNG.random((2, 4, 3)).astype("float32")
    got = r_bridge.Model([x, y], out).predict([xs, A], verbose=0)
    np.testing.assert_allclose(got, xs + A[:, None, :], rtol=1e-6)
    # a size-1 axis broadcasts
    out1 = layers.Multiply()([r_bridge.Input(shape=(1, 3)), r_bridge.Input(shape=(4, 1))])
    assert out1.shape == (None, 4, 3)


def test_merge_shape_errors():
    with pytest.raises(ValueError, match="Inputs have incompatible shapes"):
        layers.Add()([r_bridge.Input(shape=(3,)), r_bridge.Input(shape=(4,))])
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Add()([r_bridge.Input(shape=(3,), batch_size=2), r_bridge.Input(shape=(3,), batch_size=3)])
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        layers.Add().call(A)


def test_merge_compute_mask_is_the_or_of_masks():
    m1 = np.array([[True, False], [False, False]])
    m2 = np.array([[False, False], [True, False]])
    layer = layers.Add()
    np.testing.assert_array_equal(layer.compute_mask([A, B], [m1, m2]), m1 | m2)
    assert layer.compute_mask([A, B], [m1, None]) is None
    assert layer.compute_mask([A, B], None) is None
    with pytest.raises(ValueError, match="`mask` should be a list"):
        layer.compute_mask([A, B], m1)
    with pytest.raises(ValueError, match="`inputs` should be a list"):
        layer.compute_mask(A, [m1, m2])
    with pytest.raises(ValueError, match="should have the same length"):
        layer.compute_mask([A, B], [m1])


def test_concatenate_shapes_masks_and_errors():
    layer = layers.Concatenate(axis=1)
    assert layer.compute_output_shape([(2, 3), (2, 4)]) == (2, 7)
    assert layer.compute_output_shape([(2, None), (2, 4)]) == (2, None)
    assert layer.get_config()["axis"] == 1
    with pytest.raises(ValueError, match="should be called on a list of inputs"):
        layer.compute_output_shape((2, 3))
    with pytest.raises(ValueError, match="requires inputs with matching shapes"):
        layers.Concatenate(axis=-1)([r_bridge.Input(shape=(2, 3)), r_bridge.Input(shape=(4, 3))])
    with pytest.raises(ValueError, match="at least 1 input"):
        layers.Concatenate().build([])
    # masks: a missing one counts as all True; masks one rank short are expanded
    m = np.array([[True, False, True], [False, False, False]])
    got = layer.compute_mask([A, B], [m, None])
    np.testing.assert_array_equal(got, np.ones(2, dtype=bool))
    got2 = layers.Concatenate(axis=0).compute_mask([A, B], [m, m])
    np.testing.assert_array_equal(got2, np.concatenate([m, m]).any(axis=-1))
    assert layer.compute_mask([A, B], [None, None]) is None


def test_dot_values_shapes_and_errors():
    x = RNG.random((2, 3)).astype("float32")
    y = RNG.random((2, 3)).astype("float32")
    np.testing.assert_allclose(merging.dot([x, y], axes=1), (x * y).sum(axis=1, keepdims=True), rtol=1e-6)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    yn = y / np.linalg.norm(y, axis=1, keepdims=True)
    got = layers.Dot(axes=-1, normalize=True)([x, y])
    np.testing.assert_allclose(got, (xn * yn).sum(axis=1, keepdims=True), rtol=1e-5)
    x3 = RNG.random((2, 4, 3)).astype("float32")
    y3 = RNG.random((2, 4, 5)).astype("float32")
    got3 = layers.Dot(axes=(1, 1))([x3, y3])
    np.testing.assert_allclose(got3, np.einsum("bij,bik->bjk", x3, y3), rtol=1e-5)
    sym = layers.Dot(axes=[1, 1])([r_bridge.Input(shape=(4, 3)), r_bridge.Input(shape=(4, 5))])
    assert sym.shape == (None, 3, 5)
    dot = layers.Dot(axes=1, normalize=True)
    assert dot.get_config()["axes"] == 1 and dot.get_config()["normalize"] is True
    assert dot.compute_mask([x, y], [None, None]) is None
    assert dot.compute_output_shape([(2, 3), (2, 3)]) == (2, 1)
    with pytest.raises(TypeError, match="should be a list or an int"):
        layers.Dot(axes="1")
    with pytest.raises(ValueError, match="should contain two elements"):
        layers.Dot(axes=[1, 2, 3])
    with pytest.raises(ValueError, match="list elements should be integers"):
        layers.Dot(axes=[1, "a"])
    with pytest.raises(ValueError, match="Incompatible input shapes"):
        layers.Dot(axes=1)([r_bridge.Input(shape=(3,)), r_bridge.Input(shape=(4,))])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        layers.Dot(axes=1)([r_bridge.Input(shape=(3,)) for _ in range(3)])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        dot.compute_output_shape([(2, 3)])
    with pytest.raises(ValueError, match="Cannot perform batch_dot over axis 0"):
        layers.Dot(axes=0)([x, y])
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        dot._merge_function([x])
