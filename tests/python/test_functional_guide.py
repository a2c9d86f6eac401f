"""keras-io's "The Functional API" guide (its inference parts), run in real
Keras and in r_bridge: the same printed summaries (with "Connected to"), the
same layer names and, with Keras's weights copied over, the same predictions.

The guide's code runs as written, with ``keras``, ``layers`` and ``ops`` bound
to Keras's or to r_bridge's. Where the guide uses layer types r_bridge does
not have (Conv2D, MaxPooling2D, LSTM, GlobalAveragePooling), the same
topology is kept with what r_bridge has, each marked ``# r_bridge:`` below:
Dense layers for the convolutions, ``ops.mean`` over the time axis for the
LSTMs. Training, saving and plotting (compile/fit, save, plot_model) are
outside r_bridge and left out.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import os
import sys

import numpy as np
import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras not installed (run under .venv-keras)", allow_module_level=True)
if "keras" not in sys.modules:
    os.environ["KERAS_BACKEND"] = "numpy"
os.environ["COLUMNS"] = "300"  # rich crops Keras's table to the console width

import keras as real_keras  # noqa: E402

import r_bridge  # noqa: E402


def guide(keras, layers, ops):
    """The guide's model-building code; returns its models by name."""
    models = {}

    # -- Introduction
    inputs = keras.Input(shape=(784,))
    img_inputs = keras.Input(shape=(32, 32, 3))  # noqa: F841  (the guide's demonstration)
    print(inputs.shape)
    print(inputs.dtype)
    dense = layers.Dense(64, activation="relu")
    x = dense(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    model.summary()
    models["mnist_model"] = model

    # -- All models are callable, just like layers: ensembling
    def get_model():
        inputs = keras.Input(shape=(128,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1 = get_model()
    model2 = get_model()
    model3 = get_model()

    inputs = keras.Input(shape=(128,))
    y1 = model1(inputs)
    y2 = model2(inputs)
    y3 = model3(inputs)
    outputs = layers.average([y1, y2, y3])
    ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
    ensemble_model.summary()
    models["ensemble"] = ensemble_model

    # -- Models with multiple inputs and outputs
    num_tags = 12  # Number of unique issue tags
    num_words = 10000  # Size of vocabulary obtained when preprocessing text data
    num_departments = 4  # Number of departments for predictions

    title_input = keras.Input(shape=(None,), name="title")  # Variable-length sequence of ints
    body_input = keras.Input(shape=(None,), name="body")  # Variable-length sequence of ints
    tags_input = keras.Input(shape=(num_tags,), name="tags")  # Binary vectors of size `num_tags`

    # Embed each word in the title into a 64-dimensional vector
    title_features = layers.Embedding(num_words, 64)(title_input)
    # Embed each word in the text into a 64-dimensional vector
    body_features = layers.Embedding(num_words, 64)(body_input)

    # r_bridge: the guide's LSTM(128) and LSTM(32) -> mean over time, then Dense
    title_features = layers.Dense(128)(ops.mean(title_features, axis=1))
    body_features = layers.Dense(32)(ops.mean(body_features, axis=1))

    # Merge all available features into a single large vector via concatenation
    x = layers.concatenate([title_features, body_features, tags_input])

    # Stick a logistic regression for priority prediction on top of the features
    priority_pred = layers.Dense(1, name="priority")(x)
    # Stick a department classifier on top of the features
    department_pred = layers.Dense(num_departments, name="department")(x)

    # Instantiate an end-to-end model predicting both priority and department
    model = keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs=[priority_pred, department_pred],
    )
    model.summary()
    models["multi_io"] = model

    # -- A toy ResNet model (r_bridge: Dense layers where the guide has Conv2D,
    # a Flatten for its pooling)
    inputs = keras.Input(shape=(32,), name="img")
    x = layers.Dense(32, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    block_1_output = layers.BatchNormalization()(x)

    x = layers.Dense(64, activation="relu")(block_1_output)
    x = layers.Dense(64, activation="relu")(x)
    block_2_output = layers.add([x, block_1_output])

    x = layers.Dense(64, activation="relu")(block_2_output)
    x = layers.Dense(64, activation="relu")(x)
    block_3_output = layers.add([x, block_2_output])

    x = layers.Dense(64, activation="relu")(block_3_output)
    x = layers.Reshape((8, 8))(x)
    x = layers.Flatten()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)

    model = keras.Model(inputs, outputs, name="toy_resnet")
    model.summary()
    models["toy_resnet"] = model

    # -- Shared layers
    # Embedding for 1000 unique words mapped to 128-dimensional vectors
    shared_embedding = layers.Embedding(1000, 128)

    # Variable-length sequence of integers
    text_input_a = keras.Input(shape=(None,), dtype="int32")

    # Variable-length sequence of integers
    text_input_b = keras.Input(shape=(None,), dtype="int32")

    # Reuse the same layer to encode both inputs
    encoded_input_a = shared_embedding(text_input_a)
    encoded_input_b = shared_embedding(text_input_b)
    model = keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])
    model.summary()
    models["shared"] = model

    # -- Extend the API using custom layers (Keras 3's version: ops.matmul)
    class CustomDense(layers.Layer):
        def __init__(self, units=32):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units),
                initializer="random_normal",
                trainable=True,
            )
            self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

    inputs = keras.Input((4,))
    outputs = CustomDense(10)(inputs)

    model = keras.Model(inputs, outputs)
    model.summary()
    models["custom_dense"] = model

    # -- Residual connection with operators on symbolic tensors
    inputs = keras.Input(shape=(16,))
    x = layers.Dense(16, activation="relu")(inputs)
    outputs = layers.LayerNormalization()(inputs + x * 0.5)
    model = keras.Model(inputs, outputs[:, :8], name="operators")
    model.summary()
    models["operators"] = model
    return models


