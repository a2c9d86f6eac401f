"""r_bridge.models: Input, Sequential, functional Model, get_source_inputs, summary."""

import numpy as np
import pytest

import r_bridge
from r_bridge import naming
from r_bridge.layers import Activation, Dense, Dropout, Flatten, InputLayer
from r_bridge.models import Functional, Input, KerasTensor, Model, Sequential, get_source_inputs


def forward(layers, x):
    """Compose the numpy forward passes of built Dense/other layers by hand."""
    for layer in layers:
        if isinstance(layer, Dense):
            k, *b = layer.get_weights()
            x = layer.activation(x @ k + (b[0] if b else 0))
        elif isinstance(layer, Flatten):
            x = x.reshape(x.shape[0], -1)
        elif isinstance(layer, Activation):
            x = layer.activation(x)
    return x


# ------------------------------------------------------------------ Input
def test_input_names_layer_and_tensor():
    x = Input((4,))
    assert isinstance(x, KerasTensor)
    assert x.shape == (None, 4)
    assert x.name == "keras_tensor"
    assert x._keras_history[0].name == "input_layer"
    y = Input((2, 3), batch_size=8)
    assert y.shape == (8, 2, 3)
    assert y.name == "keras_tensor_1"
    assert y._keras_history[0].name == "input_layer_1"
    assert y.ndim == 3
    assert naming.uid_counts() == {"input_layer": 2, "keras_tensor": 2}


def test_input_with_explicit_name_names_layer_and_tensor():
    x = Input((4,), name="features")
    assert x.name == "features"
    assert x._keras_history[0].name == "features"
    assert naming.uid_counts() == {}


def test_keras_tensor_repr():
    assert repr(Input((4,))) == "<KerasTensor shape=(None, 4), dtype=float32, name=keras_tensor>"


# ------------------------------------------------------------- Sequential
def test_sequential_names_and_layers():
    a, b = Dense(3), Dense(2)
    m = Sequential([a, b])
    assert m.name == "sequential"
    assert m.layers == [a, b]
    assert Sequential().name == "sequential_1"
    assert Sequential(name="mine").name == "mine"
    assert Sequential().name == "sequential_2"
    assert m.built is False


def test_sequential_with_input_counters_match_keras():
    m = Sequential([Input((4,))])
    assert naming.uid_counts() == {"input_layer": 1, "keras_tensor": 1, "sequential": 1}
    assert m.layers == []
    m.add(Dense(3))
    assert naming.uid_counts() == {
        "input_layer": 1,
        "keras_tensor": 2,
        "sequential": 1,
        "dense": 1,
        "functional": 1,
    }
    assert m.built is True
    m.add(Dense(2))
    assert naming.uid_counts() == {
        "input_layer": 1,
        "keras_tensor": 4,
        "sequential": 1,
        "dense": 2,
        "functional": 2,
    }
    assert [layer.name for layer in m.layers] == ["dense", "dense_1"]
    assert m._output_shape == (None, 2)


def test_unbuilt_sequential_predict_builds():
    m = Sequential([Dense(3), Dense(2), Dense(1)])
    assert naming.uid_counts() == {"dense": 3, "sequential": 1}
    x = np.random.default_rng(0).normal(size=(5, 4))
    y = m.predict(x)
    assert m.built is True
    assert y.shape == (5, 1)
    assert naming.uid_counts() == {
        "dense": 3,
        "sequential": 1,
        "input_layer": 1,
        "keras_tensor": 1 + 3,
        "functional": 1,
    }
    np.testing.assert_allclose(y, forward(m.layers, x.astype(np.float32)), rtol=1e-5)
    # Predicting again does not rebuild.
    m.predict(x)
    assert naming.uid_counts()["functional"] == 1
    assert len(m.layers) == 3


