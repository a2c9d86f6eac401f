"""Reshaping layers (Keras's ``layers/reshaping``): ``Reshape``, ``Permute``,
``RepeatVector`` (``Flatten`` is in :mod:`r_bridge.layers.core`). No weights;
the batch axis is never touched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from r_bridge.layers.layer import Layer
from r_bridge.messages import shown
from r_bridge.ops.numpy import compute_reshape_output_shape, validate_reshape_shape
from r_bridge.tensor import KerasTensor

Shape = tuple[int | None, ...]


class Reshape(Layer):
    """Reshapes each sample to ``target_shape``.

    Args:
        target_shape: the new shape without the batch axis; one size may be
            ``-1`` (inferred from the others).
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).

    ``Input(shape=(12,))`` then ``Reshape((3, 4))`` gives ``(None, 3, 4)``;
    ``Reshape((-1, 2, 2))`` gives ``(None, 3, 2, 2)``.
    """

    def __init__(self, target_shape: Sequence[int], **kwargs: Any):
        target_shape = tuple(target_shape)
        validate_reshape_shape(target_shape, newshape_arg_name="target_shape")
        super().__init__(**kwargs)
        self.target_shape = target_shape
        self.built = True

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (
            input_shape[0],
            *compute_reshape_output_shape(input_shape[1:], self.target_shape, "target_shape"),
        )

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=inputs.dtype)

    def call(self, inputs: np.ndarray) -> np.ndarray:
        shape = compute_reshape_output_shape(inputs.shape[1:], self.target_shape, "target_shape")
        return np.reshape(inputs, (inputs.shape[0],) + tuple(-1 if d is None else d for d in shape))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"target_shape": self.target_shape})
        return config


class Permute(Layer):
    """Permutes the axes of each sample: ``dims`` numbers them from 1 (the
    batch axis stays first); ``Permute((2, 1))`` on ``(None, 10, 64)`` gives
    ``(None, 64, 10)``.

    Args:
        dims: a permutation of ``1..n`` for inputs with ``n`` axes besides the batch.
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).
    """

    def __init__(self, dims: Sequence[int], **kwargs: Any):
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. "
                "The set of indices in `dims` must be consecutive and start "
                f"from 1. Received dims={shown(dims)}"
            )
        super().__init__(**kwargs)
        self.dims = dims
        self.input_spec = {"ndim": len(dims) + 1}

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=inputs.dtype)

    def call(self, inputs: np.ndarray) -> np.ndarray:
        return np.transpose(inputs, (0,) + self.dims)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"dims": self.dims})
        return config


class RepeatVector(Layer):
    """Repeats each sample ``n`` times: ``(None, 32)`` gives ``(None, n, 32)``.

    Args:
        n: positive integer, the number of repetitions.
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).
    """

    def __init__(self, n: int, **kwargs: Any):
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = {"ndim": 2}

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], self.n, input_shape[1])

    def call(self, inputs: np.ndarray) -> np.ndarray:
        return np.repeat(inputs[:, None, :], self.n, axis=1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"n": self.n})
        return config
