"""Weight initializers (numpy), drawing from the session's generator.

Keras's built-in initializers as objects with Keras's class names and
configs, so a layer's config serializes them as Keras does
(``{"module": "keras.initializers", "class_name": "GlorotUniform", "config":
{"seed": None, ...}}``) and a config written by Keras gives them back.
:func:`get` resolves what a layer's ``*_initializer`` argument accepts: a
name (``"glorot_uniform"`` or ``"GlorotUniform"``), a serialized config, or a
callable ``f(shape)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from r_bridge import random
from r_bridge.messages import shown

if TYPE_CHECKING:  # (numpy.typing costs a millisecond at import)
    from numpy.typing import ArrayLike

#: What :func:`get` returns: ``f(shape) -> array``.
Initializer = Callable[[tuple[int, ...]], "ArrayLike"]

_MODULE = "keras.initializers"


def _fans(shape: tuple[int, ...]) -> tuple[float, float]:
    """Keras's ``compute_fans``: the receptive field counts for kernels of rank > 2."""
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _truncated_normal(rng: np.random.Generator, mean: float, stddev: float, shape) -> np.ndarray:
    """Normal values redrawn until within two standard deviations (as Keras)."""
    out = rng.normal(0.0, 1.0, shape)
    bad = np.abs(out) > 2
    while bad.any():
        out[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
        bad = np.abs(out) > 2
    return mean + stddev * out


class KerasInitializer:
    """A Keras built-in initializer: its class name, its config, and a draw.

    ``seed=None`` draws from the session's generator; an integer seed gives
    the same values at every call (as a seeded Keras initializer does).
    """

    class_name = "Initializer"
    _defaults: dict[str, Any] = {}

    def __init__(self, **config: Any):
        unknown = set(config) - set(self._defaults)
        if unknown:
            raise ValueError(
                f"Unrecognized arguments for initializer {self.class_name}: {shown(sorted(unknown))}"
            )
        self._config = {**self._defaults, **config}
        seed = self._config.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(
                f"`seed` of initializer {self.class_name} must be an integer or None. Received: seed={shown(seed, conversion='r')}"
            )

    def _rng(self) -> np.random.Generator:
        seed = self._config.get("seed")
        return random.rng() if seed is None else np.random.default_rng(int(seed))

    def _draw(self, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, shape: tuple[int, ...], dtype: str | None = None) -> np.ndarray:
        out = self._draw(self._rng(), tuple(shape))
        return out if dtype is None else np.asarray(out, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        """Keras's config of this initializer."""
        return dict(self._config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasInitializer:
        return cls(**config)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, KerasInitializer)
            and type(other) is type(self)
            and other._config == self._config
        )

    def __hash__(self) -> int:
        return hash(self.class_name)

    def __repr__(self) -> str:
        return f"<{self.class_name} {self._config}>"


class Zeros(KerasInitializer):
    class_name = "Zeros"

    def _draw(self, rng, shape):
        return np.zeros(shape)

    def _rng(self):  # draws nothing: takes nothing from the session's generator
        return None


class Ones(Zeros):
    class_name = "Ones"

    def _draw(self, rng, shape):
        return np.ones(shape)


class Constant(Zeros):
    class_name = "Constant"
    _defaults = {"value": 0.0}

    def _draw(self, rng, shape):
        return np.full(shape, self._config["value"], dtype=float)


class RandomUniform(KerasInitializer):
    class_name = "RandomUniform"
    _defaults = {"seed": None, "minval": -0.05, "maxval": 0.05}

    def _draw(self, rng, shape):
        return rng.uniform(self._config["minval"], self._config["maxval"], shape)


class RandomNormal(KerasInitializer):
    class_name = "RandomNormal"
    _defaults = {"seed": None, "mean": 0.0, "stddev": 0.05}

    def _draw(self, rng, shape):
        return rng.normal(self._config["mean"], self._config["stddev"], shape)


class TruncatedNormal(RandomNormal):
    class_name = "TruncatedNormal"

    def _draw(self, rng, shape):
        return _truncated_normal(rng, self._config["mean"], self._config["stddev"], shape)


class VarianceScaling(KerasInitializer):
    """Keras's ``VarianceScaling`` (Glorot, He and LeCun are instances of it)."""

    class_name = "VarianceScaling"
    _defaults = {
        "seed": None,
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
        "input_axes": None,
        "output_axes": None,
    }

    def __init__(self, **config: Any):
        super().__init__(**config)
        c = self._config
        if c["input_axes"] is not None or c["output_axes"] is not None:
            raise ValueError(
                f"Initializer {self.class_name} with `input_axes`/`output_axes` is not supported by r_bridge."
            )
        if c["mode"] not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(
                "Invalid `mode` argument: expected one of {'fan_in', 'fan_out', 'fan_avg'}. "
                f"Received: {shown(c['mode'])}"
            )
        if c["distribution"] not in ("truncated_normal", "untruncated_normal", "uniform", "normal"):
            raise ValueError(
                "Invalid `distribution` argument: expected one of {'normal', 'uniform', "
                f"'truncated_normal', 'untruncated_normal'}}. Received: {shown(c['distribution'])}"
            )

    def _draw(self, rng, shape):
        c = self._config
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[c["mode"]]
        var = c["scale"] / max(1.0, n)
        if c["distribution"] == "uniform":
            limit = math.sqrt(3.0 * var)
            return rng.uniform(-limit, limit, shape)
        if c["distribution"] in ("truncated_normal", "normal"):
            return _truncated_normal(rng, 0.0, math.sqrt(var) / 0.87962566103423978, shape)
        return rng.normal(0.0, math.sqrt(var), shape)


def _variance_scaling(name: str, scale: float, mode: str, distribution: str) -> type[VarianceScaling]:
    """A named VarianceScaling (Keras's GlorotUniform, HeNormal, ...)."""
    fixed = {"scale": scale, "mode": mode, "distribution": distribution}

    class Named(VarianceScaling):
        class_name = name
        _defaults = {"seed": None, "input_axes": None, "output_axes": None}

        def __init__(self, **config: Any):
            KerasInitializer.__init__(self, **config)
            self._full = VarianceScaling(**fixed, **self._config)  # checks the axes

        def _draw(self, rng, shape):
            return self._full._draw(rng, shape)

    Named.__name__ = Named.__qualname__ = name
    return Named


GlorotUniform = _variance_scaling("GlorotUniform", 1.0, "fan_avg", "uniform")
GlorotNormal = _variance_scaling("GlorotNormal", 1.0, "fan_avg", "truncated_normal")
HeUniform = _variance_scaling("HeUniform", 2.0, "fan_in", "uniform")
HeNormal = _variance_scaling("HeNormal", 2.0, "fan_in", "truncated_normal")
LecunUniform = _variance_scaling("LecunUniform", 1.0, "fan_in", "uniform")
LecunNormal = _variance_scaling("LecunNormal", 1.0, "fan_in", "truncated_normal")

_CLASSES: dict[str, type[KerasInitializer]] = {
    c.class_name: c
    for c in (
        Zeros,
        Ones,
        Constant,
        RandomUniform,
        RandomNormal,
        TruncatedNormal,
        VarianceScaling,
        GlorotUniform,
        GlorotNormal,
        HeUniform,
        HeNormal,
        LecunUniform,
        LecunNormal,
    )
}
# Keras's snake-case aliases.
_NAMES = {
    "zeros": "Zeros",
    "ones": "Ones",
    "constant": "Constant",
    "random_uniform": "RandomUniform",
    "random_normal": "RandomNormal",
    "truncated_normal": "TruncatedNormal",
    "variance_scaling": "VarianceScaling",
    "glorot_uniform": "GlorotUniform",
    "glorot_normal": "GlorotNormal",
    "he_uniform": "HeUniform",
    "he_normal": "HeNormal",
    "lecun_uniform": "LecunUniform",
    "lecun_normal": "LecunNormal",
    "uniform": "RandomUniform",  # Keras's aliases (Embedding's default is "uniform")
    "normal": "RandomNormal",
}


_DEFAULTS: dict[str, KerasInitializer] = {}


@overload
def serialize(initializer: None) -> None: ...
@overload
def serialize(initializer: Initializer) -> dict[str, Any]: ...
def serialize(initializer: Initializer | None) -> dict[str, Any] | None:
    """Keras's serialized form of a built-in initializer (``None`` for
    ``None``, as Keras writes a layer's unset initializer).

    Raises:
        ValueError: for a callable of the user's (a custom object, which
            r_bridge cannot write into a Keras config).
    """
    if initializer is None:
        return None
    if not isinstance(initializer, KerasInitializer):
        raise ValueError(
            f"Cannot serialize the custom initializer {shown(initializer, conversion='r')}: custom objects are not "
            "supported by r_bridge's configs and files (use a built-in initializer name)."
        )
    return {
        "module": _MODULE,
        "class_name": initializer.class_name,
        "config": initializer.get_config(),
        "registered_name": None,
    }


def deserialize(config: dict[str, Any]) -> KerasInitializer:
    """The initializer of a serialized config (``{"class_name", "config", ...}``)."""
    cls = _CLASSES.get(config.get("class_name"))  # type: ignore[arg-type]
    module = config.get("module", _MODULE)
    if (
        cls is None
        or module not in (_MODULE, None)
        or config.get("registered_name") not in (None, cls.class_name)
    ):
        raise ValueError(
            f"Could not interpret initializer identifier: {shown(config.get('class_name'))} "
            "(custom objects are not supported by r_bridge)"
        )
    return cls.from_config(dict(config.get("config") or {}))


@overload
def get(identifier: None) -> None: ...
@overload
def get(identifier: str | dict | Initializer) -> Initializer: ...
def get(identifier: str | dict | Initializer | None) -> Initializer | None:
    """A name (``"glorot_uniform"``, ``"GlorotUniform"``, ``"zeros"``, ...), a
    serialized config, or a callable ``f(shape) -> array`` to a callable;
    ``None`` stays ``None``, as in Keras (a layer's ``add_weight`` then uses
    its default initializer)."""
    if type(identifier) is str:  # the usual case: a name seen before, one lookup
        default = _DEFAULTS.get(identifier)
        if default is not None:
            return default
    if identifier is None:
        return None
    if isinstance(identifier, str):
        name = _NAMES.get(identifier, identifier)
        if name in _CLASSES:
            # By name: the default instance, made once (initializers hold no
            # state; an unseeded one draws from the session's generator).
            return _DEFAULTS.setdefault(identifier, _CLASSES[name]())
    elif isinstance(identifier, dict):
        return deserialize(identifier)
    elif callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {shown(identifier)}")
