"""Random numbers: the session's seed generator, ``set_random_seed`` and
``SeedGenerator`` (Keras's ``utils/rng_utils.py`` and ``random/seed_generator.py``).

Weight initializers and ``Dropout`` draw from :func:`rng`, the session's
generator, unless a layer was given its own ``seed``. The generator is
session state: :func:`r_bridge.clear_session` drops it, and
``r_bridge.session.save()`` keeps it (as text, exactly).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r_bridge import state
from r_bridge.messages import shown
from r_bridge.naming import auto_name

# Session-state keys written by this module.
GLOBAL_SEED = "global_random_seed"
GLOBAL_SEED_GENERATOR = "global_seed_generator"

_MAX_SEED = 2**32 - 1  # numpy's limit for np.random.seed


def _check_seed(seed: Any, message: str) -> int:
    """An int in ``[0, 2**32 - 1]``; ``message`` (Keras's wording) for a non-int."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(message)
    seed = int(seed)
    if not 0 <= seed <= _MAX_SEED:
        raise ValueError(f"Argument `seed` must be between 0 and 2**32 - 1. Received: seed={shown(seed)}")
    return seed


def set_random_seed(seed: int | np.integer) -> None:
    """Sets all random seeds: Python's ``random``, numpy's global generator
    and the session's generator (used by initializers and ``Dropout``).

    Args:
        seed: an integer in ``[0, 2**32 - 1]``.
    """
    seed = _check_seed(
        seed,
        f"Expected `seed` argument to be an integer. Received: seed={shown(seed)} (of type {type(seed)})",
    )
    gen = np.random.default_rng(seed)
    import random  # on use: `import r_bridge` stays lean

    random.seed(seed)
    np.random.seed(seed)
    state.set_global_attribute(GLOBAL_SEED, seed)
    state.set_global_attribute(GLOBAL_SEED_GENERATOR, gen)


def rng() -> np.random.Generator:
    """The session's random generator (seeded by :func:`set_random_seed`)."""
    gen = state.get_global_attribute(GLOBAL_SEED_GENERATOR)
    if gen is None:
        gen = np.random.default_rng(state.get_global_attribute(GLOBAL_SEED))
        state.set_global_attribute(GLOBAL_SEED_GENERATOR, gen)
    return gen


def generator_to_text(gen: np.random.Generator | None) -> str | None:
    """The exact state of a numpy generator as JSON text (``None`` stays ``None``).

    Text, because its 128-bit integers would not survive a trip through R."""
    if gen is None:
        return None
    import json

    return json.dumps(gen.bit_generator.state)


def generator_from_text(text: str | None) -> np.random.Generator | None:
    """The generator :func:`generator_to_text` described."""
    if text is None:
        return None
    try:
        import json

        st = json.loads(text)
        bit_gen = getattr(np.random, st["bit_generator"])()
        bit_gen.state = st
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise ValueError(f"Invalid saved random generator state: {shown(text, conversion='r')}") from e
    return np.random.Generator(bit_gen)


class SeedGenerator:
    """A named random generator owned by a layer (Keras's ``SeedGenerator``).

    Args:
        seed: an integer in ``[0, 2**32 - 1]``, or ``None`` to draw from the
            session's generator.
        name: explicit name; by default ``seed_generator``, ``seed_generator_1``...

    The seed is checked before the generator takes a name.
    """

    __slots__ = ("name", "_rng")

    @staticmethod
    def check_seed(seed: Any) -> int:
        """``seed`` as an int in ``[0, 2**32 - 1]`` (Keras's message for a non-int)."""
        return _check_seed(
            seed, f"Argument `seed` must be an integer. Received: seed={shown(seed, conversion='r')}"
        )

    def __init__(self, seed: int | np.integer | None = None, name: str | None = None):
        if seed is not None:
            seed = self.check_seed(seed)
        self.name = name if name is not None else auto_name(type(self).__name__)
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def rng(self) -> np.random.Generator:
        return self._rng if self._rng is not None else rng()
