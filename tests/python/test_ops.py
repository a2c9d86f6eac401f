"""r_bridge.ops and KerasTensor operators against real Keras (the Keras venv):
the same symbolic shapes, dtypes and op names, the same values on arrays, and
a Functional model built with them computing what Keras's computes."""

from __future__ import annotations

import numpy as np
import pytest

import r_bridge
from r_bridge import layers, ops

# (description, function of (ops module, x, y)) with x: (None, 4, 3) float32, y: (None, 3) float32
PROGRAMS = [
    ("add", lambda o, x, y: o.add(x, y[:, None, :])),
    ("sub scalar", lambda o, x, y: x - 2),
    ("rsub", lambda o, x, y: 2 - y),
    ("mul", lambda o, x, y: x * y[:, None]),
    ("truediv", lambda o, x, y: x / 2),
    ("rtruediv", lambda o, x, y: 1 / (y + 3)),
    ("floordiv", lambda o, x, y: x // 0.3),
    ("pow", lambda o, x, y: x**2),
    ("neg", lambda o, x, y: -x),
    ("abs", lambda o, x, y: abs(x - 0.5)),
    ("matmul op", lambda o, x, y: x @ o.ones((3, 2))),
    ("matmul 1d", lambda o, x, y: o.matmul(y, o.ones((3,)))),
    ("getitem", lambda o, x, y: x[:, 1:3]),
    ("getitem int", lambda o, x, y: x[:, 0, ::2]),
    ("getitem none", lambda o, x, y: y[:, None, -1]),
    ("getitem ellipsis", lambda o, x, y: x[..., 1]),
    ("less", lambda o, x, y: x < 0.5),
    ("ne", lambda o, x, y: x != y[:, None, :]),
    ("concat", lambda o, x, y: o.concatenate([y, y * 2], axis=-1)),
    ("concat 0", lambda o, x, y: o.concatenate([x, x])),
    ("reshape", lambda o, x, y: o.reshape(x, (-1, 12))),
    ("reshape 3", lambda o, x, y: o.reshape(x, (-1, 2, 6))),
    ("transpose", lambda o, x, y: o.transpose(x, (0, 2, 1))),
    ("transpose none", lambda o, x, y: o.transpose(y)),
    ("expand", lambda o, x, y: o.expand_dims(y, 1)),
    ("expand -1", lambda o, x, y: o.expand_dims(y, -1)),
    ("squeeze", lambda o, x, y: o.squeeze(o.expand_dims(y, 1), 1)),
    ("sum", lambda o, x, y: o.sum(x, axis=1)),
    ("sum all", lambda o, x, y: o.sum(x)),
    ("mean keep", lambda o, x, y: o.mean(x, axis=(1, 2), keepdims=True)),
    ("max", lambda o, x, y: o.max(x, axis=-1)),
    ("min", lambda o, x, y: o.min(y, axis=0)),
    ("sqrt", lambda o, x, y: o.sqrt(x)),
    ("exp", lambda o, x, y: o.exp(y)),
    ("log", lambda o, x, y: o.log(x + 1)),
    ("square", lambda o, x, y: o.square(y)),
    ("cast", lambda o, x, y: o.cast(x, "int32")),
    ("cast back", lambda o, x, y: o.cast(o.cast(x * 10, "int32"), "float32") / 10),
    ("where", lambda o, x, y: o.where(x > 0.5, x, o.zeros((3,)))),
    ("maximum", lambda o, x, y: o.maximum(x, 0.5)),
    ("minimum", lambda o, x, y: o.minimum(y[:, None], x)),
    ("int scalar", lambda o, x, y: o.cast(y, "int32") + 1),
    ("int float", lambda o, x, y: o.cast(y, "int32") * 1.5),
]


def _build(lib, fn):
    x = lib.Input(shape=(4, 3))
    y = lib.Input(shape=(3,))
    out = fn(lib.ops, x, y)
    model = lib.Model([x, y], out)
    names = [n.name for n in model.operations] if hasattr(model, "operations") else None
    return out, model, names


@pytest.mark.parametrize("what,fn", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_symbolic_ops_match_keras(keras, what, fn):
    keras.utils.clear_session()
    k_out, k_model, _ = _build(keras, fn)
    r_out, r_model, _ = _build(r_bridge, fn)
    assert (tuple(r_out.shape), r_out.dtype) == (tuple(k_out.shape), k_out.dtype)
    k_ops = [op.name for op in k_model.operations]
    r_ops = [op.name for op in r_model._operations]
    assert r_ops == k_ops
    assert [layer.name for layer in r_model.layers] == [layer.name for layer in k_model.layers]
    rng = np.random.default_rng(1)
    xs = [rng.random((2, 4, 3)).astype("float32"), rng.random((2, 3)).astype("float32")]
    want = np.asarray(k_model(xs))
    got = np.asarray(r_model(xs))
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    # and eagerly, on the arrays themselves
    eager_k = np.asarray(fn(keras.ops, *xs))
    eager_r = np.asarray(fn(ops, *xs))
    assert eager_r.dtype == eager_k.dtype
    np.testing.assert_allclose(eager_r, eager_k, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "make",
    [
        lambda o: o.ones((2, 3)),
        lambda o: o.zeros(4, dtype="int32"),
        lambda o: o.arange(5),
        lambda o: o.arange(1, 4, 0.5),
        lambda o: o.array([[1, 2], [3, 4]]),
        lambda o: o.array([1.5, 2]),
        lambda o: o.convert_to_tensor([1.0, 2.0]),
        lambda o: o.convert_to_tensor([1, 2], dtype="float16"),
        lambda o: o.add([1, 2], 1.5),
        lambda o: o.mean(o.arange(4)),
        lambda o: o.sum(o.array([True, False, True])),
        lambda o: o.where(o.array([True, False]), 1, 2.0),
    ],
)
def test_array_ops_match_keras(keras, make):
    want = np.asarray(make(keras.ops))
    got = make(ops)
    assert isinstance(got, np.ndarray)
    assert (got.dtype, got.shape) == (want.dtype, want.shape)
    np.testing.assert_allclose(got, want)


@pytest.mark.parametrize(
    "fn",
    [
        lambda o, x: o.matmul(x, o.ones((4, 2))),
        lambda o, x: o.reshape(x, (5, 7)),
        lambda o, x: o.squeeze(x, 1),
        lambda o, x: x + o.ones((2,)),
    ],
)
def test_symbolic_errors_match_keras(keras, fn):
    def error(lib):
        try:
            fn(lib.ops, lib.Input(shape=(3,), batch_size=2))
        except ValueError as e:
            return str(e)
        return None

    keras.utils.clear_session()
    want = error(keras)
    assert want is not None
    assert error(r_bridge) == want


def test_custom_layer_with_ops_in_functional_model(keras):
    """keras-io's custom layer (ops.matmul in call) inside a functional model."""

    def run(lib):
        class Linear(lib.layers.Layer):
            def __init__(self, units=4):
                super().__init__()
                self.units = units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
                self.b = self.add_weight(shape=(self.units,), initializer="zeros")

            def call(self, inputs):
                return lib.ops.matmul(inputs, self.w) + self.b

        inputs = lib.Input(shape=(3,))
        out = Linear(4)(inputs)
        out = out + inputs[:, :1]
        model = lib.Model(inputs, out)
        names = (
            [op.name for op in model.operations] if lib is keras else [op.name for op in model._operations]
        )
        return names, model.predict(np.arange(6, dtype="float32").reshape(2, 3), verbose=0)

    keras.utils.clear_session()
    want = run(keras)
    got = run(r_bridge)
    assert got[0] == want[0]
    np.testing.assert_allclose(got[1], want[1])


def test_ops_without_keras():
    x = r_bridge.Input(shape=(3,))
    y = ops.add(x, 1)
    assert y.shape == (None, 3) and y._keras_history[0].name == "add"
    assert layers.Add().name == "add_1"  # ops and layers share the counters, as in Keras
    model = r_bridge.Model(x, y * 2)
    assert [layer.name for layer in model.layers] == [model.layers[0].name]
    np.testing.assert_allclose(model.predict(np.ones((2, 3)), verbose=0), np.full((2, 3), 4.0))
    with pytest.raises(TypeError, match="cannot be used as a boolean"):
        bool(x)
    with pytest.raises(NotImplementedError, match="Iterating"):
        list(x)
    assert (x == x) is True and (x == y) is False  # == stays identity (!= is an op)
    # a failed symbolic op takes no name
    with pytest.raises(ValueError, match="Inner dimensions"):
        ops.matmul(x, np.ones((4, 2)))
    assert ops.matmul(x, np.ones((3, 2)))._keras_history[0].name == "matmul"


def _ops_model(lib):
    a = lib.Input(shape=(4,), name="a")
    b = lib.Input(shape=(4,), name="b")
    x = lib.layers.Dense(3)(a + b * 2)
    y = -lib.ops.matmul(x, lib.ops.ones((3, 2)))[:, 1:2]
    z = lib.ops.concatenate([y, lib.ops.mean(a, axis=-1, keepdims=True)], axis=-1)
    return lib.Model([a, b], lib.ops.reshape(z, (-1, 2, 1)) / 3)


@pytest.mark.parametrize("direction", ["keras_to_rbridge", "rbridge_to_keras"])
def test_models_with_ops_cross_configs_with_keras(keras, direction):
    """A model using ops on symbolic tensors is written as Keras writes it
    (module keras.src.ops.numpy) and loads both ways, computing the same."""
    import json

    keras.utils.clear_session()
    src, dst = (keras, r_bridge) if direction == "keras_to_rbridge" else (r_bridge, keras)
    model = _ops_model(src)
    serialize = (
        keras.saving.serialize_keras_object if src is keras else r_bridge.saving.serialize_keras_object
    )
    config = json.loads(json.dumps(serialize(model)))
    ops_entries = [entry for entry in config["config"]["layers"] if entry["module"] == "keras.src.ops.numpy"]
    assert sorted(e["class_name"] for e in ops_entries) == sorted(
        ["Multiply", "Add", "Matmul", "GetItem", "Negative", "Mean", "Concatenate", "Reshape", "TrueDivide"]
    )
    mean = next(e for e in ops_entries if e["class_name"] == "Mean")
    assert mean["config"] == {"name": "mean", "axis": -1, "keepdims": True}
    assert all(e["registered_name"] == e["class_name"] for e in ops_entries)
    deserialize = (
        keras.saving.deserialize_keras_object if dst is keras else r_bridge.saving.deserialize_keras_object
    )
    loaded = deserialize(config)
    loaded.set_weights(model.get_weights())
    xs = [np.arange(8, dtype="float32").reshape(2, 4), np.ones((2, 4), dtype="float32")]
    np.testing.assert_allclose(np.asarray(loaded(xs)), np.asarray(model(xs)), rtol=1e-6)

    def names(m):
        return [op.name for op in (m.operations if hasattr(m, "operations") else m._operations)]

    assert names(loaded) == names(model)


def test_keras_files_with_ops_and_new_layers_cross_both_ways(keras, tmp_path):
    """A .keras file of a model with ops, BatchNormalization and a merge layer,
    written by r_bridge, loads in Keras (and back), and Keras's own loads in r_bridge."""
    pytest.importorskip("h5py")
    a = r_bridge.Input((4,))
    x = layers.Dense(3)(a)
    y = layers.BatchNormalization()(layers.add([x, ops.mean(a, axis=-1, keepdims=True) * 2]))
    model = r_bridge.Model(a, y[:, :2])
    rng = np.random.default_rng(2)
    model.set_weights([w + rng.random(w.shape).astype(w.dtype) for w in model.get_weights()])
    xs = rng.random((3, 4)).astype("float32")
    ours = tmp_path / "ours.keras"
    r_bridge.saving.save_model(model, str(ours))
    k_model = keras.saving.load_model(str(ours))
    np.testing.assert_allclose(k_model.predict(xs, verbose=0), model.predict(xs, verbose=0), rtol=1e-5)
    theirs = tmp_path / "theirs.keras"
    k_model.save(str(theirs))
    back = r_bridge.saving.load_model(str(theirs))
    np.testing.assert_allclose(back.predict(xs, verbose=0), model.predict(xs, verbose=0), rtol=1e-5)
    assert [op.name for op in back._operations] == [op.name for op in k_model.operations]
