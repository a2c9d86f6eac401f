"""Reshape, Permute, RepeatVector against real Keras (the Keras venv):
symbolic shapes, values, names and error messages."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import layers


def _core(message):
    """Keras's message without the "Exception encountered when calling" frame
    its traceback filtering adds around errors raised in ``call``."""
    if "\x1b[1m" in message:
        return message.split("\x1b[1m", 1)[1].split("\x1b[0m", 1)[0]
    return message


CASES = [
    ("Reshape", {"target_shape": (3, 4)}, (12,)),
    ("Reshape", {"target_shape": (-1, 2, 2)}, (12,)),
    ("Reshape", {"target_shape": (6, -1)}, (3, 4)),
    ("Permute", {"dims": (2, 1)}, (3, 4)),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4)),
    ("RepeatVector", {"n": 3}, (4,)),
]


@pytest.mark.parametrize("cls,kwargs,shape", CASES)
def test_matches_keras(keras, cls, kwargs, shape):
    def run(lib):
        x = lib.Input(shape=shape)
        layer = getattr(lib.layers, cls)(**kwargs)
        out = layer(x)
        data = np.arange(2 * int(np.prod(shape)), dtype="float32").reshape((2,) + shape)
        return layer.name, tuple(out.shape), np.asarray(lib.Model(x, out)(data))

    keras.utils.clear_session()
    want, got = run(keras), run(r_bridge)
    assert got[:2] == want[:2]
    np.testing.assert_array_equal(got[2], want[2])


@pytest.mark.parametrize(
    "cls,kwargs,shape",
    [
        ("Reshape", {"target_shape": (5, 5)}, (12,)),
        ("Reshape", {"target_shape": (-1, -1)}, (12,)),
        ("Reshape", {"target_shape": (-2, 6)}, (12,)),
        ("Reshape", {"target_shape": (5, -1)}, (12,)),
        ("Permute", {"dims": (0, 1)}, (3, 4)),
        ("Permute", {"dims": (2, 1)}, (3,)),
        ("RepeatVector", {"n": 0}, (4,)),
        ("RepeatVector", {"n": 2.5}, (4,)),
        ("RepeatVector", {"n": 2}, (4, 5)),
    ],
)
def test_errors_match_keras(keras, cls, kwargs, shape):
    def error(lib):
        try:
            getattr(lib.layers, cls)(**kwargs)(lib.Input(shape=shape))
        except (ValueError, TypeError) as e:
            return type(e), _core(str(e))
        return None

    keras.utils.clear_session()
    want = error(keras)
    assert want is not None
    assert error(r_bridge) == want


def test_reshaping_without_keras():
    x = r_bridge.Input(shape=(None, 4))
    assert layers.Reshape((-1, 2))(x).shape == (None, None, 2)
    assert layers.Permute((2, 1))(x).shape == (None, 4, None)
    y = layers.RepeatVector(2)(np.array([[1.0, 2.0]]))
    np.testing.assert_array_equal(y, [[[1.0, 2.0], [1.0, 2.0]]])
    assert layers.Reshape((2, -1))(np.zeros((3, 8))).shape == (3, 2, 4)
    with pytest.raises(ValueError, match="consecutive and start from 1"):
        layers.Permute((0, 1))
