"""KerasTensor's Python operators (forward and reflected): each records the
r_bridge.ops op it stands for, and a model built with it computes what the
same operator computes on numpy arrays (runs without Keras; the Keras
comparison of op names and values is in test_ops.py, in the Keras venv)."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import r_bridge
from r_bridge import ops
from r_bridge.tensor import KerasTensor

# (operator, the ops function it must record, the other operand); the
# tensor is on the left, then (reflected) on the right.
BINARY = [
    (operator.add, ops.add, 1.5),
    (operator.sub, ops.subtract, 1.5),
    (operator.mul, ops.multiply, 1.5),
    (operator.truediv, ops.true_divide, 1.5),
    (operator.floordiv, ops.floor_divide, 0.3),
    (operator.mod, ops.mod, 0.7),
    (operator.pow, ops.power, 2.0),
    (operator.lt, ops.less, 0.5),
    (operator.le, ops.less_equal, 0.5),
    (operator.gt, ops.greater, 0.5),
    (operator.ge, ops.greater_equal, 0.5),
    (operator.ne, ops.not_equal, 0.5),
]
REFLECTED = BINARY[:7]  # comparisons reflect onto each other, not onto r-methods
LOGICAL = [
    (operator.and_, ops.logical_and),
    (operator.or_, ops.logical_or),
    (operator.xor, ops.logical_xor),
]


def _op_name(t: KerasTensor) -> str:
    return t._keras_history[0].name


def _strip_suffix(name: str) -> str:
    base, _, tail = name.rpartition("_")
    return base if tail.isdigit() else name


def _data(shape=(2, 3)) -> np.ndarray:
    return (np.arange(np.prod(shape), dtype="float32").reshape(shape) / 3 + 0.25).astype("float32")


@pytest.mark.parametrize("op,fn,other", BINARY, ids=[b[0].__name__ for b in BINARY])
def test_binary_operator_records_its_op_and_computes_numpys_value(op, fn, other):
    x = r_bridge.Input(shape=(3,))
    out = op(x, other)
    ref = fn(r_bridge.Input(shape=(3,)), other)
    assert _strip_suffix(_op_name(out)) == _strip_suffix(_op_name(ref))
    assert (out.shape, out.dtype) == (ref.shape, ref.dtype)
    data = _data()
    got = r_bridge.Model(x, out).predict(data, verbose=0)
    want = op(data, np.float32(other))
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("op,fn,other", REFLECTED, ids=[b[0].__name__ for b in REFLECTED])
def test_reflected_operator_puts_the_scalar_first(op, fn, other):
    x = r_bridge.Input(shape=(3,))
    out = op(other, x)
    assert _strip_suffix(_op_name(out)) == _strip_suffix(_op_name(fn(other, r_bridge.Input(shape=(3,)))))
    data = _data()
    got = r_bridge.Model(x, out).predict(data, verbose=0)
    np.testing.assert_allclose(got, op(np.float32(other), data), rtol=1e-6)
    if op not in (operator.add, operator.mul):  # the order matters for the others
        assert not np.allclose(got, op(data, np.float32(other)))


def test_matmul_both_ways():
    x = r_bridge.Input(shape=(3,))
    w = _data((3, 2))
    out = x @ w
    assert out.shape == (None, 2) and _strip_suffix(_op_name(out)) == "matmul"
    data = _data()
    np.testing.assert_allclose(r_bridge.Model(x, out).predict(data, verbose=0), data @ w, rtol=1e-6)
    x3 = r_bridge.Input(shape=(3, 3), batch_size=2)
    left = _data((3, 3)).T
    rout = left.tolist() @ x3  # a list has no __matmul__: Python asks the tensor
    assert rout.shape == (2, 3, 3) and _strip_suffix(_op_name(rout)) == "matmul"
    data3 = _data((2, 3, 3))
    np.testing.assert_allclose(r_bridge.Model(x3, rout).predict(data3, verbose=0), left @ data3, rtol=1e-5)


@pytest.mark.parametrize("op,fn", LOGICAL, ids=[b[0].__name__ for b in LOGICAL])
def test_logical_operators_both_ways(op, fn):
    x = r_bridge.Input(shape=(4,), dtype="bool")
    mask = np.array([True, False, True, False])
    # a list has no __and__/__or__/__xor__: Python asks the tensor (__rand__, ...)
    forward, reflected = op(x, mask), op(mask.tolist(), x)
    for out in (forward, reflected):
        assert out.dtype == "bool" and out.shape == (None, 4)
        assert _strip_suffix(_op_name(out)) == _strip_suffix(_op_name(fn(x, mask)))
    data = np.array([[True, True, False, False]])
    got_f, got_r = r_bridge.Model(x, [forward, reflected]).predict(data, verbose=0)
    np.testing.assert_array_equal(got_f, op(data, mask))
    np.testing.assert_array_equal(got_r, op(mask, data))


@pytest.mark.parametrize(
    "op,name,want",
    [
        (operator.neg, "negative", np.negative),
        (operator.abs, "absolute", np.absolute),
    ],
)
def test_unary_operators(op, name, want):
    x = r_bridge.Input(shape=(3,))
    out = op(x - 1)
    assert _strip_suffix(_op_name(out)) == name
    data = _data()
    np.testing.assert_allclose(r_bridge.Model(x, out).predict(data, verbose=0), want(data - 1), rtol=1e-6)


def test_invert_is_logical_not():
    x = r_bridge.Input(shape=(2,), dtype="bool")
    out = ~x
    assert _strip_suffix(_op_name(out)) == "logical_not" and out.dtype == "bool"
    data = np.array([[True, False]])
    np.testing.assert_array_equal(r_bridge.Model(x, out).predict(data, verbose=0), ~data)


def test_reshape_and_squeeze_methods():
    x = r_bridge.Input(shape=(2, 3), batch_size=4)
    flat = x.reshape((4, 6))
    assert flat.shape == (4, 6) and _strip_suffix(_op_name(flat)) == "reshape"
    one = x[:, :1, :]
    squeezed = one.squeeze(1)
    assert squeezed.shape == (4, 3) and _strip_suffix(_op_name(squeezed)) == "squeeze"
    all_squeezed = r_bridge.Input(shape=(1, 3), batch_size=1).squeeze()
    assert all_squeezed.shape == (3,)
    data = _data((4, 2, 3))
    got_flat, got_sq = r_bridge.Model(x, [flat, squeezed]).predict(data, verbose=0)
    np.testing.assert_array_equal(got_flat, data.reshape(4, 6))
    np.testing.assert_array_equal(got_sq, data[:, 0, :])


def test_tensor_protocols():
    x = r_bridge.Input(shape=(3,))
    assert (x.ndim, x.sparse, x.ragged) == (2, False, False)
    assert repr(x) == f"<KerasTensor shape=(None, 3), dtype=float32, name={x.name}>"
    # defining __ne__ keeps tensors hashable and == is identity
    assert {x: 1}[x] == 1 and (x == x) is True
    assert (x == r_bridge.Input(shape=(3,))) is False
    with pytest.raises(ValueError, match="You cannot convert it to a NumPy array"):
        np.asarray(x)
    unattached = KerasTensor((None, 2))
    assert unattached._keras_history is None
    with pytest.raises(TypeError, match="cannot be used as a boolean"):
        bool(x > 0)


@pytest.mark.parametrize(
    "shape,match",
    [
        ("32", r"Cannot convert '32' to a shape\.$"),
        (5, r"Cannot convert '5' to a shape\.$"),
        ((2, 1.5), r"Found invalid dimension '1\.5' of type '<class 'float'>'"),
        ((2, "a"), r"Found invalid dimension 'a'"),
        ((2, True), r"Found invalid dimension 'True'"),
        ((2, object()), r"Found invalid dimension"),
        ((2, -1), "Negative dimensions are not allowed"),
    ],
)
def test_standardize_shape_rejects(shape, match):
    from r_bridge.tensor import standardize_shape

    with pytest.raises(ValueError, match=match):
        standardize_shape(shape)


def test_standardize_shape_accepts_ints_and_none():
    from r_bridge.tensor import standardize_shape

    assert standardize_shape([None, np.int64(3), 4]) == (None, 3, 4)
