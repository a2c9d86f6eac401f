"""r_bridge: Keras 3's session state for Python and R.

Layer-name uniquification (``dense``, ``dense_1``, ...), the Functional
model-building API and :func:`clear_session`, which resets them, with the
same behaviour as Keras 3 and a numpy forward pass. The R package
``rbridge`` drives the same session through :mod:`r_bridge.api`.

>>> import r_bridge
>>> r_bridge.clear_session()
>>> [r_bridge.layers.Dense(10).name for _ in range(2)]
['dense', 'dense_1']
>>> r_bridge.clear_session()
>>> r_bridge.layers.Dense(10).name
'dense'
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

from r_bridge import config, keras_link, layers, models, ops, saving, utils
from r_bridge.info import session_info
from r_bridge.models import Functional, Input, KerasTensor, Model, Sequential, get_source_inputs
from r_bridge.naming import get_uid, name_scope, reset_uids
from r_bridge.random import set_random_seed
from r_bridge.state import clear_session, register_clear_hook, unregister_clear_hook

if TYPE_CHECKING:
    from r_bridge.bridge.rhost import RPackage

__version__ = "0.1.0"


def attach_r(lib_loc: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> RPackage:
    """Start R in this process (through rpy2) and load the R package rbridge,
    wired to this Python session; returns the rpy2 package object.

    Args:
        lib_loc: optional R library directory holding rbridge (searched
            first), or several. See :func:`r_bridge.bridge.rhost.attach_r`.
    """
    from r_bridge.bridge.rhost import attach_r as _attach

    return _attach(lib_loc=lib_loc)


__all__ = [
    "clear_session",
    "get_uid",
    "reset_uids",
    "name_scope",
    "register_clear_hook",
    "unregister_clear_hook",
    "set_random_seed",
    "session_info",
    "config",
    "keras_link",
    "layers",
    "models",
    "ops",
    "saving",
    "utils",
    "Input",
    "Model",
    "Sequential",
    "Functional",
    "KerasTensor",
    "get_source_inputs",
    "attach_r",
]
