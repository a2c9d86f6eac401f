"""r_bridge.layers: Dense, Dropout, Activation, Flatten, InputLayer and the Layer base."""

import numpy as np
import pytest

from r_bridge import activations, naming
from r_bridge.layers import Activation, Dense, Dropout, Flatten, InputLayer, Layer
from r_bridge.models import Input


def built_dense(units=3, in_dim=2, **kwargs):
    layer = Dense(units, **kwargs)
    layer(np.zeros((1, in_dim)))
    return layer


# ------------------------------------------------------------------ Dense
def test_dense_builds_on_first_call():
    layer = Dense(3)
    assert layer.built is False
    assert layer.weights == []
    layer(np.ones((5, 2)))
    assert layer.built is True
    kernel, bias = layer.get_weights()
    assert kernel.shape == (2, 3)
    assert bias.shape == (3,)
    assert layer._weight_names == ["kernel", "bias"]
    np.testing.assert_array_equal(bias, np.zeros(3))
    assert kernel.dtype == np.float32


def test_dense_builds_on_symbolic_call():
    x = Input((4,))
    layer = Dense(5)
    y = layer(x)
    assert y.shape == (None, 5)
    assert [w.shape for w in layer.get_weights()] == [(4, 5), (5,)]
    assert y._keras_history[0] is layer


@pytest.mark.parametrize(
    "activation, fn",
    [
        (None, lambda z: z),
        ("linear", lambda z: z),
        ("relu", lambda z: np.maximum(z, 0)),
        ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
        ("tanh", np.tanh),
        ("softmax", lambda z: np.exp(z) / np.exp(z).sum(-1, keepdims=True)),
        ("softplus", lambda z: np.log1p(np.exp(z))),
        ("softsign", lambda z: z / (1 + np.abs(z))),
        ("elu", lambda z: np.where(z > 0, z, np.exp(z) - 1)),
        ("relu6", lambda z: np.clip(z, 0, 6)),
        ("silu", lambda z: z / (1 + np.exp(-z))),
        ("swish", lambda z: z / (1 + np.exp(-z))),
        ("exponential", np.exp),
        (np.negative, np.negative),
    ],
)
def test_dense_forward_equals_numpy(activation, fn):
    rng = np.random.default_rng(0)
    layer = Dense(4, activation=activation)
    x = rng.normal(size=(6, 3)) * 3
    layer(x[:1])
    kernel = rng.normal(size=(3, 4))
    bias = rng.normal(size=4)
    layer.set_weights([kernel, bias])
    expected = fn(x.astype(np.float32) @ kernel.astype(np.float32) + bias.astype(np.float32))
    np.testing.assert_allclose(layer(x), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(layer.predict(x), expected, rtol=1e-5, atol=1e-6)


def test_selu_constants():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(
        activations.selu(z), 1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * (np.exp(z) - 1))
    )


def test_dense_without_bias():
    layer = Dense(2, use_bias=False)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    layer(x)
    (kernel,) = layer.get_weights()
    assert kernel.shape == (3, 2)
    assert layer.count_params() == 6
    np.testing.assert_allclose(layer(x), x @ kernel, rtol=1e-6)


def test_dense_units_validation_consumes_no_name():
    for bad in (0, -1, 2.5, "3", True, None):
        with pytest.raises(ValueError) as err:
            Dense(bad)
        assert str(err.value) == (
            f"Received an invalid value for `units`, expected a positive integer. Received: units={bad}"
        )
    assert naming.uid_counts() == {}
    assert Dense(np.int64(2)).units == 2


def test_unknown_activation_error():
    with pytest.raises(ValueError) as err:
        Dense(2, activation="nope")
    assert str(err.value) == "Could not interpret activation function identifier: nope"
    with pytest.raises(ValueError, match="Could not interpret activation"):
        Activation("nope")
    with pytest.raises(ValueError, match="Could not interpret activation"):
        Activation(3)
    assert naming.uid_counts() == {}