def _run(keras, layers, ops):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        models = guide(keras, layers, ops)
    return out.getvalue(), models


@pytest.fixture(scope="module")
def both():
    real_keras.utils.clear_session()
    r_bridge.clear_session()
    want = _run(real_keras, real_keras.layers, real_keras.ops)
    got = _run(r_bridge, r_bridge.layers, r_bridge.ops)
    return want, got


def test_guide_prints_what_keras_prints(both):
    (want, _), (got, _) = both
    assert "Connected to" in want
    assert got == want


def _data(model, rng):
    xs = []
    for t in model.inputs:
        shape = (3,) + tuple(6 if d is None else d for d in t.shape[1:])
        if "int" in t.dtype or t.name in ("title", "body"):
            xs.append(rng.integers(0, 1000, size=shape).astype("int32"))
        else:
            xs.append(rng.random(shape).astype("float32"))
    return xs if len(xs) > 1 else xs[0]


@pytest.mark.parametrize(
    "name", ["mnist_model", "ensemble", "multi_io", "toy_resnet", "shared", "custom_dense", "operators"]
)
def test_guide_models_predict_what_keras_predicts(both, name):
    (_, k_models), (_, r_models) = both
    k_model, r_model = k_models[name], r_models[name]
    assert [layer.name for layer in r_model.layers] == [layer.name for layer in k_model.layers]
    weights = k_model.get_weights()
    if name == "toy_resnet":  # non-trivial moving statistics
        rng = np.random.default_rng(5)
        weights = [w + rng.random(w.shape).astype(w.dtype) for w in weights]
        k_model.set_weights(weights)
    r_model.set_weights(weights)
    xs = _data(k_model, np.random.default_rng(0))
    want = k_model.predict(xs, verbose=0)
    got = r_model.predict(xs, verbose=0)
    for g, w in zip(want if isinstance(want, list) else [want], got if isinstance(got, list) else [got]):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-5)