def test_sequential_duplicate_names_in_constructor():
    with pytest.raises(ValueError) as err:
        Sequential([Dense(2, name="a"), Dense(2, name="a")])
    assert str(err.value) == (
        "All layers added to a Sequential model should have unique names. "
        "Name 'a' is already the name of a layer in this model. "
        "Update the `name` argument to pass a unique name."
    )
    assert naming.uid_counts() == {}


def test_sequential_duplicate_name_in_add_leaves_model_unchanged():
    m = Sequential([Input((4,)), Dense(3, name="a")])
    before_counts = naming.uid_counts()
    before_layers = m.layers
    before_functional = m._functional
    with pytest.raises(ValueError, match="Name 'a' is already the name of a layer in this model"):
        m.add(Dense(2, name="a"))
    assert m.layers == before_layers
    assert m._functional is before_functional
    assert naming.uid_counts() == before_counts
    assert m.predict(np.ones((1, 4))).shape == (1, 3)


def test_sequential_same_layer_object_twice_is_shared_like_keras():
    # Keras 3.15 accepts this too: the layer is applied twice with the same weights.
    layer = Dense(4)
    m = Sequential([Input((4,)), layer])
    m.add(layer)
    assert m.layers == [layer, layer]
    x = np.random.default_rng(3).normal(size=(2, 4)).astype(np.float32)
    np.testing.assert_allclose(m.predict(x), forward([layer, layer], x), rtol=1e-5)
    assert m.count_params() == 20


def test_sequential_second_input_is_an_error():
    m = Sequential([Input((4,))])
    m.add(Dense(2))
    before = naming.uid_counts()
    with pytest.raises(ValueError) as err:
        m.add(Input((3,)))
    assert str(err.value) == (
        "Sequential model 'sequential' has already been configured to use input shape (None, 4). "
        "You cannot add a different Input layer to it."
    )
    assert len(m.layers) == 1
    # The failed Input() itself consumed its names (as in Keras: it was made before add()).
    assert naming.uid_counts() == {**before, "input_layer": 2, "keras_tensor": before["keras_tensor"] + 1}


def test_sequential_add_non_layer():
    m = Sequential()
    with pytest.raises(ValueError, match="Only instances of `keras.Layer` can be added"):
        m.add("dense")
    assert m.layers == []


def test_sequential_input_shape_legacy_kwarg():
    with pytest.warns(UserWarning):
        first = Dense(3, input_shape=(4,))
    m = Sequential([first, Dense(2)])
    assert m.built is True
    assert isinstance(m._layers[0], InputLayer)
    assert m._layers[0].batch_shape == (None, 4)
    assert m.layers == [first, m.layers[1]]
    assert naming.uid_counts()["input_layer"] == 1
    assert m.predict(np.ones((2, 4))).shape == (2, 2)


def test_sequential_input_shape_legacy_kwarg_via_add():
    m = Sequential()
    with pytest.warns(UserWarning):
        m.add(Dense(3, input_shape=(5,)))
    assert m._layers[0].batch_shape == (None, 5)
    assert [w.shape for w in m.layers[0].get_weights()] == [(5, 3), (3,)]


def test_sequential_pop():
    m = Sequential([Input((4,)), Dense(3), Dense(2)])
    last = m.pop()
    assert last.name == "dense_1"
    assert [layer.name for layer in m.layers] == ["dense"]
    assert m.predict(np.ones((1, 4))).shape == (1, 3)
    with pytest.raises(ValueError, match="There are no layers"):
        Sequential().pop()


def test_sequential_build_errors():
    with pytest.raises(ValueError, match="cannot be built because it has no layers"):
        Sequential().build((None, 3))
    m = Sequential([Input((4,)), Dense(2)])
    with pytest.raises(ValueError, match="You cannot build it with input_shape"):
        m.build((None, 5))


def test_sequential_predict_equals_numpy():
    r_bridge.set_random_seed(0)
    m = Sequential(
        [Input((2, 3)), Flatten(), Dense(4, activation="relu"), Dropout(0.5), Dense(2, activation="softmax")]
    )
    x = np.random.default_rng(1).normal(size=(7, 2, 3)).astype(np.float32)
    y = m.predict(x)
    np.testing.assert_allclose(y, forward(m.layers, x), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y.sum(-1), 1, rtol=1e-5)


