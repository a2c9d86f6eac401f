"""``Dense``, ``Dropout``, ``Activation`` and ``Flatten`` (numpy forward passes).

Each constructor checks its arguments *before* the layer takes a name, so a
bad argument leaves the session's counters untouched.
"""

from __future__ import annotations

import numpy as np

from r_bridge import activations, config, initializers
from r_bridge.layers.layer import Layer
from r_bridge.random import SeedGenerator


def _check_units(units):
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(
            "Received an invalid value for `units`, expected a positive integer. "
            f"Received: units={units}"
        )
    return int(units)


class Dense(Layer):
    """Densely connected layer: ``activation(x @ kernel + bias)``.

    Args:
        units: positive integer, dimensionality of the output.
        activation: name of an activation (``"relu"``, ``"softmax"``, ...),
            a callable, or ``None`` for linear.
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer name (``"glorot_uniform"``,
            ``"he_normal"``, ``"zeros"``, ...) or a callable ``f(shape)``.
        bias_initializer: likewise for the bias (default ``"zeros"``).
        name: explicit name; by default ``dense``, ``dense_1``, ...
        **kwargs: ``trainable``, ``dtype``, ``input_shape`` (see :class:`Layer`).

    The kernel (``(input_dim, units)``) and bias (``(units,)``) are created
    on the first call.
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        name=None,
        **kwargs,
    ):
        units = _check_units(units)
        act = activations.get(activation)
        kernel_init = initializers.get(kernel_initializer)
        bias_init = initializers.get(bias_initializer)
        if not isinstance(use_bias, bool):
            raise TypeError(f"`use_bias` must be a bool. Received: use_bias={use_bias!r}")
        super().__init__(name=name, **kwargs)
        self.units = units
        self.activation = act
        self.use_bias = use_bias
        self.kernel_initializer = kernel_init
        self.bias_initializer = bias_init
        self.input_spec = {"min_ndim": 2}

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(
                f"The last dimension of the inputs to a Dense layer should be defined. Found None. "
                f"Full input shape received: {tuple(input_shape)}"
            )
        self.input_spec = {"min_ndim": 2, "axes": {-1: in_dim}}
        self.add_weight("kernel", self.kernel_initializer((in_dim, self.units)))
        if self.use_bias:
            self.add_weight("bias", self.bias_initializer((self.units,)))
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def call(self, x, training=False):
        y = x @ self._weights[0]
        if self.use_bias:
            y = y + self._weights[1]
        return self.activation(y)


class Dropout(Layer):
    """Randomly sets inputs to 0 with frequency ``rate`` during training;
    the identity at inference (``predict``).

    Args:
        rate: float in ``[0, 1]``.
        seed: optional integer seed.
        name: explicit name; by default ``dropout``, ``dropout_1``, ...
    """

    def __init__(self, rate, noise_shape=None, seed=None, name=None, **kwargs):
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value "
                f"between 0 and 1. Received: rate={rate}"
            )
        super().__init__(name=name, **kwargs)
        self.rate = float(rate)
        self.noise_shape = noise_shape
        # Keras makes (and names) a seed generator only for a non-zero rate.
        self.seed_generator = SeedGenerator(seed) if self.rate > 0 else None
        self.built = True

    def call(self, x, training=False):
        if not training or self.seed_generator is None:
            return x
        keep = self.seed_generator.rng().random(x.shape) >= self.rate
        return np.where(keep, x / (1 - self.rate), 0).astype(x.dtype)


class Activation(Layer):
    """Applies an activation function (a name such as ``"relu"`` or a callable)."""

    def __init__(self, activation, name=None, **kwargs):
        act = activations.get(activation)
        super().__init__(name=name, **kwargs)
        self.activation = act
        self.built = True

    def call(self, x, training=False):
        return self.activation(x)


class Flatten(Layer):
    """Flattens every dimension but the batch one: ``(None, 4, 5)`` -> ``(None, 20)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"`` (default:
            :func:`r_bridge.config.image_data_format`); with channels first,
            the channel axis is moved last before flattening, as in Keras.
        name: explicit name; by default ``flatten``, ``flatten_1``, ...
    """

    def __init__(self, data_format=None, name=None, **kwargs):
        data_format = config.standardize_data_format(data_format)
        super().__init__(name=name, **kwargs)
        self.data_format = data_format
        self.built = True

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else int(np.prod(rest, dtype=np.int64))
        return (input_shape[0], size)

    def call(self, x, training=False):
        if self.data_format == "channels_first" and x.ndim > 2:
            x = np.moveaxis(x, 1, -1)
        return x.reshape(x.shape[0], -1)
