"""``Dense``, ``Dropout``, ``Activation`` and ``Flatten`` (numpy forward passes).

Each constructor checks its arguments *before* the layer takes a name, so a
bad argument leaves the session's counters untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from r_bridge import activations, config, initializers
from r_bridge.layers.layer import Layer
from r_bridge.messages import shown
from r_bridge.random import SeedGenerator


def _check_units(units: Any) -> int:
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
        raise ValueError(
            "Received an invalid value for `units`, expected a positive integer. "
            f"Received: units={shown(units)}"
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
            ``"he_normal"``, ``"zeros"``, ...) or a callable ``f(shape)``;
            ``None`` means :meth:`Layer.add_weight`'s default, as in Keras
            (``"glorot_uniform"`` for float weights).
        bias_initializer: likewise for the bias (default ``"zeros"``; ``None``
            is add_weight's default too, as in Keras: ``"glorot_uniform"``).
        name: explicit name; by default ``dense``, ``dense_1``, ...
        **kwargs: ``trainable``, ``dtype``, ``input_shape`` (see :class:`Layer`).

    The kernel (``(input_dim, units)``) and bias (``(units,)``) are created
    on the first call.
    """

    def __init__(
        self,
        units: int | np.integer,
        activation: str | activations.Activation | None = None,
        use_bias: bool = True,
        kernel_initializer: str | initializers.Initializer | None = "glorot_uniform",
        bias_initializer: str | initializers.Initializer | None = "zeros",
        name: str | None = None,
        **kwargs: Any,
    ):
        if type(units) is not int or units <= 0:  # (a positive int: nothing to check or convert)
            units = _check_units(units)
        act = activations.get(activation)
        kernel_init = initializers.get(kernel_initializer)
        bias_init = initializers.get(bias_initializer)
        if not isinstance(use_bias, bool):
            raise TypeError(
                f"`use_bias` must be a bool. Received: use_bias={shown(use_bias, conversion='r')}"
            )
        super().__init__(name=name, **kwargs)
        self.units = units
        self.activation = act
        self.use_bias = use_bias
        self.kernel_initializer = kernel_init
        self.bias_initializer = bias_init
        self.input_spec = {"min_ndim": 2}

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        # A list or dict of inputs gives a list or dict of shapes: the
        # kernel's shape then names it (Keras: "Cannot convert ... to a
        # shape" for a list; its KeyError: -1 for a dict said nothing).
        in_dim = input_shape[-1] if not isinstance(input_shape, dict) else input_shape
        if in_dim is None:
            raise ValueError(
                f"The last dimension of the inputs to a Dense layer should be defined. Found None. "
                f"Full input shape received: {tuple(input_shape)}"
            )
        self.kernel = self.add_weight(
            shape=(in_dim, self.units), initializer=self.kernel_initializer, name="kernel"
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer, name="bias")
        self.input_spec = {"min_ndim": 2, "axes": {-1: in_dim}}  # once built, as Keras does
        self.built = True

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=None,
            bias_regularizer=None,
            kernel_constraint=None,
            bias_constraint=None,
            quantization_config=None,
        )
        return config

    def call(self, inputs: np.ndarray, training: bool | None = None) -> np.ndarray:
        y = inputs @ self.kernel
        if self.bias is not None:
            y += self.bias  # y is this call's own array
        return self.activation(y) if self.activation is not None else y


def _check_noise_shape(noise_shape):
    """``None`` or a tuple of positive ints / ``None`` (Keras's checks and messages)."""
    if noise_shape is None:
        return None
    where = "Invalid value received for argument `noise_shape`. "
    if isinstance(noise_shape, str):
        raise ValueError(
            where + f"Expected a tuple or list of integers. Received: noise_shape={shown(noise_shape)}"
        )
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError(
            where + "Expected an iterable of integers (e.g., a tuple or list). "
            f"Received: noise_shape={shown(noise_shape, conversion='r')}"
        ) from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise ValueError(
                where + "Expected all elements to be integers or None. "
                f"Received element at index {i}: {shown(dim, conversion='r')} (type: {type(dim).__name__})"
            )
        if dim <= 0:
            raise ValueError(
                where + "Expected all dimensions to be positive integers or None. "
                f"Received negative or zero value at index {i}: {dim}"
            )
    return tuple(None if d is None else int(d) for d in noise_shape)