def test_sequential_count_params_get_set_weights():
    m = Sequential([Input((4,)), Dense(3), Dense(2, use_bias=False)])
    assert m.count_params() == 4 * 3 + 3 + 3 * 2
    weights = m.get_weights()
    assert [w.shape for w in weights] == [(4, 3), (3,), (3, 2)]
    new = [np.full(w.shape, i + 1.0) for i, w in enumerate(weights)]
    m.set_weights(new)
    for a, b in zip(m.get_weights(), new):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="weight list of length 2, but the layer was expecting 3 weights"):
        m.set_weights(new[:2])
    with pytest.raises(ValueError, match=r"not compatible with provided weight shape \(2, 3\)"):
        m.set_weights([new[0], new[1], np.ones((2, 3))])
    for a, b in zip(m.get_weights(), new):
        np.testing.assert_array_equal(a, b)


def test_unbuilt_sequential_count_params_raises():
    m = Sequential([Dense(2)])
    with pytest.raises(ValueError, match="but the layer isn't built"):
        m.count_params()


# --------------------------------------------------------------- Functional
def test_functional_names():
    i = Input((4,))
    out = Dense(2)(i)
    m = Model(i, out)
    assert isinstance(m, Functional)
    assert m.name == "functional"
    assert Model(inputs=i, outputs=out).name == "functional_1"
    assert Model(i, out, name="net").name == "net"
    assert Functional(i, out).name == "functional_2"


def test_functional_layers_order_inputs_first():
    i = Input((4,), name="in")
    a = Dense(3, name="a")(i)
    b = Dense(2, name="b")(i)
    c = Dense(5, name="c")(a)
    d = Dropout(0.1, name="d")(b)
    m = Model(i, [c, d])
    # verified against Keras 3.15
    assert [layer.name for layer in m.layers] == ["in", "a", "b", "c", "d"]

    j, k = Input((2,), name="j"), Input((3,), name="k")
    m2 = Model([j, k], [Dense(1, name="x")(k), Dense(1, name="y")(j)])
    assert [layer.name for layer in m2.layers] == ["k", "j", "x", "y"]
    assert isinstance(m2.layers[0], InputLayer)


def test_functional_shared_layer_listed_once():
    x = Input((4,), name="x")
    shared = Dense(4, name="u")
    out = Dense(1, name="v")(shared(shared(x)))
    m = Model(x, out)
    assert [layer.name for layer in m.layers] == ["x", "u", "v"]
    data = np.ones((2, 4), dtype=np.float32)
    np.testing.assert_allclose(m.predict(data), forward([shared, shared, m.layers[2]], data), rtol=1e-5)
    assert m.count_params() == 20 + 5


def test_functional_duplicate_names():
    i = Input((4,))
    x = Dense(2, name="a")(i)
    y = Dense(2, name="a")(x)
    before = naming.uid_counts()
    with pytest.raises(ValueError) as err:
        Model(i, y)
    assert (
        str(err.value) == 'The name "a" is used 2 times in the model. All operation names should be unique.'
    )
    assert naming.uid_counts() == before


def test_graph_disconnected():
    a = Input((4,))
    b = Input((4,))
    y = Dense(2)(b)
    before = naming.uid_counts()
    with pytest.raises(ValueError, match="Output with path `` is not connected to `inputs`"):
        Model(a, y)
    assert naming.uid_counts() == before


def test_functional_bad_inputs():
    with pytest.raises(ValueError, match="`inputs` argument cannot be empty"):
        Model([], [])
    with pytest.raises(ValueError, match="All `inputs` values must be KerasTensors"):
        Model([np.ones(3)], Input((3,)))
    assert "functional" not in naming.uid_counts()