def test_use_bias_must_be_bool():
    with pytest.raises(TypeError, match="`use_bias` must be a bool"):
        Dense(2, use_bias=1)
    assert naming.uid_counts() == {}


def test_dense_requires_defined_last_dimension():
    x = Input(batch_shape=(None, None))
    with pytest.raises(ValueError, match="last dimension of the inputs to a Dense layer should be defined"):
        Dense(2)(x)


def test_output_shape():
    layer = Dense(7)
    assert layer.compute_output_shape((None, 5, 3)) == (None, 5, 7)
    assert layer(np.ones((2, 5, 3))).shape == (2, 5, 7)


# ---------------------------------------------------------------- Dropout
def test_dropout_identity_at_inference():
    layer = Dropout(0.5)
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    np.testing.assert_array_equal(layer(x), x)
    np.testing.assert_array_equal(layer.predict(x), x)


def test_dropout_training_drops_and_scales():
    layer = Dropout(0.5, seed=1)
    x = np.ones((200, 50), dtype=np.float32)
    y = layer(x, training=True)
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.3 < (y == 0).mean() < 0.7


def test_dropout_consumes_seed_generator_name():
    Dropout(0.1)
    Dropout(0.2)
    assert naming.uid_counts() == {"dropout": 2, "seed_generator": 2}


@pytest.mark.parametrize("bad", [1.5, -0.1, "0.5", None, True])
def test_dropout_rate_validation(bad):
    Dropout(0.1)
    before = naming.uid_counts()
    with pytest.raises(ValueError) as err:
        Dropout(bad)
    assert str(err.value) == (
        "Invalid value received for argument `rate`. Expected a float value "
        f"between 0 and 1. Received: rate={bad}"
    )
    assert naming.uid_counts() == before
    assert Dropout(0.2).name == "dropout_1"


@pytest.mark.parametrize("rate", [0, 1, 0.0, 1.0])
def test_dropout_rate_bounds_accepted(rate):
    assert Dropout(rate).rate == float(rate)


# ------------------------------------------------------ Activation, Flatten
def test_activation_layer():
    layer = Activation("relu")
    assert layer.name == "activation"
    assert layer.built is True
    np.testing.assert_array_equal(layer(np.array([[-1.0, 2.0]])), [[0.0, 2.0]])
    assert Activation(np.abs)(np.array([[-3.0]]))[0, 0] == 3.0
    assert layer.count_params() == 0


def test_flatten_shapes():
    layer = Flatten()
    assert layer.name == "flatten"
    assert layer.compute_output_shape((None, 4, 5)) == (None, 20)
    assert layer.compute_output_shape((None, 4, None)) == (None, None)
    assert layer.compute_output_shape((8, 2, 3, 4)) == (8, 24)
    x = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(layer(x), x.reshape(2, 12))
    y = layer(Input((3, 4)))
    assert y.shape == (None, 12)


# ------------------------------------------------------------- Layer base
def test_custom_layer_subclass():
    class TimesTwo(Layer):
        def call(self, x, training=False):
            return 2 * x

    class MyCustomLayer(Layer):
        def build(self, input_shape):
            self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")

        def call(self, x, training=False):
            return x * self.weights[0]

    assert TimesTwo().name == "times_two"
    assert TimesTwo().name == "times_two_1"
    np.testing.assert_array_equal(TimesTwo()(np.array([1.0, 2.0])), [2.0, 4.0])
    layer = MyCustomLayer()
    assert layer.name == "my_custom_layer"
    layer(np.ones((1, 3)))
    assert layer.built and layer.count_params() == 3


def test_explicit_names_do_not_consume_counters():
    assert Dense(2, name="dense").name == "dense"
    assert Dense(2, name="my_dense").name == "my_dense"
    assert Dropout(0.5, name="d").name == "d"
    assert naming.uid_counts() == {"seed_generator": 1}
    assert Dense(2).name == "dense"  # the explicit "dense" did not count


