"""Activation functions by name (numpy), with Keras's lookup rules.

Every activation Keras 3.15 knows by name, with Keras's signatures and the
formulas of its numpy backend (results keep the input's float dtype).
:func:`get` resolves what a layer's ``activation`` argument accepts:
``None`` (linear), a name (``"swish"`` is ``silu``, ``"hard_swish"`` is
``hard_silu``), or a callable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from r_bridge.messages import shown

if TYPE_CHECKING:  # (numpy.typing costs a millisecond at import)
    from numpy.typing import ArrayLike

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

_T = TypeVar("_T")
#: What :func:`get` returns: ``f(x, ...) -> array``.
Activation = Callable[..., np.ndarray]


def _tensor(x: ArrayLike) -> np.ndarray:
    """``x`` as a float array (Python numbers become floatx, as in Keras)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        from r_bridge import config

        x = x.astype(config.floatx())
    return x


def _c(value: float, x: np.ndarray) -> np.ndarray:
    """A constant in ``x``'s dtype (numpy would promote Python floats)."""
    return np.array(value, x.dtype)


def linear(x: _T) -> _T:
    """Linear activation (pass-through)."""
    return x


def relu(
    x: ArrayLike, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> np.ndarray:
    """Rectified linear unit: ``max(x, 0)``, with Keras's options.

    Args:
        negative_slope: slope below ``threshold``.
        max_value: saturation value (``None``: none).
        threshold: values below it are damped or set to zero.
    """
    x = _tensor(x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return leaky_relu(x, negative_slope=negative_slope)
        negative = np.maximum(-x + _c(threshold, x), _c(0, x)) if threshold != 0 else np.maximum(-x, _c(0, x))
    out = np.where(x > _c(threshold, x), x, _c(0, x)) if threshold != 0 else np.maximum(x, _c(0, x))
    if max_value is not None:
        out = np.clip(out, _c(0, x), _c(max_value, x))
    if negative_slope != 0.0:
        out = out - _c(negative_slope, x) * negative
    return out.astype(x.dtype, copy=False)


def leaky_relu(x: ArrayLike, negative_slope: float = 0.2) -> np.ndarray:
    """Leaky ReLU: ``x`` if ``x > 0``, else ``negative_slope * x``."""
    x = _tensor(x)
    return np.maximum(x, _c(negative_slope, x) * x)


def relu6(x: ArrayLike) -> np.ndarray:
    """ReLU capped at 6: ``min(max(x, 0), 6)``."""
    x = _tensor(x)
    return np.minimum(np.maximum(x, _c(0, x)), _c(6, x))


def sigmoid(x: ArrayLike) -> np.ndarray:
    """Logistic sigmoid: ``1 / (1 + exp(-x))``."""
    x = _tensor(x)
    return _c(1, x) / (_c(1, x) + np.exp(-x))


def sparse_sigmoid(x: ArrayLike) -> np.ndarray:
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` between."""
    x = _tensor(x)
    return np.where(x <= -1, _c(0, x), np.where(x >= 1, _c(1, x), np.array(0.5 * (x + 1), x.dtype)))


def tanh(x: ArrayLike) -> np.ndarray:
    """Hyperbolic tangent."""
    return np.tanh(_tensor(x))


def tanh_shrink(x: ArrayLike) -> np.ndarray:
    """``x - tanh(x)``."""
    x = _tensor(x)
    return x - np.tanh(x)


def hard_tanh(x: ArrayLike) -> np.ndarray:
    """``x`` clipped to ``[-1, 1]``."""
    x = _tensor(x)
    return np.clip(x, _c(-1, x), _c(1, x)).astype(x.dtype)


def softmax(x: ArrayLike, axis: int | tuple[int, ...] = -1) -> np.ndarray:
    """Softmax along ``axis`` (an int or a tuple of ints); numerically stable."""
    x = _tensor(x)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x: ArrayLike, axis: int | tuple[int, ...] = -1) -> np.ndarray:
    """Logarithm of the softmax along ``axis``."""
    x = _tensor(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softplus(x: ArrayLike) -> np.ndarray:
    """Softplus: ``log(exp(x) + 1)``."""
    x = _tensor(x)
    return np.logaddexp(x, _c(0, x))


def softsign(x: ArrayLike) -> np.ndarray:
    """Softsign: ``x / (|x| + 1)``."""
    x = _tensor(x)
    return x / (_c(1, x) + np.abs(x))


def soft_shrink(x: ArrayLike, threshold: float = 0.5) -> np.ndarray:
    """``x - threshold`` above ``threshold``, ``x + threshold`` below
    ``-threshold``, 0 between."""
    x = _tensor(x)
    return np.where(
        x > threshold,
        np.array(x - threshold, x.dtype),
        np.where(x < -threshold, np.array(x + threshold, x.dtype), _c(0, x)),
    )


def hard_shrink(x: ArrayLike, threshold: float = 0.5) -> np.ndarray:
    """``x`` where ``|x| > threshold``, else 0."""
    x = _tensor(x)
    return np.where(np.abs(x) > _c(threshold, x), x, _c(0, x)).astype(x.dtype)


def sparse_plus(x: ArrayLike) -> np.ndarray:
    """0 for ``x <= -1``, ``(x + 1)**2 / 4`` for ``-1 < x < 1``, ``x`` above."""
    x = _tensor(x)
    return np.where(x <= -1, _c(0, x), np.where(x < 1, np.array((x + 1) ** 2 / 4, x.dtype), x))


def squareplus(x: ArrayLike, b: float = 4) -> np.ndarray:
    """Squareplus: ``(x + sqrt(x**2 + b)) / 2``."""
    x = _tensor(x)
    return (x + np.sqrt(x**2 + _c(b, x))) / _c(2, x)


def threshold(x: ArrayLike, threshold: float, default_value: float) -> np.ndarray:
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = _tensor(x)
    return np.where(x > threshold, x, _c(default_value, x))


def elu(x: ArrayLike, alpha: float = 1.0) -> np.ndarray:
    """Exponential linear unit: ``x`` if ``x >= 0``, else ``alpha * (exp(x) - 1)``."""
    x = _tensor(x)
    return np.where(x >= _c(0, x), x, _c(alpha, x) * np.expm1(x))


def selu(x: ArrayLike) -> np.ndarray:
    """Scaled ELU, with the constants of Klambauer et al. (2017), as in Keras."""
    x = _tensor(x)
    return _c(_SELU_SCALE, x) * elu(x, _SELU_ALPHA)


def celu(x: ArrayLike, alpha: float = 1.0) -> np.ndarray:
    """``max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1)``."""
    x = _tensor(x)
    a = _c(alpha, x)
    return np.maximum(x, _c(0, x)) + a * np.expm1(np.minimum(x, _c(0, x)) / a)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x: ArrayLike, approximate: bool = False) -> np.ndarray:
    """Gaussian error linear unit: ``x * P(X <= x)`` for standard normal
    ``X`` (exact, with erf), or its tanh approximation."""
    x = _tensor(x)
    if approximate:
        k = np.sqrt(2 / np.pi).astype(x.dtype)
        cdf = _c(0.5, x) * (_c(1, x) + np.tanh(k * (x + _c(0.044715, x) * (x**3).astype(x.dtype))))
        return x * cdf
    return x * (_erf(x / np.sqrt(2).astype(x.dtype)) + 1).astype(x.dtype) / _c(2, x)


def glu(x: ArrayLike, axis: int = -1) -> np.ndarray:
    """Gated linear unit: ``a * sigmoid(b)`` for the two halves of ``axis``."""
    x = _tensor(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={x.shape} with axis={axis}")
    a, b = np.split(x, 2, axis)
    return (a * sigmoid(b)).astype(x.dtype)


def silu(x: ArrayLike) -> np.ndarray:
    """SiLU (also called swish): ``x * sigmoid(x)``."""
    x = _tensor(x)
    return x * sigmoid(x)


def hard_sigmoid(x: ArrayLike) -> np.ndarray:
    """0 below -3, 1 above 3, ``x / 6 + 0.5`` between."""
    x = _tensor(x)
    y = x / _c(6, x) + _c(0.5, x)
    return np.where(y <= 0.0, _c(0, x), np.where(y >= 1.0, _c(1, x), y))


def hard_silu(x: ArrayLike) -> np.ndarray:
    """Hard SiLU (hard swish): ``x * hard_sigmoid(x)``."""
    x = _tensor(x)
    return x * hard_sigmoid(x)


def log_sigmoid(x: ArrayLike) -> np.ndarray:
    """``log(sigmoid(x))``, computed as ``-softplus(-x)``."""
    x = _tensor(x)
    return -softplus(-x)


def exponential(x: ArrayLike) -> np.ndarray:
    """Exponential: ``exp(x)``."""
    return np.exp(_tensor(x))


def mish(x: ArrayLike) -> np.ndarray:
    """Mish: ``x * tanh(softplus(x))``."""
    x = _tensor(x)
    return x * np.tanh(softplus(x))


def sparsemax(x: ArrayLike, axis: int = -1) -> np.ndarray:
    """Sparsemax along ``axis``: the Euclidean projection onto the simplex
    (Martins et al., 2016); outputs sum to 1 and may be exactly 0."""
    x = _tensor(x)
    ranked = -np.sort(-x, axis=axis)
    cumsum = np.cumsum(ranked, axis=axis)
    r_shape = [1] * x.ndim
    r_shape[axis] = -1
    r = np.arange(1, x.shape[axis] + 1).reshape(r_shape)
    support = ranked - (cumsum - 1) / r > 0
    k = np.sum(support, axis=axis, keepdims=True)
    tau = (np.sum(np.where(support, cumsum, 0.0), axis=axis, keepdims=True) - 1) / k
    return np.maximum(x - tau, 0.0).astype(x.dtype)


_ALL: dict[str, Activation] = {
    f.__name__: f
    for f in (
        relu,
        leaky_relu,
        relu6,
        softmax,
        celu,
        elu,
        selu,
        softplus,
        softsign,
        squareplus,
        soft_shrink,
        sparse_plus,
        silu,
        gelu,
        glu,
        tanh,
        tanh_shrink,
        threshold,
        sigmoid,
        sparse_sigmoid,
        exponential,
        hard_sigmoid,
        hard_silu,
        hard_tanh,
        hard_shrink,
        linear,
        mish,
        log_softmax,
        log_sigmoid,
        sparsemax,
    )
}
_ALL["swish"] = silu
_ALL["hard_swish"] = hard_silu


def serialize(activation: Activation) -> str:
    """The name Keras writes for a built-in activation (``"relu"``; ``"swish"``
    is written ``"silu"``).

    Raises:
        ValueError: for a callable of the user's (a custom object, which
            r_bridge cannot write into a Keras config).
    """
    name = getattr(activation, "__name__", None)
    if isinstance(name, str) and _ALL.get(name) is activation:
        return name
    raise ValueError(
        f"Cannot serialize the custom activation {shown(activation, conversion='r')}: custom objects are not "
        "supported by r_bridge's configs and files (use a built-in activation name)."
    )


def get(identifier: str | dict | Activation | None) -> Activation:
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
    if isinstance(identifier, dict):  # Keras's serialized form of a function
        if identifier.get("module") in ("keras.activations", None) and identifier.get("registered_name") in (
            None,
            identifier.get("class_name"),
        ):
            identifier = str(identifier.get("class_name"))
        else:
            raise ValueError(
                f"Could not interpret activation function identifier: {shown(identifier)} "
                "(custom objects are not supported by r_bridge)"
            )
    obj = _ALL.get(identifier) if isinstance(identifier, str) else identifier
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret activation function identifier: {shown(identifier)}")
