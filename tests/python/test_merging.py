"""Merging layers: shapes, values, names and errors, against real Keras when
it is installed (the Keras venv), else against numpy."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import layers

CASES = [
    ("Add", {}, [(4, 5), (4, 5)]),
    ("Subtract", {}, [(4, 5), (4, 5)]),
    ("Multiply", {}, [(4, 5), (1, 5)]),
    ("Average", {}, [(4, 5), (4, 5), (4, 5)]),
    ("Maximum", {}, [(4, 5), (5,)]),
    ("Minimum", {}, [(3,), (3,)]),
    ("Concatenate", {}, [(4, 5), (4, 2)]),
    ("Concatenate", {"axis": 1}, [(4, 5), (2, 5)]),
    ("Dot", {"axes": -1}, [(4,), (4,)]),
    ("Dot", {"axes": -1}, [(4, 5), (3, 5)]),
    ("Dot", {"axes": (1, 2)}, [(4, 5), (3, 4)]),
    ("Dot", {"axes": 1, "normalize": True}, [(4,), (4,)]),
]


def _run(lib, cls, kwargs, shapes, xs):
    inputs = [lib.Input(shape=s) for s in shapes]
    layer = getattr(lib.layers, cls)(**kwargs)
    out = layer(inputs)
    model = lib.Model(inputs, out)
    eager = getattr(lib.layers, cls)(**kwargs)(xs)
    return layer.name, tuple(out.shape), np.asarray(model.predict(xs, verbose=0)), np.asarray(eager)


@pytest.mark.usefixtures("keras")
@pytest.mark.parametrize("cls,kwargs,shapes", CASES)
def test_matches_keras(keras, cls, kwargs, shapes):
    rng = np.random.default_rng(0)
    xs = [rng.random((3,) + s).astype("float32") for s in shapes]
    keras.utils.clear_session()
    want = _run(keras, cls, kwargs, shapes, xs)
    got = _run(r_bridge, cls, kwargs, shapes, xs)
    assert got[:2] == want[:2]
    np.testing.assert_allclose(got[2], want[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got[3], want[3], rtol=1e-5, atol=1e-6)
    assert got[2].dtype == want[2].dtype


@pytest.mark.usefixtures("keras")
@pytest.mark.parametrize(
    "cls,kwargs,shapes",
    [
        ("Add", {}, [(4, 5), (4, 6)]),
        ("Subtract", {}, [(4,), (4,), (4,)]),
        ("Concatenate", {}, [(4, 5), (3, 2)]),
        ("Dot", {"axes": -1}, [(4,), (5,)]),
        ("Dot", {"axes": (1, 2, 3)}, [(4,), (4,)]),
        ("Dot", {"axes": "x"}, [(4,), (4,)]),
    ],
)
def test_errors_match_keras(keras, cls, kwargs, shapes):
    def error(lib):
        try:
            getattr(lib.layers, cls)(**kwargs)([lib.Input(shape=s) for s in shapes])
        except (ValueError, TypeError) as e:
            return type(e), str(e)
        return None

    keras.utils.clear_session()
    want = error(keras)
    assert want is not None
    assert error(r_bridge) == want


@pytest.mark.usefixtures("keras")
def test_functional_forms_and_names_match_keras(keras):
    def names(lib):
        a, b = lib.Input(shape=(3,)), lib.Input(shape=(3,))
        outs = [
            lib.layers.add([a, b]),
            lib.layers.subtract([a, b]),
            lib.layers.multiply([a, b]),
            lib.layers.average([a, b]),
            lib.layers.maximum([a, b]),
            lib.layers.minimum([a, b]),
            lib.layers.concatenate([a, b]),
            lib.layers.dot([a, b], axes=1),
            lib.layers.add([a, b], name="mine"),
            lib.layers.Add()([a, b]),
        ]
        return [o._keras_history[0].name for o in outs], [tuple(o.shape) for o in outs]

    keras.utils.clear_session()
    assert names(r_bridge) == names(keras)


def test_merge_without_keras():
    a, b = r_bridge.Input(shape=(2, 3)), r_bridge.Input(shape=(3,))
    out = layers.Add()([a, b])  # ranks differ: b gets an axis after the batch axis
    assert out.shape == (None, 2, 3)
    x, y = np.ones((4, 2, 3)), np.arange(12.0).reshape(4, 3)
    res = r_bridge.Model([a, b], out).predict([x, y], verbose=0)
    np.testing.assert_allclose(res, x + y[:, None, :])
    assert layers.Concatenate().compute_mask([x, y], [None, None]) is None
    m = layers.Add().compute_mask([x, x], [np.array([True, False]), np.array([False, False])])
    assert m.tolist() == [True, False]
    with pytest.raises(ValueError, match="`mask` should be a list"):
        layers.Add().compute_mask([x, x], np.ones(2))
    with pytest.raises(ValueError, match="A merge layer should be called on a list of inputs"):
        layers.Add()(x)


def test_layer_kinds_include_merging():
    from r_bridge import api

    for kind, cls in [("add", layers.Add), ("concatenate", layers.Concatenate), ("dot", layers.Dot)]:
        assert api.LAYER_KINDS[kind] is cls