def test_unknown_kwargs_error():
    with pytest.raises(ValueError) as err:
        Dense(2, foo=1)
    assert str(err.value) == "Unrecognized keyword arguments passed to Dense: {'foo': 1}"
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Flatten"):
        Flatten(bar=2)
    assert naming.uid_counts() == {}


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_trainable_must_be_bool(bad):
    """Keras's ValueError and wording; no name consumed."""
    with pytest.raises(ValueError, match="^Expected `trainable` to be a boolean. Received: trainable="):
        Dense(2, trainable=bad)
    assert naming.uid_counts() == {}
    assert Dense(2, trainable=False).trainable is False


def test_input_shape_kwarg_warns_and_is_kept():
    with pytest.warns(UserWarning, match="Do not pass an `input_shape`"):
        layer = Dense(2, input_shape=(3,))
    assert layer._input_shape_arg == (3,)
    with pytest.warns(UserWarning):
        assert Dense(2, input_shape=3)._input_shape_arg == (3,)


def test_get_weights_are_copies_weights_are_live():
    layer = built_dense()
    got = layer.get_weights()
    got[0][...] = 99
    assert not np.any(layer.get_weights()[0] == 99)
    layer.weights[1][...] = 5
    np.testing.assert_array_equal(layer.get_weights()[1], [5, 5, 5])


def test_set_weights():
    layer = built_dense()
    kernel = np.arange(6).reshape(2, 3)
    layer.set_weights([kernel, np.ones(3)])
    np.testing.assert_array_equal(layer.get_weights()[0], kernel)
    np.testing.assert_array_equal(layer.get_weights()[1], np.ones(3))
    assert layer.get_weights()[0].dtype == np.float32


def test_set_weights_wrong_length_keeps_weights():
    layer = built_dense()
    before = layer.get_weights()
    with pytest.raises(ValueError) as err:
        layer.set_weights([np.ones((2, 3))])
    assert str(err.value) == (
        "You called `set_weights(weights)` on layer 'dense' with a weight list of "
        "length 1, but the layer was expecting 2 weights."
    )
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_set_weights_wrong_shape_keeps_all_weights():
    layer = built_dense()
    before = layer.get_weights()
    with pytest.raises(ValueError) as err:
        # first array fine, second wrong: nothing may be written
        layer.set_weights([np.full((2, 3), 7.0), np.ones(4)])
    assert (
        str(err.value) == "Layer dense weight shape (3,) is not compatible with provided weight shape (4,)."
    )
    with pytest.raises(ValueError) as err:
        layer.set_weights([np.ones((2, 4)), np.ones(3)])
    assert (
        str(err.value)
        == "Layer dense weight shape (2, 3) is not compatible with provided weight shape (2, 4)."
    )
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_count_params_before_build_raises_keras_message():
    layer = Dense(3)
    with pytest.raises(ValueError) as err:
        layer.count_params()
    assert str(err.value) == (
        "You tried to call `count_params` on layer 'dense', but the layer isn't built. "
        "You can build it manually via: `layer.build(input_shape)`."
    )
    layer(np.ones((1, 4)))
    assert layer.count_params() == 4 * 3 + 3


def test_failed_symbolic_call_consumes_no_name():
    x = Input(batch_shape=(None, None))
    before = naming.uid_counts()
    with pytest.raises(ValueError):
        Dense(2, name="d")(x)
    assert naming.uid_counts() == before


def test_repr():
    assert repr(Dense(2)) == "<Dense name=dense, built=False>"


# ------------------------------------------------------------- InputLayer
def test_input_layer_names_and_output():
    layer = InputLayer(shape=(3,))
    assert layer.name == "input_layer"
    assert layer.batch_shape == (None, 3)
    out = layer.output
    assert out.name == "keras_tensor"
    assert out is layer.output
    assert naming.uid_counts() == {"input_layer": 1, "keras_tensor": 1}
    assert InputLayer(batch_shape=(2, 3)).batch_shape == (2, 3)


