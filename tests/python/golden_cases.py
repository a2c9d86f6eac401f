"""Layers and models built the same way in Keras 3 and in r_bridge, for golden tests.

``CASES[name](K)`` builds with ``K`` being ``keras`` or ``r_bridge`` (same
names: ``K.layers``, ``K.Input``, ``K.Model``, ``K.Sequential``,
``K.initializers``) and returns the object whose config is compared. Each
case starts from a cleared session on both sides, so auto names line up.
The Keras side runs in its own process (tests/python/test_config_golden_keras.py).
"""

from __future__ import annotations


def _mimo(K):
    a = K.Input((4,), name="a")
    b = K.Input((4,), name="b")
    shared = K.layers.Dense(3, activation="relu", name="shared")
    x, y = shared(a), shared(b)
    z = K.layers.Dense(2, name="out1")(x)
    w = K.layers.Dropout(0.2)(y)
    return K.Model([a, b], [z, w], name="mimo")


def _shared_out_of_order(K):
    """A shared layer whose calls the graph reaches in the other order than they were made."""
    a = K.Input((4,), name="a")
    b = K.Input((4,), name="b")
    shared = K.layers.Dense(3, name="shared")
    first, second = shared(a), shared(b)
    return K.Model([a, b], [second, K.layers.Activation("relu")(first)])


def _shared_depths(K):
    x = K.Input((4,))
    first = K.layers.Dense(4, activation="tanh")
    second = K.layers.Dense(4)
    y = first(second(first(second(x))))
    return K.Model(x, y)


def _nested(K):
    inner = K.Sequential(
        [K.Input((3,)), K.layers.Dense(5, activation="relu"), K.layers.Dense(2)], name="inner"
    )
    x = K.Input((3,), name="x")
    h = inner(x)
    out = K.layers.Activation("softmax")(h)
    return K.Model(x, out, name="outer")


def _nested_functional_two_outputs(K):
    """A Functional model with two outputs, called twice inside another."""
    i = K.Input((3,), name="inner_in")
    h = K.layers.Dense(4, activation="relu", name="inner_hidden")(i)
    inner = K.Model(
        i, [K.layers.Dense(2, name="inner_a")(h), K.layers.Dense(1, name="inner_b")(h)], name="inner"
    )
    x = K.Input((3,), name="x")
    y = K.Input((3,), name="y")
    xa, xb = inner(x)
    ya, _ = inner(y)
    return K.Model([x, y], [K.layers.Activation("tanh")(xa), xb, ya], name="outer2")


def _from_intermediate(K):
    """A model whose input is an intermediate tensor (Keras adds an input layer for it)."""
    x = K.Input((4,))
    h = K.layers.Dense(3)(x)
    return K.Model(h, K.layers.Dense(2)(h))


def _dict_io(K):
    a = K.Input((2,), name="a")
    b = K.Input((3,), name="b")
    ya = K.layers.Dense(1, name="ya")(a)
    yb = K.layers.Flatten()(K.layers.Dense(2)(b))
    return K.Model({"a": a, "b": b}, {"ya": ya, "yb": yb})


def _built_dense(K):
    layer = K.layers.Dense(4, activation="softmax")
    layer(K.Input((3,)))
    return layer


def _seq_built_later(K):
    model = K.Sequential([K.layers.Dense(2), K.layers.Flatten()])
    model.build((None, 3))
    return model


CASES = {
    "input_layer": lambda K: K.layers.InputLayer(shape=(4,)),
    "input_layer_batch_named": lambda K: K.layers.InputLayer(batch_shape=(2, 3), name="x", dtype="float64"),
    "dense_default": lambda K: K.layers.Dense(3),
    "dense_full": lambda K: K.layers.Dense(
        5,
        activation="relu",
        use_bias=False,
        kernel_initializer="he_normal",
        bias_initializer="ones",
        name="d",
        dtype="float64",
    ),
    "dense_seeded_initializer": lambda K: K.layers.Dense(
        2, kernel_initializer=K.initializers.RandomNormal(stddev=0.1, seed=3)
    ),
    "dense_mixed_policy": lambda K: K.layers.Dense(2, dtype="mixed_float16"),
    "dense_built": _built_dense,
    "dense_untrainable": lambda K: K.layers.Dense(2, trainable=False, activation="swish"),
    "dropout_default": lambda K: K.layers.Dropout(0.5),
    "dropout_full": lambda K: K.layers.Dropout(0.3, noise_shape=(None, 1), seed=7, name="drop"),
    "activation": lambda K: K.layers.Activation("tanh"),
    "flatten": lambda K: K.layers.Flatten(),
    "flatten_channels_first": lambda K: K.layers.Flatten(data_format="channels_first"),
    "sequential": lambda K: K.Sequential(
        [
            K.Input((4,)),
            K.layers.Dense(3, activation="relu"),
            K.layers.Dropout(0.1),
            K.layers.Dense(2, activation="softmax"),
        ],
        name="seq",
    ),
    "sequential_unbuilt": lambda K: K.Sequential([K.layers.Dense(2)]),
    "sequential_built_later": _seq_built_later,
    "functional_mimo": _mimo,
    "functional_shared_depths": _shared_depths,
    "functional_shared_out_of_order": _shared_out_of_order,
    "functional_nested_sequential": _nested,
    "functional_dict_io": _dict_io,
    "functional_from_intermediate": _from_intermediate,
    "functional_nested_functional_two_outputs": _nested_functional_two_outputs,
}

# The issue-19 layers' cases (merging, reshaping, normalization, embedding).
from golden_cases_fdepth import CASES as _LAYER_CASES  # noqa: E402

CASES.update(_LAYER_CASES)