def test_functional_multi_output_predict_equals_numpy():
    i = Input((3,))
    h = Dense(4, activation="tanh")(i)
    o1 = Dense(2)(h)
    o2 = Dense(1, activation="sigmoid")(h)
    m = Model(i, [o1, o2])
    x = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    y1, y2 = m.predict(x)
    hidden, d1, d2 = m.layers[1:]
    hv = forward([hidden], x)
    np.testing.assert_allclose(y1, forward([d1], hv), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y2, forward([d2], hv), rtol=1e-5, atol=1e-7)
    assert m._output_shape == [(None, 2), (None, 1)]


def test_functional_multi_input_predict():
    a, b = Input((2,)), Input((3,))
    da, db = Dense(1), Dense(1)
    m = Model([a, b], [da(a), db(b)])
    xa, xb = np.ones((4, 2)), np.full((4, 3), 2.0)
    ya, yb = m.predict([xa, xb])
    np.testing.assert_allclose(ya, forward([da], xa.astype(np.float32)), rtol=1e-5)
    np.testing.assert_allclose(yb, forward([db], xb.astype(np.float32)), rtol=1e-5)
    with pytest.raises(ValueError, match=r"expects 2 named input\(s\) with keys"):
        m.predict([xa])


def test_functional_output_is_input():
    i = Input((3,))
    m = Model(i, i)
    np.testing.assert_array_equal(m.predict(np.ones((2, 3))), np.ones((2, 3)))
    assert m.count_params() == 0


def test_functional_symbolic_call():
    i = Input((3,))
    m = Model(i, Dense(2)(i))
    j = Input((3,))
    before = naming.uid_counts()
    out = m(j)
    assert out.shape == (None, 2)
    assert out._node.layer is m
    # one new output tensor, as in Keras
    assert naming.uid_counts() == {**before, "keras_tensor": before["keras_tensor"] + 1}
    outer = Model(j, out)
    assert [layer.name for layer in outer.layers] == [j._node.layer.name, m.name]
    x = np.ones((2, 3))
    np.testing.assert_allclose(outer.predict(x), m.predict(x))
    with pytest.raises(ValueError, match=r"expects 2 named input\(s\)"):
        Model([i, j], [Dense(1)(i), Dense(1)(j)])(Input((3,)))


def test_get_source_inputs():
    a, b = Input((2,)), Input((2,))
    h = Dense(2)(a)
    assert get_source_inputs(h) == [a]
    assert get_source_inputs(a) == [a]
    m_out = Dense(1)(Dense(2)(b))
    assert r_bridge.get_source_inputs(m_out) == [b]
    with pytest.raises(ValueError, match="`tensor` must be a KerasTensor"):
        get_source_inputs(np.ones(2))


# ----------------------------------------------------------------- summary
def test_summary_text():
    m = Sequential([Input((4,)), Dense(3), Dense(2, activation="relu")], name="my_model")
    text = m.summary_text()
    assert 'Model: "my_model"' in text
    lines = text.splitlines()
    row = next(line for line in lines if "dense (Dense)" in line)
    assert "(None, 3)" in row and row.rstrip("│ ").endswith("15")
    row1 = next(line for line in lines if "dense_1 (Dense)" in line)
    assert "(None, 2)" in row1 and row1.rstrip("│ ").endswith("8")
    assert " Total params: 23 (92.00 B)" in lines
    assert " Trainable params: 23 (92.00 B)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines
    assert "input_layer" not in text


def test_summary_prints_and_print_fn(capsys):
    i = Input((2,))
    m = Model(i, Dense(1)(i))
    assert m.summary() is None
    printed = capsys.readouterr().out
    assert 'Model: "functional"' in printed
    assert "input_layer (InputLayer)" in printed
    assert "(None, 2)" in printed
    assert "Total params: 3 " in printed
    got = []
    m.summary(print_fn=got.append)
    assert got == [m.summary_text()]