def test_input_layer_argument_errors():
    with pytest.raises(ValueError, match="You must pass a `shape` argument."):
        InputLayer()
    with pytest.raises(ValueError, match="cannot pass both `shape` and `batch_shape`"):
        InputLayer(shape=(3,), batch_shape=(None, 3))
    with pytest.raises(ValueError, match="Cannot convert 'abc' to a shape."):
        InputLayer(shape="abc")
    with pytest.raises(ValueError, match="Negative dimensions are not allowed."):
        InputLayer(shape=(-1,))
    with pytest.raises(ValueError, match="Found invalid dimension '1.5'"):
        InputLayer(shape=(1.5,))
    assert naming.uid_counts() == {}


def test_dense_initializers():
    x = np.ones((2, 3))
    d = Dense(2, kernel_initializer="ones", bias_initializer="ones")
    np.testing.assert_allclose(d(x), np.full((2, 2), 4.0))
    d = Dense(2, kernel_initializer=lambda shape: np.full(shape, 2.0), use_bias=False)
    np.testing.assert_allclose(d(x), np.full((2, 2), 6.0))
    he = Dense(400, kernel_initializer="he_normal", name="he")
    he.build((None, 100))
    assert abs(he.get_weights()[0].std() - np.sqrt(2 / 100)) < 0.01
    before = naming.uid_counts()
    with pytest.raises(ValueError, match="Could not interpret initializer identifier: nope"):
        Dense(2, kernel_initializer="nope")
    assert naming.uid_counts() == before


def test_dropout_seed_checked_before_naming():
    for bad in (-1, 2**32, 1.5):
        with pytest.raises(ValueError, match="`seed`"):
            Dropout(0.5, seed=bad)
    assert naming.uid_counts() == {}


def test_dropout_noise_shape_shares_the_mask():
    layer = Dropout(0.5, noise_shape=[None, 1, 4], seed=1)
    assert layer.noise_shape == (None, 1, 4)
    y = layer(np.ones((2, 5, 4), dtype="float32"), training=True)
    assert (y == 0).any() and (y != 0).any()
    # The same features are dropped at every one of the 5 steps.
    np.testing.assert_array_equal(y, np.broadcast_to(y[:, :1, :], y.shape))


def test_add_weight_keras_signature_and_trainable_lists():
    class Inner(Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="w")
            self.c = self.add_weight(shape=(), initializer="zeros", trainable=False, name="c")

        def call(self, x):
            return x @ self.w + self.c

    class Outer(Layer):
        def __init__(self):
            super().__init__()
            self.inner = Inner()

        def call(self, x, training=None):
            return self.inner(x)

    layer = Outer()
    y = layer(np.ones((1, 3)))
    np.testing.assert_array_equal(y, [[3.0, 3.0]])
    assert layer.built and layer.inner.built
    assert len(layer.weights) == 2
    assert len(layer.trainable_weights) == 1 and len(layer.non_trainable_weights) == 1
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2
    with pytest.raises(ValueError, match="`name` must be passed as a keyword argument"):
        Inner().add_weight("w")


def test_base_layer_call_and_output_shape_not_implemented():
    with pytest.raises(NotImplementedError):
        Layer()(np.ones((1, 2)))
    with pytest.raises(NotImplementedError):
        Layer().compute_output_shape((1, 2))


def test_training_reaches_inner_layers_and_only_when_accepted():
    class NoTraining(Layer):
        def __init__(self):
            super().__init__()
            self.drop = Dropout(0.9, seed=3)

        def call(self, x):
            return self.drop(x)

    layer = NoTraining()
    x = np.ones((4, 4), dtype="float32")
    assert layer(x).min() == 1
    assert layer(x, training=True).min() == 0


def test_positional_non_tensor_rejected():
    class Two(Layer):
        def call(self, x, flag=False):
            return x

        def compute_output_shape(self, s):
            return s

    with pytest.raises(ValueError, match="Only input tensors may be passed as positional arguments"):
        Two()(np.ones((1, 2)), True)
    assert Two()(np.ones((1, 2)), flag=True).shape == (1, 2)


