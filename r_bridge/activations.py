"""Activation functions by name (numpy), with Keras's lookup rules.

Each function takes and returns a numpy array. :func:`get` resolves what a
layer's ``activation`` argument accepts: ``None`` (linear), one of the names
below (``"swish"`` is ``silu``), or a callable.
"""

from __future__ import annotations

import numpy as np


def linear(x):
    """The identity: returns ``x`` unchanged."""
    return x


def relu(x):
    """Rectified linear unit: ``max(x, 0)``."""
    return np.maximum(x, 0)


def relu6(x):
    """ReLU capped at 6: ``min(max(x, 0), 6)``."""
    return np.clip(x, 0, 6)


def sigmoid(x):
    """Logistic sigmoid: ``1 / (1 + exp(-x))``."""
    return 1 / (1 + np.exp(-x))


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(x)


def softmax(x):
    """Softmax over the last axis (each row sums to 1; numerically stable)."""
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softplus(x):
    """Softplus: ``log(1 + exp(x))``."""
    return np.logaddexp(0, x)


def softsign(x):
    """Softsign: ``x / (1 + |x|)``."""
    return x / (1 + np.abs(x))


def elu(x):
    """Exponential linear unit: ``x`` if ``x > 0``, else ``exp(x) - 1``."""
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))


def selu(x):
    """Scaled ELU, with the constants of Klambauer et al. (2017), as in Keras."""
    return 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))


def silu(x):
    """SiLU (also called swish): ``x * sigmoid(x)``."""
    return x * sigmoid(x)


def exponential(x):
    """Exponential: ``exp(x)``."""
    return np.exp(x)


_ALL = {f.__name__: f for f in (linear, relu, relu6, sigmoid, tanh, softmax, softplus, softsign, elu, selu, silu, exponential)}
_ALL["swish"] = silu


def get(identifier):
    """Resolve an activation identifier, as Keras's ``activations.get``.

    Args:
        identifier: ``None`` (linear), a name such as ``"relu"``, or a callable.

    Returns:
        The activation function.

    Raises:
        ValueError: for an unknown name or a value that is not callable.
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str) and identifier in _ALL:
        return _ALL[identifier]
    if callable(identifier) and not isinstance(identifier, str):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")