class Dropout(Layer):
    """Randomly sets inputs to 0 with frequency ``rate`` during training;
    the identity at inference (``predict``).

    Args:
        rate: float in ``[0, 1]``.
        noise_shape: optional shape of the binary mask, e.g. ``(batch, 1, features)``
            to drop the same features at every timestep; ``None`` entries take
            the input's size.
        seed: optional integer seed in ``[0, 2**32 - 1]``.
        name: explicit name; by default ``dropout``, ``dropout_1``, ...

    Every argument is checked before the layer (or its seed generator) takes a name.
    """

    def __init__(
        self,
        rate: float,
        noise_shape: Sequence[int | None] | None = None,
        seed: int | np.integer | None = None,
        name: str | None = None,
        **kwargs: Any,
    ):
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)) or not 0 <= rate <= 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value "
                f"between 0 and 1. Received: rate={shown(rate)}"
            )
        noise_shape = _check_noise_shape(noise_shape)
        if seed is not None:
            SeedGenerator.check_seed(seed)
        super().__init__(name=name, **kwargs)
        self.rate = float(rate)
        self.noise_shape = noise_shape
        self.seed = seed
        # Keras makes (and names) a seed generator only for a non-zero rate.
        self.seed_generator = SeedGenerator(seed) if self.rate > 0 else None
        self._build_at_init()

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape  # a shape, or a list/dict of them: the same structure out, as in Keras

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed, noise_shape=self.noise_shape)
        return config

    def call(self, inputs: np.ndarray, training: bool | None = False) -> np.ndarray:
        if not training or self.seed_generator is None:
            return inputs
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(d if n is None else n for n, d in zip(self.noise_shape, inputs.shape))
        keep = self.seed_generator.rng().random(shape) >= self.rate
        return np.where(keep, inputs / (1 - self.rate), 0).astype(inputs.dtype)


class Activation(Layer):
    """Applies an activation function (a name such as ``"relu"`` or a callable)."""

    def __init__(self, activation: str | activations.Activation, name: str | None = None, **kwargs: Any):
        act = activations.get(activation)
        super().__init__(name=name, **kwargs)
        self.activation = act
        self._build_at_init()

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape  # a shape, or a list/dict of them: the same structure out, as in Keras

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(activation=activations.serialize(self.activation))
        return config

    def call(self, inputs: np.ndarray) -> np.ndarray:
        return self.activation(inputs)


class Flatten(Layer):
    """Flattens every dimension but the batch one: ``(None, 4, 5)`` -> ``(None, 20)``.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"`` (default:
            :func:`r_bridge.config.image_data_format`); with channels first,
            the channel axis is moved last before flattening, as in Keras.
        name: explicit name; by default ``flatten``, ``flatten_1``, ...
    """

    def __init__(self, data_format: str | None = None, name: str | None = None, **kwargs: Any):
        data_format = config.standardize_data_format(data_format)
        super().__init__(name=name, **kwargs)
        self.data_format = data_format
        self.input_spec = {"min_ndim": 1}  # Keras's: one tensor, not a list or a scalar

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, int | None]:
        _check_one_tensor(self, input_shape, is_shape=True)
        rest = input_shape[1:]
        size = (
            None
            if any(d is None for d in rest)
            else int(np.prod(cast("tuple[int, ...]", rest), dtype=np.int64))
        )  # no None here
        return (input_shape[0], size)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(data_format=self.data_format)
        return config

    def call(self, x: np.ndarray) -> np.ndarray:
        _check_one_tensor(self, x)
        if self.data_format == "channels_first" and x.ndim > 2:
            x = np.moveaxis(x, 1, -1)
        # the size is spelled out: reshape(0, -1) is ambiguous for 0 samples
        return x.reshape(x.shape[0], int(np.prod(x.shape[1:], dtype=np.int64)))


def _check_one_tensor(layer: Layer, x: Any, is_shape: bool = False) -> None:
    """A layer of one tensor given a list or dict (which Keras's input check
    lets through when it holds one tensor): Keras's message for a
    non-tensor input, not numpy's AttributeError."""
    if (
        is_shape
        and isinstance(x, (tuple, list))
        and all(d is None or isinstance(d, (int, np.integer)) for d in x)
    ):
        return
    if not is_shape and isinstance(x, (np.ndarray, np.generic)):
        return
    raise ValueError(
        f"Inputs to a layer should be tensors. Got '{shown(x)}' (of type {type(x)}) "
        f"as input for layer '{layer.name}'."
    )