def test_summary_unbuilt_and_non_trainable():
    m = Sequential([Dense(3)])
    text = m.summary_text()
    assert "dense (Dense)" in text and "0 (unbuilt)" in text and "Total params: 0" in text
    i = Input((10,))
    frozen = Dense(100, trainable=False)
    m2 = Model(i, frozen(i))
    text2 = m2.summary_text()
    assert " Total params: 1,100 (4.30 KB)" in text2
    assert " Trainable params: 0 (0.00 B)" in text2
    assert " Non-trainable params: 1,100 (4.30 KB)" in text2


def test_model_base_class():
    m = Model()
    assert type(m) is Model
    assert m.name == "model"
    assert m.layers == [] and m.weights == []


def test_sequential_inputs_outputs_once_built():
    m = Sequential([Input((3,)), Dense(2)])
    assert [t.shape for t in m.inputs] == [(None, 3)]
    assert [t.shape for t in m.outputs] == [(None, 2)]
    with pytest.raises(AttributeError, match="has no defined inputs yet"):
        _ = Sequential(name="empty").inputs


# ------------------------------------------------ Keras behaviours (issue 11)
def test_functional_input_checks_use_keras_messages():
    i = Input((4,))
    m = Model(i, Dense(2)(i))
    for call in (m, m.predict):
        with pytest.raises(ValueError, match=r"expected shape=\(None, 4\), found shape=\(2, 3\)"):
            call(np.zeros((2, 3)))
    with pytest.raises(
        ValueError, match=r"(?s)Invalid input shape for input .* with name 'keras_tensor' and path ''"
    ):
        m(np.zeros((2, 4, 5)))
    assert m(np.ones((2, 4, 1))).shape == (2, 2)  # a trailing 1 is squeezed, as in Keras
    j = Input((3, 1))
    assert Model(j, Dense(2)(j))(np.ones((5, 3))).shape == (5, 3, 2)  # and added


def test_functional_dict_and_nested_inputs_and_outputs():
    i1, i2, i3 = Input((1,), name="one"), Input((2,), name="two"), Input((3,), name="three")
    d1, d2, d3 = Dense(1), Dense(2), Dense(3)
    m = Model({"one": i1, "others": {"two": i2, "three": i3}}, {"a": d1(i1), "rest": [d2(i2), d3(i3)]})
    x = {"one": np.ones((4, 1)), "others": {"two": np.ones((4, 2)), "three": np.ones((4, 3))}}
    out = m.predict(x, verbose=0)
    assert set(out) == {"a", "rest"} and isinstance(out["rest"], list)
    np.testing.assert_allclose(out["rest"][1], forward([d3], np.ones((4, 3), np.float32)), rtol=1e-6)
    sym = m({"one": Input((1,)), "others": {"two": Input((2,)), "three": Input((3,))}})
    assert [t.shape for t in sym["rest"]] == [(None, 2), (None, 3)]


def test_functional_list_model_takes_a_dict_by_input_names():
    a, b = Input((2,), name="a"), Input((3,), name="b")
    m = Model([a, b], [Dense(1)(a), Dense(1)(b)])
    by_name = m({"a": np.ones((2, 2)), "b": np.ones((2, 3))})
    by_list = m([np.ones((2, 2)), np.ones((2, 3))])
    for got, want in zip(by_name, by_list):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match='Missing data for input "b"'):
        m({"a": np.ones((2, 2))})


def test_functional_symbolic_call_multi_output_then_run():
    i = Input((3,))
    h = Dense(4)(i)
    inner = Model(i, [Dense(2)(h), Dense(1)(h)])
    j = Input((3,))
    o1, o2 = inner(j)
    assert (o1.shape, o2.shape) == ((None, 2), (None, 1))
    outer = Model(j, [o1, o2])
    x = np.random.default_rng(0).normal(size=(5, 3))
    for got, want in zip(outer.predict(x, verbose=0), inner.predict(x, verbose=0)):
        np.testing.assert_allclose(got, want)


