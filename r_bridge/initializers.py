"""Weight initializers by name (numpy), drawing from the session's generator."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from r_bridge import random

#: What :func:`get` returns: ``f(shape) -> array``.
Initializer = Callable[[tuple[int, ...]], ArrayLike]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) < 2:
        return shape[0] if shape else 1, shape[0] if shape else 1
    return shape[-2], shape[-1]


def _scaled(kind: str, scale: float, mode: str) -> Initializer:
    def init(shape: tuple[int, ...]) -> np.ndarray:
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        var = scale / max(1.0, n)
        if kind == "uniform":
            limit = math.sqrt(3.0 * var)
            return random.rng().uniform(-limit, limit, shape)
        return random.rng().normal(0.0, math.sqrt(var), shape)

    return init


_ALL: dict[str, Initializer] = {
    "zeros": np.zeros,
    "ones": np.ones,
    "glorot_uniform": _scaled("uniform", 1.0, "fan_avg"),
    "glorot_normal": _scaled("normal", 1.0, "fan_avg"),
    "he_uniform": _scaled("uniform", 2.0, "fan_in"),
    "he_normal": _scaled("normal", 2.0, "fan_in"),
    "lecun_uniform": _scaled("uniform", 1.0, "fan_in"),
    "lecun_normal": _scaled("normal", 1.0, "fan_in"),
    "random_uniform": lambda shape: random.rng().uniform(-0.05, 0.05, shape),
    "random_normal": lambda shape: random.rng().normal(0.0, 0.05, shape),
}
_ALL["uniform"] = _ALL["random_uniform"]  # Keras's aliases (Embedding's default is "uniform")
_ALL["normal"] = _ALL["random_normal"]


def get(identifier: str | Initializer) -> Initializer:
    """A name (``"glorot_uniform"``, ``"zeros"``, ``"he_normal"``, ...) or a
    callable ``f(shape) -> array`` to a callable."""
    if isinstance(identifier, str) and identifier in _ALL:
        return _ALL[identifier]
    if callable(identifier) and not isinstance(identifier, str):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!s:.100}")
