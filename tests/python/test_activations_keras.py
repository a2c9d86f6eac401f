"""Every activation Keras 3.15 knows by name, compared numerically with Keras.

Needs Keras (not installed in the main .venv, so this module skips there);
run it with the Keras venv::

    KERAS_BACKEND=numpy .venv-keras/bin/python -m pytest tests/python/test_activations_keras.py
"""

from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras not installed (run under .venv-keras)", allow_module_level=True)
if "keras" not in sys.modules:
    os.environ["KERAS_BACKEND"] = "numpy"

import keras  # noqa: E402
from keras.src.activations import ALL_OBJECTS_DICT  # noqa: E402

from r_bridge import activations  # noqa: E402

# Values around every kink of the piecewise activations, plus a spread.
_POINTS = np.array([-7.5, -3.0, -2.9, -1.0, -0.6, -0.5, -0.2, 0.0, 0.2, 0.5, 0.7, 1.0, 2.5, 3.0, 6.0, 8.0])
_X = np.stack([_POINTS, _POINTS[::-1] * 0.7, np.linspace(-4, 4, _POINTS.size)])

# Extra arguments Keras's signatures take (the no-argument call is tested too).
_ARGS = {
    "relu": [
        dict(negative_slope=0.1),
        dict(max_value=6.0),
        dict(threshold=0.5),
        dict(negative_slope=0.3, max_value=2.0, threshold=0.4),
    ],
    "leaky_relu": [dict(negative_slope=0.05)],
    "softmax": [dict(axis=0)],
    "log_softmax": [dict(axis=0)],
    "sparsemax": [dict(axis=0)],
    "elu": [dict(alpha=0.3)],
    "celu": [dict(alpha=2.0)],
    "gelu": [dict(approximate=True)],
    "glu": [dict(axis=0)] if _X.shape[0] % 2 == 0 else [],
    "squareplus": [dict(b=1)],
    "soft_shrink": [dict(threshold=1.0)],
    "hard_shrink": [dict(threshold=1.0)],
}
_REQUIRED = {"threshold": dict(threshold=0.5, default_value=-1.0)}


def _cases():
    for name in sorted(ALL_OBJECTS_DICT):
        base = _REQUIRED.get(name, {})
        for kwargs in [base] + [dict(base, **k) for k in _ARGS.get(name, [])]:
            for dtype in ("float32", "float64"):
                yield pytest.param(name, kwargs, dtype, id=f"{name}-{kwargs}-{dtype}")


def test_every_keras_activation_name_resolves():
    assert set(ALL_OBJECTS_DICT) <= set(activations._ALL)
    for name in ALL_OBJECTS_DICT:
        assert activations.get(name).__name__ == ALL_OBJECTS_DICT[name].__name__


@pytest.mark.parametrize("name, kwargs, dtype", list(_cases()))
def test_activation_matches_keras(name, kwargs, dtype):
    x = _X.astype(dtype)
    if name == "glu":
        x = np.concatenate([x, x[:1]])[:, :16]  # an even last axis (16)
    expected = keras.ops.convert_to_numpy(ALL_OBJECTS_DICT[name](x, **kwargs))
    got = activations.get(name)(x, **kwargs)
    assert got.shape == expected.shape
    assert got.dtype == x.dtype  # r_bridge keeps the input's float dtype
    # Keras's numpy backend converts a float64 array to float32 before most
    # activations (its output dtype then varies by activation), so values
    # agree to float32 precision.
    tol = 1e-6
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