def test_functional_from_intermediate_tensor_builds_an_input_layer():
    i = Input((3,))
    d1, d2, d3 = Dense(4, name="d1"), Dense(5, name="d2"), Dense(2, name="d3")
    x1 = d1(i)
    x2 = d2(x1)
    out = d3(x2)
    tail = Model(x1, out)
    assert isinstance(tail.layers[0], InputLayer)
    assert [layer.name for layer in tail.layers[1:]] == ["d2", "d3"]
    assert tail.count_params() == 4 * 5 + 5 + 5 * 2 + 2
    h = np.random.default_rng(1).normal(size=(6, 4)).astype(np.float32)
    np.testing.assert_allclose(tail.predict(h, verbose=0), forward([d2, d3], h), rtol=1e-5, atol=1e-6)


def test_model_layers_setter_and_get_layer_errors():
    i = Input((3,))
    m = Model(i, Dense(2, name="d")(i))
    with pytest.raises(AttributeError, match="`Model.layers` attribute is reserved"):
        m.layers = []
    with pytest.raises(AttributeError, match=r"Use `add\(\)` and `pop\(\)`"):
        Sequential().layers = []
    assert m.get_layer("d") is m.layers[1] and m.get_layer(index=1) is m.layers[1]
    with pytest.raises(ValueError, match="No such layer: e. Existing layers are"):
        m.get_layer("e")
    with pytest.raises(
        ValueError, match="Was asked to retrieve layer at index 5 but model only has 2 layers"
    ):
        m.get_layer(index=5)
    with pytest.raises(ValueError, match="Provide only a layer name or a layer index"):
        m.get_layer("d", 0)
    with pytest.raises(ValueError, match="Provide either a layer name or layer index"):
        m.get_layer()


def test_sequential_empty_call_raises_keras_error():
    with pytest.raises(ValueError, match="cannot be built because it has no layers"):
        Sequential()(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="cannot be built because it has no layers"):
        Sequential().predict(np.zeros((3, 2)), verbose=0)


def test_sequential_shapes_as_keras():
    m = Sequential([Dense(4)], name="s")
    for attr in ("input_shape", "output_shape", "inputs", "outputs"):
        assert not hasattr(m, attr)
    with pytest.raises(AttributeError, match="Sequential model 's' has no defined output shape yet"):
        _ = m.output_shape
    m(np.zeros((3, 2)))  # built for the shape of its first input, as Keras
    assert (m.input_shape, m.output_shape) == ((3, 2), (3, 4))
    m2 = Sequential([Dense(4)])
    m2.build((None, 2))
    assert m2.output_shape == (None, 4)
    assert Sequential([Input((2,)), Dense(4)]).output_shape == (None, 4)


class _TwoInputs(r_bridge.layers.Layer):
    def call(self, a, b):
        return a

    def compute_output_shape(self, a, b=None):
        return a


def test_sequential_rejects_layer_with_several_required_inputs():
    m = Sequential()
    m.add(_TwoInputs())
    with pytest.raises(ValueError, match="can only have a single required positional argument"):
        m.build((None, 2))
    assert not m.built and len(m.layers) == 1
    with pytest.raises(ValueError, match="can only have a single required positional argument"):
        Sequential([Input((2,)), _TwoInputs()])


def _interrupt_after(n_lines):
    """A trace function raising KeyboardInterrupt at the ``n_lines``-th line run."""
    count = [0]

    def tracer(frame, event, arg):
        if event == "line":
            count[0] += 1
            if count[0] == n_lines:
                raise KeyboardInterrupt
        return tracer

    return tracer, count


def _pop_with_interrupt(n_lines):
    import sys

    m = Sequential([Input((4,)), Dense(3), Dense(5), Dense(2)])
    before = (list(m.layers), m._functional)
    tracer, count = _interrupt_after(n_lines)
    previous = sys.gettrace()  # coverage's tracer, when the suite measures coverage
    sys.settrace(tracer)
    try:
        m.pop()
        interrupted = False
    except KeyboardInterrupt:
        interrupted = True
    finally:
        sys.settrace(previous)
    return m, before, interrupted, count[0]


