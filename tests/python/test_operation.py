"""r_bridge.ops.operation: an op node recorded by a symbolic call, and an
op rebuilt from its config (as a loaded model's are), called on arrays and
on tensors, with its output shapes inferred from input shapes."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import ops
from r_bridge.ops.operation import Operation, any_symbolic, operation_class


@pytest.fixture(autouse=True)
def _fresh():
    r_bridge.clear_session()


def test_recorded_op_keeps_its_parameters_and_computes():
    x = r_bridge.Input(shape=(3,))
    y = ops.sum(x, axis=1)
    op = y._keras_history[0]
    assert isinstance(op, Operation) and type(op).__name__ == "Sum"
    assert op.get_config() == {"name": op.name, "axis": 1, "keepdims": False}
    # shapes where the call had tensors
    assert op.compute_output_shape((5, 3)) == (5,)
    data = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(op(data), data.sum(axis=1))
    # called again on a tensor: the output's spec, no second node
    again = op(r_bridge.Input(shape=(4, 2)))
    assert again.shape == (None, 2) and again._node is None
    assert op.compute_output_spec(r_bridge.Input(shape=(7,))).shape == (None,)
    # training= (which a model passes to every node) is ignored
    np.testing.assert_array_equal(op(data, training=False), data.sum(axis=1))


def test_op_with_a_list_argument_infers_shapes_from_a_list():
    x = r_bridge.Input(shape=(3,))
    op = ops.concatenate([x, x * 2], axis=-1)._keras_history[0]
    assert type(op).__name__ == "Concatenate"
    assert op.compute_output_shape([(2, 3), (2, 5)]) == (2, 8)
    assert op.compute_output_shape([(None, 1), (None, 1)]) == (None, 2)


def test_op_from_config_finds_its_function_by_class_name():
    cls = operation_class("Sum")
    assert operation_class("Sum") is cls  # made once
    op = cls.from_config({"name": "total", "axis": 0, "keepdims": True})
    assert op.name == "total" and op.get_config() == {"name": "total", "axis": 0, "keepdims": True}
    data = np.arange(6, dtype="float32").reshape(2, 3)
    np.testing.assert_array_equal(op(data), data.sum(axis=0, keepdims=True))
    # its first symbolic call records its node
    x = r_bridge.Input(shape=(3,), batch_size=2)
    out = op(x)
    assert out.shape == (1, 3) and out._keras_history[0] is op
    model = r_bridge.Model(x, out)
    np.testing.assert_array_equal(model.predict(data, verbose=0), data.sum(axis=0, keepdims=True))


def test_any_symbolic_looks_inside_containers():
    x = r_bridge.Input(shape=(3,))
    assert any_symbolic(1, [2, {"a": x}])
    assert any_symbolic((x,))
    assert not any_symbolic(1, [2, {"a": np.ones(2)}], "x")
