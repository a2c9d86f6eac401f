"""r_bridge.api.op and api.activation: keras3's op_*() and activation_*() for the host."""

import numpy as np
import pytest

import r_bridge
from r_bridge import activations, api, session
from r_bridge.models import KerasTensor


def tensor(x):
    return {api.TENSOR: x["handle"]}


def typed(values, dtype):
    return {api.DTYPE: dtype, "value": np.asarray(values, dtype=np.float64)}


def test_activation_on_arrays_gives_a_typed_array():
    x = np.array([[-2.0, 0.5], [3.0, -0.1]])
    out = api.activation("relu", x)
    assert out[api.DTYPE] == "float64"
    np.testing.assert_array_equal(out["value"], np.maximum(x, 0))
    out = api.activation("relu", x, {"negative_slope": 0.5, "max_value": 2.0})
    np.testing.assert_allclose(out["value"], activations.relu(x, negative_slope=0.5, max_value=2.0))


def test_activation_decodes_typed_arrays():
    out = api.activation("relu", typed([[-1, 2]], "int32"))
    assert out["value"].tolist() == [[0.0, 2.0]]
    assert out["value"].dtype == np.float64  # as it crosses; the dtype rides alongside


def test_activation_names_and_refusals():
    a = api.activation("softmax", np.array([1.0, 2.0, 3.0]), {"axis": -1})
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(a["value"], e / e.sum())
    with pytest.raises(ValueError, match="Could not interpret activation function identifier: nope"):
        api.activation("nope", np.ones(2))
    with pytest.raises(ValueError, match="Unknown activation"):
        api.activation(None, np.ones(2))


def test_activation_result_number_is_a_float():
    out = api.activation("sigmoid", 0.0)
    assert out[api.DTYPE] in ("float32", "float64")
    assert out["value"] == 0.5 and type(out["value"]) is float


def test_op_in_refuses_a_layer_as_a_tensor():
    rec = api.make_layer("dense", {"units": 2})
    with pytest.raises(TypeError, match="`x` must be a tensor or an array, not a Dense"):
        api._op_in({api.TENSOR: rec["handle"]}, "x")
    api.release([rec["handle"]])


def test_op_out_refuses_strings():
    with pytest.raises(TypeError, match="dtype <U1 can't be returned"):
        api._op_out(np.array(["a"]))


def test_op_on_arrays():
    out = api.op("add", [np.array([[1.0, 2.0]]), 2.0])
    assert out[api.DTYPE] == "float64"
    assert out["value"].tolist() == [[3.0, 4.0]]
    out = api.op("sum", [typed([[1, 2], [3, 4]], "int32")], {"axis": 0})
    assert out[api.DTYPE] == "int32" and out["value"].tolist() == [4.0, 6.0]
    out = api.op("ones", [[2, 3]], {"dtype": "bool"})
    assert out[api.DTYPE] == "bool" and out["value"].shape == (2, 3)


def test_op_floatx_tag():
    out = api.op("reshape", [typed([1, 2, 3, 4], "floatx"), [2, -1]])
    assert out[api.DTYPE] == "float32" and out["value"].shape == (2, 2)


def test_op_on_tensors_gives_records():
    x = api.make_input(shape=[3])
    out = api.op("add", [tensor(x), tensor(x)])
    assert out["kind"] == "tensor" and out["shape"] == [None, 3]
    assert isinstance(api.table.get(out["handle"]), KerasTensor)
    y = api.op("matmul", [tensor(x), typed(np.ones((3, 4)), "float32")])
    assert y["shape"] == [None, 4]
    api.release([x["handle"], out["handle"], y["handle"]])


def test_unknown_op():
    with pytest.raises(ValueError, match="Unknown op: nope"):
        api.op("nope", [1.0])
    with pytest.raises(ValueError, match="Unknown op: _private"):
        api.op("_private", [1.0])


def test_activation_on_a_symbolic_tensor_is_an_operation_named_as_keras_names_it():
    x = api.make_input(shape=[4])
    names = []
    y = x
    for name in ("relu", "sigmoid", "exponential", "soft_shrink", "relu"):
        y = api.activation(name, tensor(y))
        assert y["kind"] == "tensor" and y["shape"] == [None, 4] and y["dtype"] == "float32"
        names.append(api.table.get(y["handle"])._node.layer.name)
    # Keras 3.15: activations.relu records a ReLU, exponential an Exp.
    assert names == ["re_lu", "sigmoid", "exp", "soft_shrink", "re_lu_1"]
    g = api.activation("glu", tensor(y))
    assert g["shape"] == [None, 2]
    assert api.activation("linear", tensor(x))["handle"] == x["handle"]
    model = api.make_model(tensor(x)[api.TENSOR], g["handle"])
    data = np.array([[-1.0, 0.5, 2.0, -3.0]])
    out = api.predict(model["handle"], data, verbose=0)
    step = np.exp(1 / (1 + np.exp(-np.maximum(data, 0))))
    step = np.maximum(np.where(np.abs(step) > 0.5, step - np.sign(step) * 0.5, 0), 0)
    half = step.shape[1] // 2
    np.testing.assert_allclose(out, step[:, :half] / (1 + np.exp(-step[:, half:])), rtol=1e-6)


def test_activation_that_fails_on_a_tensor_takes_no_name():
    x = api.make_input(shape=[4])
    before = dict(naming_uids())
    with pytest.raises(TypeError, match="bogus"):
        api.activation("relu", tensor(x), {"bogus": 1})
    assert dict(naming_uids()) == before


def naming_uids():
    return session.snapshot()["uids"]


# Activations Keras 3.15 can apply to a KerasTensor (hard_silu, mish and
# sparsemax raise there: Keras converts their input to an array first).
SYMBOLIC_ACTIVATIONS = [
    "relu", "leaky_relu", "relu6", "softmax", "celu", "elu", "selu", "softplus", "softsign", "squareplus",
    "soft_shrink", "sparse_plus", "silu", "gelu", "glu", "tanh", "tanh_shrink", "sigmoid", "sparse_sigmoid",
    "exponential", "hard_sigmoid", "hard_tanh", "hard_shrink", "log_softmax", "log_sigmoid",
]  # fmt: skip


@pytest.mark.parametrize("name", SYMBOLIC_ACTIVATIONS)
def test_symbolic_activation_matches_keras(keras, name):
    """Keras records the same operation (name, class), output shape and dtype,
    and a model built with it predicts the same values."""
    keras.utils.clear_session()
    kx = keras.Input((4,))
    ky = keras.activations.get(name)(kx)
    kop = ky._keras_history[0]
    data = np.array([[-2.0, -0.3, 0.4, 3.0], [1.0, 0.0, -1.0, 0.25]], dtype="float32")
    expected = keras.Model(kx, ky).predict(data, verbose=0)

    r_bridge.clear_session()
    x = api.make_input(shape=[4])
    y = api.activation(name, tensor(x))
    op = api.table.get(y["handle"])._node.layer
    assert (op.name, type(op).__name__) == (kop.name, type(kop).__name__)
    assert (tuple(y["shape"]), y["dtype"]) == (tuple(ky.shape), ky.dtype)
    model = api.make_model(x["handle"], y["handle"])
    np.testing.assert_allclose(api.predict(model["handle"], data, verbose=0), expected, rtol=1e-5, atol=1e-6)
