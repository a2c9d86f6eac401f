"""r_bridge.tree: the one walker of nested structures (Keras's ``tree`` rules)."""

import numpy as np

from r_bridge import tree
from r_bridge.layers import Layer
from r_bridge.models import Input


def test_dicts_flatten_by_sorted_key_and_rebuild_in_their_own_order():
    x = {"b": 1, "a": [2, (3, None)], "c": {"z": 4, "y": 5}}
    assert tree.flatten(x) == [2, 3, None, 1, 5, 4]
    doubled = tree.map_structure(lambda v: None if v is None else 2 * v, x)
    assert doubled == {"b": 2, "a": [4, (6, None)], "c": {"z": 8, "y": 10}}
    assert list(doubled) == ["b", "a", "c"] and list(doubled["c"]) == ["z", "y"]
    assert tree.pack_sequence_as(x, range(6)) == {"b": 3, "a": [0, (1, 2)], "c": {"z": 5, "y": 4}}


def test_keys_that_cannot_be_compared_keep_their_order():
    assert tree.flatten({"a": 1, 0: 2}) == [1, 2]


def test_is_nested():
    assert tree.is_nested([]) and tree.is_nested({"a": 1}) and tree.is_nested((1,))
    assert not tree.is_nested(1) and not tree.is_nested(None) and not tree.is_nested(np.zeros(2))


def test_one_shape_rule_numpy_integers_included():
    assert tree.is_shape((None, 3)) and tree.is_shape([np.int64(2), None]) and tree.is_shape(())
    assert not tree.is_shape(((None, 3),)) and not tree.is_shape((1.5,))
    shapes = {"b": (None, np.int32(4)), "a": [(None, 2), (3,)]}
    assert tree.flatten_shapes(shapes) == [(None, 2), (3,), (None, np.int32(4))]
    assert tree.map_shape_structure(len, shapes) == {"b": 2, "a": [2, 1]}


def test_a_layer_called_on_a_dict_sees_its_tensors_in_sorted_key_order():
    # As Keras: the node's inputs are the flat (sorted) tensors.
    b, a = Input(shape=(2,), name="b"), Input(shape=(2,), name="a")

    class Sum(Layer):
        def compute_output_shape(self, input_shape):
            return input_shape["a"]

        def call(self, inputs):
            return inputs["a"] + inputs["b"]

    out = Sum()({"b": b, "a": a})
    assert [t.name for t in out._node.inputs] == ["a", "b"]