def test_input_layer_keras_signature():
    from r_bridge.layers import Input, InputLayer
    from r_bridge.tensor import KerasTensor

    for kwargs, message in [
        ({"shape": (2,), "sparse": True}, "`sparse=True` is not supported with the numpy backend"),
        ({"shape": (2,), "ragged": True}, "`ragged=True` is not supported with the numpy backend"),
        ({"batch_size": 4, "batch_shape": (4, 2)}, "You cannot pass both `batch_size` and `batch_shape`"),
        ({"shape": (2,), "input_tensor": np.zeros(2)}, "Argument `input_tensor` must be a KerasTensor"),
        ({"shape": (2,), "dtype": "mixed_float16"}, "^Invalid dtype: mixed_float16$"),
        ({"shape": (2,), "dtype": True}, "^Invalid dtype: True$"),
    ]:
        with pytest.raises(ValueError, match=message):
            InputLayer(**kwargs)
    assert naming.uid_counts() == {}  # checked before naming
    t = KerasTensor((2, 3), name="t")
    layer = InputLayer(input_tensor=t)
    assert layer.output is t and layer.batch_shape == (2, 3) and layer.call() is None
    with pytest.raises(ValueError, match="incompatible `shape`"):
        InputLayer(shape=(4,), input_tensor=t)
    with pytest.warns(UserWarning, match="`input_shape` is deprecated"):
        assert InputLayer(input_shape=(3,), batch_size=2).batch_shape == (2, 3)
    x = Input(shape=(3,), optional=True)
    assert x._node.layer.optional is True and x.sparse is False


def test_reassigned_sublayer_is_no_longer_tracked():
    class Holder(Layer):
        def call(self, x):
            return self.inner(x)

    holder = Holder()
    holder.inner = Dense(2)
    holder.inner(np.ones((1, 3)))
    holder.inner = Dense(3)  # the first Dense is dropped, not kept alive by tracking
    assert holder._tracked_layers == [holder.inner]
    holder.alias = holder.inner
    del holder.inner  # still held by `alias`
    assert holder._tracked_layers == [holder.alias]


def test_flatten_takes_zero_samples():
    from r_bridge.layers import Flatten

    assert Flatten()(np.zeros((0, 2, 3))).shape == (0, 6)


def test_output_after_a_sequential_rebuild_is_the_current_graphs():
    """keras3's feature-extraction idiom: every layer's output of a
    Sequential built layer by layer, as one model."""
    import r_bridge
    from r_bridge.layers import Dense

    seq = r_bridge.Sequential([r_bridge.Input(shape=(3,))])
    for units in (4, 5, 6):
        seq.add(Dense(units))
    outs = [layer.output for layer in seq.layers]
    assert [o.shape for o in outs] == [(None, 4), (None, 5), (None, 6)]
    extractor = r_bridge.Model(seq.inputs, outs)
    assert [y.shape for y in extractor.predict(np.ones((2, 3)), verbose=0)] == [(2, 4), (2, 5), (2, 6)]


def test_sublayers_are_the_layers_attributes_hold_and_nothing_else():
    from r_bridge import Input, Sequential

    class Holder(Layer):
        pass

    holder = Holder()
    holder.units, holder.inner = 3, Dense(2)
    holder.same = holder.inner  # once, though held twice
    holder.me = holder  # never itself
    assert holder._tracked_layers == [holder.inner]
    holder.inner(np.ones((1, 3)))
    assert [w.shape for w in holder.weights] == [(3, 2), (2,)]
    holder.trainable = False
    assert holder.inner.trainable is False and holder.trainable_weights == []
    seq = Sequential([Input(shape=(3,)), Dense(2)])
    assert seq._functional is not None and seq._tracked_layers == []  # its graph is not a sublayer
