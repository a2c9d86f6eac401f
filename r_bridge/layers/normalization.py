"""Normalization layers (Keras's ``layers/normalization``):
``BatchNormalization`` and ``LayerNormalization``, with numpy forward passes
computed as Keras's numpy backend computes them.

Regularizers and constraints are outside r_bridge (only ``None`` is
accepted), as are masks (``mask`` must be ``None``), ``renorm`` in training
and ``synchronized``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from r_bridge import initializers
from r_bridge.layers.layer import Layer
from r_bridge.messages import shown

Shape = tuple[int | None, ...]


def _check_out_of_scope(**kwargs: Any) -> None:
    for name, value in kwargs.items():
        if value is not None:
            raise ValueError(
                f"`{name}` is outside r_bridge's scope (regularizers and constraints): "
                f"pass None. Received: {name}={shown(value, conversion='r')}"
            )


def _check_axes(axis: int | Sequence[int], input_shape: Shape) -> None:
    for a in [axis] if isinstance(axis, int) else axis:
        if a >= len(input_shape) or a < -len(input_shape):
            raise ValueError(
                f"Axis {a} is out of bounds for input shape {input_shape}. Received: axis={axis}"
            )


def _normalize(
    x: np.ndarray,
    mean: np.ndarray,
    variance: np.ndarray,
    shape: list[int],
    offset: np.ndarray | None,
    scale: np.ndarray | None,
    epsilon: float,
) -> np.ndarray:
    """``(x - mean) / sqrt(variance + epsilon) * scale + offset``, as
    ``x * inv + res`` with per-feature ``inv`` and ``res`` (Keras's numpy backend)."""
    inv = 1.0 / np.sqrt(np.reshape(variance, shape) + epsilon)
    if scale is not None:
        inv = inv * np.reshape(scale, shape)
    res = -np.reshape(mean, shape) * inv
    if offset is not None:
        res = res + np.reshape(offset, shape)
    out = x * inv
    out += res
    return out


def _number(kind: type, value: Any, name: str) -> Any:
    """``kind(value)`` (``int`` or ``float``, as Keras converts these
    arguments), or an error naming the argument with the value cut."""
    try:
        return kind(value)
    except Exception:  # noqa: BLE001 -- whatever the value's own conversion raises
        raise ValueError(
            f"Argument `{name}` must be a number ({kind.__name__}). Received: {name}={shown(value, conversion='r')}"
        ) from None


class BatchNormalization(Layer):
    """Normalizes each feature with its moving mean and variance (inference),
    or with the batch's statistics when called with ``training=True`` (then
    the moving statistics are updated:
    ``moving = moving * momentum + batch * (1 - momentum)``).

    Args:
        axis: the feature axis (default ``-1``).
        momentum: momentum of the moving averages.
        epsilon: small float added to the variance.
        center: whether to add the offset ``beta``.
        scale: whether to multiply by ``gamma``.
        beta_initializer, gamma_initializer, moving_mean_initializer,
        moving_variance_initializer: initializers of the weights.
        beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: must be ``None`` (outside r_bridge).
        renorm, renorm_clipping, renorm_momentum: batch renormalization's
            settings (recorded; training with ``renorm=True`` is outside r_bridge).
        synchronized: must be ``False`` (TensorFlow only, as in Keras).
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).

    Weights, in Keras's order: ``gamma``, ``beta`` (trainable),
    ``moving_mean``, ``moving_variance`` (non-trainable).
    """

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str | initializers.Initializer = "zeros",
        gamma_initializer: str | initializers.Initializer = "ones",
        moving_mean_initializer: str | initializers.Initializer = "zeros",
        moving_variance_initializer: str | initializers.Initializer = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: dict[str, float] | None = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        **kwargs: Any,
    ):
        axis = _number(int, axis, "axis")
        if synchronized:
            raise ValueError("Argument synchronized=True is only supported with the TensorFlow backend.")
        momentum, epsilon = _number(float, momentum, "momentum"), _number(float, epsilon, "epsilon")
        inits = [
            initializers.get(i)
            for i in (
                beta_initializer,
                gamma_initializer,
                moving_mean_initializer,
                moving_variance_initializer,
            )
        ]
        _check_out_of_scope(
            beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint,
        )
        if renorm:
            renorm_clipping = renorm_clipping or {}
            keys = ["rmax", "rmin", "dmax"]
            if set(renorm_clipping) - set(keys):
                raise ValueError(
                    "Received invalid keys for `renorm_clipping` argument: "
                    f"{renorm_clipping}. Supported values: {keys}."
                )
            rmax, rmin, dmax = (renorm_clipping.get(k) for k in ("rmax", "rmin", "dmax"))
            if rmax is not None and rmin is not None and rmax < rmin:
                raise ValueError(
                    "rmax should be greater than rmin in the `renorm_clipping` "
                    "argument. Received: rmax={rmax}, rmin={rmin}."
                )
            if dmax is not None and dmax < 0:
                raise ValueError(
                    "dmax should be non-negative in the `renorm_clipping` argument. Received: dmax={dmax}."
                )
        super().__init__(**kwargs)
        self.axis = axis
        self.synchronized = synchronized
        self.momentum = momentum
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        (
            self.beta_initializer,
            self.gamma_initializer,
            self.moving_mean_initializer,
            self.moving_variance_initializer,
        ) = inits
        self.beta_regularizer = self.gamma_regularizer = None
        self.beta_constraint = self.gamma_constraint = None
        self.supports_masking = True
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.gamma: np.ndarray | None = None
        self.beta: np.ndarray | None = None
        self.moving_mean: np.ndarray | None = None
        self.moving_variance: np.ndarray | None = None
        self._reduction_axes: list[int] | None = None

    def build(self, input_shape: Shape) -> None:
        shape = (int(input_shape[self.axis]),)  # type: ignore[arg-type]  # the feature size is known
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma", initializer=self.gamma_initializer)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta", initializer=self.beta_initializer)
        self.moving_mean = self.add_weight(
            shape=shape, name="moving_mean", initializer=self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self.add_weight(
            shape=shape,
            name="moving_variance",
            initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.input_spec = {"ndim": len(input_shape), "axes": {self.axis: input_shape[self.axis]}}
        reduction_axes = list(range(len(input_shape)))
        del reduction_axes[self.axis]
        self._reduction_axes = reduction_axes
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _check_axes(self.axis, input_shape)
        return tuple(input_shape)

    def call(self, inputs: np.ndarray, training: bool | None = None, mask: Any = None) -> np.ndarray:
        if mask is not None:
            raise ValueError("Masking is outside r_bridge's scope: `mask` must be None.")
        x = np.asarray(inputs)
        x = x.astype(np.result_type(x.dtype, np.float32), copy=False)
        shape = [1] * x.ndim
        shape[self.axis] = x.shape[self.axis]
        assert self.moving_mean is not None and self.moving_variance is not None  # built
        if training and self.trainable:
            if self.renorm:
                raise NotImplementedError(
                    "Batch renormalization (renorm=True) in training is outside r_bridge."
                )
            axes = tuple(self._reduction_axes or ())
            mean = np.mean(x, axes, keepdims=True)
            variance = np.mean(np.square(x), axis=axes, keepdims=True) - np.square(mean)
            mean, variance = np.squeeze(mean, axes), np.squeeze(variance, axes)
            m = self.momentum
            self.moving_mean[...] = self.moving_mean * m + mean * (1.0 - m)
            self.moving_variance[...] = self.moving_variance * m + variance * (1.0 - m)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        out = _normalize(x, mean, variance, shape, self.beta, self.gamma, self.epsilon)
        return out.astype(self.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": None,
                "gamma_regularizer": None,
                "beta_constraint": None,
                "gamma_constraint": None,
                "synchronized": self.synchronized,
                "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum,
            }
        )
        return config


class LayerNormalization(Layer):
    """Normalizes each sample over ``axis`` (its mean and variance there),
    then scales by ``gamma`` and offsets by ``beta``.

    Args:
        axis: an int or a list of ints, the axes normalized over (default ``-1``).
        epsilon: small float added to the variance.
        center: whether to add the offset ``beta``.
        scale: whether to multiply by ``gamma``.
        beta_initializer, gamma_initializer: initializers of the weights.
        beta_regularizer, gamma_regularizer, beta_constraint,
        gamma_constraint: must be ``None`` (outside r_bridge).
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).
    """

    def __init__(
        self,
        axis: int | Sequence[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: str | initializers.Initializer = "zeros",
        gamma_initializer: str | initializers.Initializer = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. This "
                "argument incorrectly scales the input by the variance, not "
                "the root mean square. To correctly use RMS Normalization, "
                "please use `keras.layers.RMSNormalization` instead.",
                stacklevel=2,
            )
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif not isinstance(axis, int):
            raise TypeError(
                f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {shown(axis, conversion='r')}"
            )
        inits = [initializers.get(beta_initializer), initializers.get(gamma_initializer)]
        _check_out_of_scope(
            beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint,
        )
        super().__init__(**kwargs)
        self.axis: int | list[int] = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer, self.gamma_initializer = inits
        self.beta_regularizer = self.gamma_regularizer = None
        self.beta_constraint = self.gamma_constraint = None
        self.supports_masking = True
        self.gamma: np.ndarray | None = None
        self.beta: np.ndarray | None = None

    def build(self, input_shape: Shape) -> None:
        if isinstance(self.axis, list):
            self.axis = sorted(self.axis)
            shape = tuple(int(input_shape[d]) for d in self.axis)  # type: ignore[arg-type]
        else:
            shape = (int(input_shape[self.axis]),)  # type: ignore[arg-type]
            self.axis = [self.axis]
        self.gamma = (
            self.add_weight(name="gamma", shape=shape, initializer=self.gamma_initializer)
            if self.scale or self.rms_scaling
            else None
        )
        self.beta = (
            self.add_weight(name="beta", shape=shape, initializer=self.beta_initializer)
            if self.center and not self.rms_scaling
            else None
        )
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        _check_axes(self.axis, input_shape)
        return tuple(input_shape)

    def call(self, inputs: np.ndarray) -> np.ndarray:
        x = np.asarray(inputs)
        x = x.astype(np.result_type(x.dtype, np.float32), copy=False)
        axis = sorted(a % x.ndim for a in (self.axis if isinstance(self.axis, list) else [self.axis]))
        shape = [1] * x.ndim
        for a in axis:
            shape[a] = x.shape[a]
        if self.rms_scaling:  # Keras's deprecated option: x scaled by the variance
            inv = 1.0 / np.sqrt(np.var(x, axis=tuple(axis), keepdims=True) + self.epsilon)
            out = x * inv if self.gamma is None else x * inv * np.reshape(self.gamma, shape)
            return out.astype(self.dtype, copy=False)
        mean = np.mean(x, tuple(axis), keepdims=True)
        variance = np.mean(np.square(x), axis=tuple(axis), keepdims=True) - np.square(mean)
        inv = 1.0 / np.sqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * np.reshape(self.gamma, shape)
        res = -mean * inv
        if self.beta is not None:
            res = res + np.reshape(self.beta, shape)
        out = x * inv
        out += res
        return out.astype(self.dtype, copy=False)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "rms_scaling": self.rms_scaling,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": None,
                "gamma_regularizer": None,
                "beta_constraint": None,
                "gamma_constraint": None,
            }
        )
        return config