def test_sequential_pop_interrupted_anywhere_keeps_or_fully_pops():
    _, _, interrupted, total = _pop_with_interrupt(0)  # count the lines of a whole pop
    assert not interrupted and total > 50
    rng = np.random.default_rng(11)
    points = sorted(
        set(range(1, 40)) | set(range(total - 40, total + 1)) | set(rng.integers(1, total, 120).tolist())
    )
    for n in points:
        r_bridge.clear_session(free_memory=False)
        m, (layers, functional), interrupted, _ = _pop_with_interrupt(n)
        if m.layers == layers:  # as before
            assert m._functional is functional and m.built
            assert m.predict(np.ones((1, 4)), verbose=0).shape == (1, 2)
        else:  # fully popped
            assert m.layers == layers[:-1], n
            assert m.built and m._functional is not functional
            assert m.predict(np.ones((1, 4)), verbose=0).shape == (1, 5)


class _BatchRecorder(r_bridge.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.sizes = []

    def call(self, x):
        self.sizes.append(len(x))
        return x * 2

    def compute_output_shape(self, shape):
        return shape


def test_predict_batches_like_keras_and_equals_one_shot(capsys):
    rec = _BatchRecorder()
    m = Sequential([Input((2,)), rec])
    x = np.arange(140, dtype=np.float32).reshape(70, 2)
    y = m.predict(x, verbose=0)
    assert rec.sizes == [32, 32, 6]
    np.testing.assert_array_equal(y, m(x))
    rec.sizes.clear()
    assert m.predict(x, batch_size=10, steps=3, verbose=0).shape == (30, 2)
    assert rec.sizes == [10, 10, 10]
    rec.sizes.clear()
    assert m.predict(x, steps=5, verbose=0).shape == (70, 2)  # Keras: 5 batches of 14
    assert rec.sizes == [14] * 5
    assert capsys.readouterr() == ("", "")


def test_predict_progress_bar_on_stderr_unless_silent(capsys):
    m = Sequential([Input((2,)), Dense(1)])
    x = np.ones((70, 2))
    m.predict(x)
    out, err = capsys.readouterr()
    # (the last frame is padded to the previous one's width: timing-dependent)
    assert out == "" and "\x1b[1m3/3\x1b[0m" in err and err.endswith("\n")
    assert err.rstrip().endswith("/step")
    m.predict(x, verbose=2)
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("3/3 - ") and err.endswith("/step\n")
    r_bridge.config.disable_interactive_logging()
    m.predict(x)
    assert capsys.readouterr() == ("", "")


def test_predict_input_errors():
    m = Model(i := Input((2,)), Dense(1)(i))
    with pytest.raises(ValueError, match="`batch_size` must be a positive integer"):
        m.predict(np.ones((3, 2)), batch_size=0)
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        Model([a := Input((1,)), b := Input((1,))], [Dense(1)(a), Dense(1)(b)]).predict(
            [np.ones((3, 1)), np.ones((4, 1))], verbose=0
        )


def test_predict_calls_callbacks_and_can_be_stopped():
    m = Sequential([Input((2,)), Dense(1)])
    events = []

    class Recorder:
        def set_model(self, model):
            events.append(("model", model is m))

        def on_predict_begin(self, logs=None):
            events.append("begin")

        def on_predict_batch_end(self, batch, logs=None):
            events.append(("batch", batch, logs["outputs"].shape))
            if batch == 1:
                m.stop_predicting = True

        def on_predict_end(self, logs=None):
            events.append("end")

    y = m.predict(np.ones((100, 2)), verbose=0, callbacks=[Recorder()])
    assert y.shape == (64, 1)
    assert events == [("model", True), "begin", ("batch", 0, (32, 1)), ("batch", 1, (32, 1)), "end"]
