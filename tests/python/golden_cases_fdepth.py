"""The merging, reshaping, normalization and embedding layers (issue 19),
built the same way in Keras 3 and in r_bridge for golden config tests (see
golden_cases.py; ``CASES[name](K)`` with ``K`` = ``keras`` or ``r_bridge``)."""

from __future__ import annotations


def _built(layer, *shapes):
    def build(K):
        obj = layer(K)
        inputs = [K.Input(s) for s in shapes]
        obj(inputs if len(inputs) > 1 else inputs[0])
        return obj

    return build


def _residual_bn(K):
    x = K.Input((4,), name="x")
    h = K.layers.Dense(4, activation="relu")(x)
    h = K.layers.BatchNormalization()(K.layers.add([h, x]))
    y = K.layers.Concatenate()([h, K.layers.LayerNormalization()(x)])
    return K.Model(x, K.layers.Reshape((2, 4))(y), name="residual_bn")


def _embedding_front_end(K):
    x = K.Input((5,), dtype="int32")
    e = K.layers.Embedding(20, 3)(x)
    p = K.layers.Permute((2, 1))(e)
    return K.Model(x, K.layers.Dense(1)(K.layers.Flatten()(p)))


CASES = {
    "add": lambda K: K.layers.Add(),
    "add_built": _built(lambda K: K.layers.Add(name="plus"), (3,), (3,)),
    "subtract": lambda K: K.layers.Subtract(),
    "multiply": lambda K: K.layers.Multiply(),
    "average": lambda K: K.layers.Average(),
    "maximum": lambda K: K.layers.Maximum(),
    "minimum": lambda K: K.layers.Minimum(),
    "concatenate": lambda K: K.layers.Concatenate(axis=1),
    "concatenate_built": _built(lambda K: K.layers.Concatenate(), (3,), (2,)),
    "dot": lambda K: K.layers.Dot(axes=(1, 2), normalize=True),
    "reshape": lambda K: K.layers.Reshape((2, -1)),
    "permute": lambda K: K.layers.Permute((2, 1)),
    "repeat_vector": lambda K: K.layers.RepeatVector(3),
    "batch_normalization": lambda K: K.layers.BatchNormalization(),
    "batch_normalization_full": lambda K: K.layers.BatchNormalization(
        axis=1,
        momentum=0.9,
        epsilon=1e-5,
        center=False,
        gamma_initializer="random_normal",
        moving_variance_initializer="zeros",
    ),
    "batch_normalization_built": _built(lambda K: K.layers.BatchNormalization(), (3,)),
    "layer_normalization": lambda K: K.layers.LayerNormalization(),
    "layer_normalization_axes": lambda K: K.layers.LayerNormalization(axis=[1, 2], epsilon=1e-6, scale=False),
    "layer_normalization_built": _built(lambda K: K.layers.LayerNormalization(axis=(-1, 1)), (3, 4)),
    "embedding": lambda K: K.layers.Embedding(100, 8),
    "embedding_full": lambda K: K.layers.Embedding(10, 2, embeddings_initializer="ones", mask_zero=True),
    "functional_residual_bn": _residual_bn,
    "functional_embedding_front_end": _embedding_front_end,
}
