"""r_bridge.ops without Keras: for each op, the symbolic result's shape and
dtype are those of the eager result (batch axis unknown), a model built
with it computes the eager value, and the eager value is numpy's; plus the
shape errors of the symbolic path."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import ops

RNG = np.random.default_rng(3)
X = RNG.random((2, 4, 3)).astype("float32")
Y = RNG.random((2, 3)).astype("float32")

# (id, function of (ops, x, y), numpy function of (x, y))
PROGRAMS = [
    ("concat axis1", lambda o, x, y: o.concatenate([x, x], axis=1), lambda x, y: np.concatenate([x, x], 1)),
    (
        "concat -1",
        lambda o, x, y: o.concatenate([y, y * 2], axis=-1),
        lambda x, y: np.concatenate([y, y * 2], -1),
    ),
    ("reshape", lambda o, x, y: o.reshape(x, (-1, 2, 6)), lambda x, y: x.reshape(-1, 2, 6)),
    ("reshape int", lambda o, x, y: o.reshape(y, -1), lambda x, y: y.reshape(-1)),
    ("transpose", lambda o, x, y: o.transpose(x, (0, 2, 1)), lambda x, y: x.transpose(0, 2, 1)),
    ("transpose rev", lambda o, x, y: o.transpose(x), lambda x, y: x.T),
    ("expand", lambda o, x, y: o.expand_dims(y, 1), lambda x, y: y[:, None]),
    ("expand many", lambda o, x, y: o.expand_dims(y, (1, -1)), lambda x, y: y[:, None, :, None]),
    ("squeeze axes", lambda o, x, y: o.squeeze(o.expand_dims(y, (1, 2)), (1, 2)), lambda x, y: y),
    (
        "sum keep",
        lambda o, x, y: o.sum(x, axis=(1, 2), keepdims=True),
        lambda x, y: x.sum((1, 2), keepdims=True),
    ),
    ("mean", lambda o, x, y: o.mean(x, axis=-1), lambda x, y: x.mean(-1)),
    ("max", lambda o, x, y: o.max(x, axis=1), lambda x, y: x.max(1)),
    ("min keep", lambda o, x, y: o.min(y, axis=1, keepdims=True), lambda x, y: y.min(1, keepdims=True)),
    ("cast", lambda o, x, y: o.cast(x * 10, "int32"), lambda x, y: (x * 10).astype("int32")),
    ("where", lambda o, x, y: o.where(y > 0.5, y, 0.0), lambda x, y: np.where(y > 0.5, y, np.float32(0))),
    ("where 1 arg", lambda o, x, y: o.where(y > 0.5, y, y * 2), lambda x, y: np.where(y > 0.5, y, y * 2)),
    ("getitem", lambda o, x, y: x[:, 1:3, ::2], lambda x, y: x[:, 1:3, ::2]),
    ("getitem int", lambda o, x, y: x[:, -1], lambda x, y: x[:, -1]),
    ("getitem ellipsis", lambda o, x, y: x[..., None, 0], lambda x, y: x[..., None, 0]),
    ("matmul", lambda o, x, y: o.matmul(x, y[0]), lambda x, y: x @ y[0]),
    ("broadcast", lambda o, x, y: x + y[:, None, :], lambda x, y: x + y[:, None, :]),
    (
        "sqrt exp log",
        lambda o, x, y: o.log(o.exp(o.sqrt(x)) + 1),
        lambda x, y: np.log(np.exp(np.sqrt(x)) + 1),
    ),
    ("maximum", lambda o, x, y: o.maximum(y, 0.5), lambda x, y: np.maximum(y, np.float32(0.5))),
    (
        "square minimum",
        lambda o, x, y: o.minimum(o.square(y), 0.2),
        lambda x, y: np.minimum(y**2, np.float32(0.2)),
    ),
]


@pytest.mark.parametrize("what,fn,np_fn", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_symbolic_matches_eager_and_numpy(what, fn, np_fn):
    r_bridge.clear_session()
    eager = fn(ops, X, Y)
    want = np_fn(X, Y)
    assert isinstance(eager, np.ndarray) and eager.shape == want.shape
    np.testing.assert_allclose(eager, want, rtol=1e-5)
    x, y = r_bridge.Input(shape=(4, 3), batch_size=2), r_bridge.Input(shape=(3,), batch_size=2)
    out = fn(ops, x, y)
    assert out.shape == eager.shape and out.dtype == eager.dtype.name
    got = r_bridge.Model([x, y], out).predict([X, Y], verbose=0)
    assert got.dtype == eager.dtype
    np.testing.assert_allclose(got, eager, rtol=1e-5)


@pytest.mark.parametrize(
    "fn,match",
    [
        (lambda x: ops.concatenate([x, ops.expand_dims(x, 1)]), "should have the same rank"),
        (lambda x: ops.concatenate([x, x[:, :2]], axis=0), "expects all input shapes to be the same"),
        (lambda x: ops.transpose(x, (1, 0, 2)), "axis must be a list of the same length"),
        (lambda x: ops.squeeze(x, 1), "Cannot squeeze axis 1, because the dimension is not 1"),
        (lambda x: ops.reshape(x, (-1, -1)), "at most one unknown dimension"),
        (lambda x: ops.reshape(x, (7,)), "total size of the tensor must be unchanged"),
        (lambda x: x + ops.ones((4,)), "Cannot broadcast shape"),
    ],
)
def test_symbolic_shape_errors(fn, match):
    with pytest.raises(ValueError, match=match):
        fn(r_bridge.Input(shape=(3,), batch_size=2))
    # the eager path refuses the same arrays
    with pytest.raises(ValueError):
        fn(np.ones((2, 3), dtype="float32"))


def test_symbolic_concatenate_fills_unknown_sizes():
    a = r_bridge.Input(shape=(None, 3))
    b = r_bridge.Input(shape=(5, 3))
    assert ops.concatenate([a, b], axis=-1).shape == (None, 5, 6)
    assert ops.concatenate([a, b], axis=1).shape == (None, None, 3)
