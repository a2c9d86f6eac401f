"""``summary()`` and ``predict()``'s progress bar, compared with real Keras.

Needs Keras (not installed in the main .venv, so this module skips there);
run it with the Keras venv::

    KERAS_BACKEND=numpy .venv-keras/bin/python -m pytest tests/python/test_summary_keras.py
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import re
import sys

import numpy as np
import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras not installed (run under .venv-keras)", allow_module_level=True)
if "keras" not in sys.modules:
    os.environ["KERAS_BACKEND"] = "numpy"
os.environ["COLUMNS"] = "300"  # rich crops Keras's table to the console width

import keras  # noqa: E402

import r_bridge  # noqa: E402
from r_bridge import layers as rl  # noqa: E402


def _branching(lib, layers):
    a = lib.Input((4,), name="a")
    b = lib.Input((3,), name="b")
    x = layers.Dense(2, name="a_very_long_layer_name_that_goes_on_and_on")(a)
    shared = layers.Dense(5, name="shared")
    y = shared(layers.Dense(5, name="mid")(b))
    z = layers.Dense(5, name="other")(y)
    return lib.Model([a, b], [x, z], name="branching")


def _stack(lib, layers):
    return lib.Sequential(
        [
            lib.Input((6,)),
            layers.Dense(3, name="x" * 50),
            layers.Dropout(0.5, name="drop"),
            layers.Dense(1, name="out"),
        ],
        name="stack",
    )


def _chain(lib, layers):
    i = lib.Input((3,), name="inp")
    return lib.Model(i, layers.Dense(2, name="d")(layers.Dense(4, name="c")(i)), name="chain")


def _deferred(lib, layers):
    m = lib.Sequential([layers.Dense(4, name="h"), layers.Dense(5, name="o")], name="deferred")
    m(np.zeros((3, 2), dtype="float32"))  # built for that input: shapes (3, ...)
    return m


def _unbuilt(lib, layers):
    return lib.Sequential([layers.Dense(4, name="h"), layers.Dense(5, name="o")], name="unbuilt")


def _nested_shared(lib, layers):
    inner = lib.Sequential(
        [lib.Input((3,)), layers.Dense(4, name="in1"), layers.Dense(2, name="in2")], name="inner"
    )
    i = lib.Input((3,), name="x")
    shared = layers.Dense(2, name="shared")
    a = shared(inner(i))
    b = shared(layers.Dense(2, name="side")(i))
    return lib.Model(i, [a, b], name="outer")


def _multi_output(lib, layers):
    """A custom layer with two outputs, each used on its own (one call, two
    tensors: "split[0][0]" and "split[0][1]")."""

    class Split(layers.Layer):
        def call(self, x):
            return [x * 2.0, x + 1.0]

        def compute_output_shape(self, shape):
            return [shape, shape]

    i = lib.Input((3,), name="x")
    a, b = Split(name="split")(i)
    return lib.Model(i, [a, b, layers.Add(name="sum")([a, layers.Dense(3, name="d")(b)])], name="multi")


def _keras_summary(model, **kw):
    out = []
    model.summary(print_fn=out.append, **kw)
    return "\n".join(out).rstrip("\n")


_BUILDERS = [_branching, _stack, _chain, _deferred, _unbuilt, _nested_shared, _multi_output]
# positions for the branching model's 4 columns, or the others' 3.
_POSITIONS = {
    _branching: [0.3, 0.5, 0.7, 1.0],
    _stack: [0.5, 0.8, 1.0],
    _chain: [0.2, 0.7, 1.0],
    _deferred: [0.4, 0.6, 1.0],
    _unbuilt: [0.4, 0.6, 1.0],
    _nested_shared: [0.25, 0.5, 0.6, 1.0],
    _multi_output: [0.25, 0.5, 0.6, 1.0],
}


@pytest.mark.parametrize("build", _BUILDERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "kw",
    [
        dict(line_length=120),
        dict(line_length=76),
        dict(line_length=60),
        dict(line_length=50, positions=True),
        dict(line_length=90, show_trainable=True),
        dict(line_length=100, expand_nested=True),
    ],
    ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()),
)
def test_summary_text_equals_keras(build, kw):
    keras.utils.clear_session()
    r_bridge.clear_session()
    km = build(keras, keras.layers)
    rm = build(r_bridge, rl)
    if kw.get("positions"):
        kw = dict(kw, positions=_POSITIONS[build])
    assert rm.summary_text(**kw) == _keras_summary(km, **kw)


def test_multi_output_layer_predicts_as_keras():
    """Each output of a multi-output call is its own part of the call's
    result (not the whole list), as in Keras."""
    keras.utils.clear_session()
    r_bridge.clear_session()
    km = _multi_output(keras, keras.layers)
    rm = _multi_output(r_bridge, rl)
    rm.set_weights(km.get_weights())
    x = np.arange(6, dtype="float32").reshape(2, 3)
    for got, want in zip(rm.predict(x, verbose=0), km.predict(x, verbose=0), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-6)
    assert [t.shape for t in rm.outputs] == [tuple(t.shape) for t in km.outputs]


def _strip_timing(text):
    """Timings, and the backspaces and padding whose count follows their width."""
    text = re.sub(r"\d+(us|ms|s)/step|\x1b\[1m\d+s\x1b\[0m", "T", text)
    return re.sub(r" +\n", "\n", text.replace("\b", ""))


@pytest.mark.parametrize("n, batch_size", [(70, None), (5, None), (64, 32), (10, 3)])
def test_predict_progress_bar_matches_keras(n, batch_size):
    keras.utils.clear_session()
    km = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    rm = r_bridge.Sequential([r_bridge.Input((4,)), rl.Dense(2)])
    x = np.random.default_rng(0).normal(size=(n, 4)).astype("float32")
    kout = io.StringIO()
    with contextlib.redirect_stdout(kout):
        km.predict(x, batch_size=batch_size)
    rerr = io.StringIO()
    with contextlib.redirect_stderr(rerr):
        rm.predict(x, batch_size=batch_size)
    # Same frames (Keras throttles redraws to one per 0.05 s: compare the last).
    kframes = _strip_timing(kout.getvalue()).split("\r")
    rframes = _strip_timing(rerr.getvalue()).split("\r")
    assert rframes[-1] == kframes[-1]
    assert rerr.getvalue().endswith("\n")
