"""``Embedding`` (Keras's ``layers/core/embedding``): integer indices to rows
of a trainable ``(input_dim, output_dim)`` matrix.

``mask_zero`` is recorded and :meth:`Embedding.compute_mask` answers as
Keras's does, but masking itself (propagating the mask to the next layers)
is outside r_bridge. Regularizers, constraints, LoRA and quantization are
outside r_bridge too (only their defaults are accepted).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r_bridge import initializers
from r_bridge.layers.layer import Layer
from r_bridge.messages import shown
from r_bridge.tensor import KerasTensor

Shape = tuple[int | None, ...]


def _check_dim(name: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"`{name}` must be a positive integer. Received: {name}={shown(value)} "
            f"(of type {type(value).__name__})."
        )
    return value


class Embedding(Layer):
    """Turns non-negative integers (indices) into dense vectors of size
    ``output_dim``: ``(batch, n)`` integers give ``(batch, n, output_dim)``.

    Args:
        input_dim: positive integer, the size of the vocabulary (largest index + 1).
        output_dim: positive integer, the size of each vector.
        embeddings_initializer: initializer of the matrix (default
            ``"uniform"``: uniform in ``[-0.05, 0.05]``).
        embeddings_regularizer, embeddings_constraint: must be ``None``.
        mask_zero: whether index 0 is padding (recorded; see the module's note).
        weights: optional initial matrix (or a one-element list of it).
        **kwargs: ``name``, ``trainable``, ``dtype`` (see :class:`Layer`).

    Inputs that are not ``int32``/``int64`` are cast to ``int32``; indices
    outside ``[0, input_dim)`` raise numpy's ``IndexError``.
    """

    def __init__(
        self,
        input_dim: int,
        output_dim: int,
        embeddings_initializer: str | initializers.Initializer = "uniform",
        embeddings_regularizer: Any = None,
        embeddings_constraint: Any = None,
        mask_zero: bool = False,
        weights: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        quantization_config: Any = None,
        **kwargs: Any,
    ):
        _check_dim("input_dim", input_dim)
        _check_dim("output_dim", output_dim)
        for name, value in (
            ("embeddings_regularizer", embeddings_regularizer),
            ("embeddings_constraint", embeddings_constraint),
            ("lora_rank", lora_rank),
            ("quantization_config", quantization_config),
        ):
            if value is not None:
                raise ValueError(
                    f"`{name}` is outside r_bridge's scope: pass None. Received: {name}={shown(value, conversion='r')}"
                )
        if kwargs.pop("input_length", None) is not None:
            import warnings

            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        init = initializers.get(embeddings_initializer)
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = init
        self.embeddings_regularizer = None
        self.embeddings_constraint = None
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.lora_rank = None
        self.lora_alpha = None
        self.quantization_config = None
        self._embeddings: np.ndarray | None = None
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape: Shape | None = None) -> None:
        if self.built:
            return
        self._embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            name="embeddings",
        )
        self.built = True

    @property
    def embeddings(self) -> np.ndarray:
        """The ``(input_dim, output_dim)`` matrix (the layer must be built)."""
        if self._embeddings is None:
            raise AttributeError("You must build the layer before accessing `embeddings`.")
        return self._embeddings

    def call(self, inputs: np.ndarray) -> np.ndarray:
        x = np.asarray(inputs)
        if x.dtype not in (np.int32, np.int64):
            x = x.astype("int32")
        return np.take(self.embeddings, x, axis=0).astype(self.dtype, copy=False)

    def _convert_input(self, x: Any) -> Any:
        # indices stay integers (the base class would make them floats)
        return np.asarray(x) if isinstance(x, (list, int, float, np.generic)) else x

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """``inputs != 0`` when ``mask_zero``, else ``None`` (as Keras)."""
        if not self.mask_zero:
            return None
        return np.not_equal(np.asarray(inputs), 0)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*input_shape, self.output_dim)

    def compute_output_spec(self, inputs: KerasTensor) -> KerasTensor:
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=self.dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "embeddings_regularizer": None,
                "activity_regularizer": None,
                "embeddings_constraint": None,
                "mask_zero": self.mask_zero,
                "quantization_config": None,
            }
        )
        return config
