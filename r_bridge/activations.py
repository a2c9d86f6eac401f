"""Activation functions by name (numpy), with Keras's lookup rules."""

from __future__ import annotations

import numpy as np


def linear(x):
    return x


def relu(x):
    return np.maximum(x, 0)


def relu6(x):
    return np.clip(x, 0, 6)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def tanh(x):
    return np.tanh(x)


def softmax(x):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softplus(x):
    return np.logaddexp(0, x)


def softsign(x):
    return x / (1 + np.abs(x))


def elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def selu(x):
    return 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))


def silu(x):
    return x * sigmoid(x)


def exponential(x):
    return np.exp(x)


_ALL = {f.__name__: f for f in (linear, relu, relu6, sigmoid, tanh, softmax, softplus, softsign, elu, selu, silu, exponential)}
_ALL["swish"] = silu


def get(identifier):
    """``None`` -> linear; a name -> that function; a callable -> itself."""
    if identifier is None:
        return linear
    if isinstance(identifier, str) and identifier in _ALL:
        return _ALL[identifier]
    if callable(identifier) and not isinstance(identifier, str):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
