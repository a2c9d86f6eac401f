"""The stable bridge between R (or any other host) and the r_bridge session.

This is the only module the R package ``rbridge`` imports. Its contract:

* Every function takes and returns *plain values* only: ``str``, ``int``,
  ``float``, ``bool``, ``None``, ``list``, ``dict`` (string keys),
  ``numpy.ndarray`` and *handles*.
* A **handle** is a positive ``int`` naming an object (layer, model or
  symbolic tensor) that this module holds on behalf of the caller. Functions
  that create or return objects return an *object record*: a dict
  ``{"handle": int, "kind": "layer" | "model" | "tensor", "class": str,
  "name": str}`` (tensors also carry ``"shape"``: a list with ``None`` for
  unknown dimensions). Each record returned counts as one reference; the
  caller gives it back with :func:`release` (R does so from a finalizer).
  The same Python object returned twice gets the same handle with two
  references.
* Handles are not session state: :func:`clear_session` resets names and
  counters but does not invalidate handles (the caller still holds them).
* Errors are raised as ordinary Python exceptions (``ValueError``,
  ``TypeError``, ``KeyError`` for unknown handles) whose message is the
  whole story; callers show the message, not the traceback.
* A call that raises leaves the session's name counters exactly as they
  were (operations are atomic with respect to naming).
* Breaking any of this bumps the major part of :data:`API_VERSION`; adding a
  function or an optional argument bumps the minor part. Hosts check the
  major part on first use.

Functions (all arguments may be passed by keyword):

``api_version()``, ``clear_session(free_memory=True, release=None)``,
``get_uid(prefix="")``, ``reset_uids()``, ``config_get(name)``,
``config_set(name, value)``, ``set_random_seed(seed)``,
``make_layer(kind, args=None, target=None)``, ``make_input(shape, name=None)``,
``make_sequential(layers=None, name=None)``,
``make_model(inputs, outputs, name=None)``, ``add(model, layer)``, ``pop(model)``,
``call(layer, x)``, ``get(handle, attr)``, ``count_params(handle)``,
``get_weights(handle)``, ``set_weights(handle, weights)``,
``predict(handle, x)``, ``summary(handle)``,
``get_source_inputs(handle)``, ``release(handles)``,
``session_snapshot()``, ``session_save()``, ``session_restore(state)``.
"""

from __future__ import annotations

import functools
import threading

import numpy as np

from r_bridge import config as _config
from r_bridge import naming as _naming
from r_bridge import session as _state
from r_bridge.layers import Activation, Dense, Dropout, Flatten, Layer
from r_bridge.models import Functional, Input, KerasTensor, Model, Sequential
from r_bridge.models import get_source_inputs as _get_source_inputs

API_VERSION = "1.0.0"

LAYER_KINDS = {
    "dense": Dense,
    "dropout": Dropout,
    "activation": Activation,
    "flatten": Flatten,
}

_lock = threading.RLock()
_objects: dict[int, object] = {}  # handle -> object
_refs: dict[int, int] = {}  # handle -> references held by the caller
_handle_of: dict[int, int] = {}  # id(object) -> handle
_next_handle = 1


# ---------------------------------------------------------------- handles
def _record(obj) -> dict:
    """Register ``obj`` (one more reference) and describe it."""
    global _next_handle
    with _lock:
        h = _handle_of.get(id(obj))
        if h is None or _objects.get(h) is not obj:
            h = _next_handle
            _next_handle += 1
            _objects[h] = obj
            _refs[h] = 0
            _handle_of[id(obj)] = h
        _refs[h] += 1
    if isinstance(obj, KerasTensor):
        return {
            "handle": h,
            "kind": "tensor",
            "class": "KerasTensor",
            "name": obj.name,
            "shape": list(obj.shape),
        }
    kind = "model" if isinstance(obj, Model) else "layer"
    return {"handle": h, "kind": kind, "class": type(obj).__name__, "name": obj.name}


def _obj(handle, what="handle"):
    if isinstance(handle, bool) or not isinstance(handle, (int, np.integer)):
        raise TypeError(f"`{what}` must be an object handle (int). Received: {handle!r}")
    try:
        return _objects[int(handle)]
    except KeyError:
        raise KeyError(f"`{what}` {int(handle)} is not a live handle (already released?)") from None


def _layer(handle, what="layer"):
    obj = _obj(handle, what)
    if not isinstance(obj, Layer):
        raise TypeError(f"`{what}` must be a layer or model handle, not a {type(obj).__name__}.")
    return obj


def _tensor_or_array(x, what="x"):
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return _obj(x, what)
    return np.asarray(x)


def _atomic(fn):
    """Run ``fn`` inside :func:`r_bridge.naming.atomic`: if it raises, the
    name counters are as before."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _naming.atomic():
            return fn(*args, **kwargs)

    return wrapper


def release(handles) -> int:
    """Give back one reference per handle in ``handles`` (an int or a list).

    Unknown handles are ignored, so releasing is idempotent-safe for
    finalizers. Returns the number of live handles afterwards.
    """
    if isinstance(handles, (int, np.integer)):
        handles = [handles]
    with _lock:
        for h in handles or ():
            h = int(h)
            if h in _refs:
                _refs[h] -= 1
                if _refs[h] <= 0:
                    obj = _objects.pop(h)
                    del _refs[h]
                    if _handle_of.get(id(obj)) == h:
                        del _handle_of[id(obj)]
        return len(_objects)


def live_handles() -> int:
    """Number of objects currently held for the caller."""
    return len(_objects)


# ---------------------------------------------------------------- session
def api_version() -> str:
    """The version of this contract, e.g. ``"1.0.0"``."""
    return API_VERSION


def clear_session(free_memory=True, release=None) -> None:
    """Release ``release`` handles (if given), then reset the session.

    Same as :func:`r_bridge.clear_session`; the handles are released first
    so that ``free_memory=True`` can collect what they held.
    """
    if not isinstance(free_memory, bool):
        raise TypeError(
            f"`free_memory` must be a bool (True or False). Received: {free_memory!r}"
        )
    if release:
        globals()["release"](release)
    _state.clear_session(free_memory=free_memory)


def get_uid(prefix="") -> int:
    """Increment and return the counter of ``prefix`` (Keras's ``get_uid``)."""
    return _naming.get_uid(prefix)


def reset_uids() -> None:
    """Reset every name counter (Keras's ``reset_uids``)."""
    _naming.reset_uids()


def config_get(name: str):
    """Read a setting: ``floatx``, ``epsilon``, ``image_data_format``,
    ``backend``, ``interactive_logging``, ``traceback_filtering``."""
    return _config.get(name)


def config_set(name: str, value):
    """Change a setting; returns its previous value. ``backend`` is read-only."""
    return _config.set(name, value)


def set_random_seed(seed) -> None:
    """Seed the global random generator (Keras's ``set_random_seed``)."""
    _config.set_random_seed(seed)


def session_snapshot() -> dict:
    """What the session holds, as plain values.

    ``{"uids": {prefix: count}, "handles": int, "thread": str,
    "config": {name: value}, "name_scope": str, "api_version": str}``
    (the state is the calling thread's: each thread has its own).
    """
    snap = _state.snapshot()
    snap["handles"] = len(_objects)
    snap["api_version"] = API_VERSION
    return snap


def session_save() -> dict:
    """The resettable session state of this thread, to give to ``session_restore``."""
    return _state.save()


def session_restore(state: dict) -> None:
    """Put back what :func:`session_save` returned."""
    _state.restore(state)


# ---------------------------------------------------------------- objects
@_atomic
def make_layer(kind: str, args=None, target=None) -> dict:
    """Create a layer of ``kind`` (``dense``, ``dropout``, ``activation``,
    ``flatten``) with keyword ``args``, then compose it with ``target``:

    * ``target=None``: returns the layer's record;
    * a model handle: adds the layer to the model and returns the model's record;
    * a tensor handle: calls the layer on it and returns the output tensor's record.

    On error nothing is created, added or named.
    """
    if kind not in LAYER_KINDS:
        raise ValueError(
            f"Unknown layer kind: {kind!r}. Expected one of {sorted(LAYER_KINDS)}"
        )
    tgt = None if target is None else _obj(target, "target")
    if tgt is not None and not isinstance(tgt, (Sequential, KerasTensor)):
        raise TypeError(
            "`target` must be a Sequential model or a symbolic tensor, "
            f"not a {type(tgt).__name__}."
        )
    layer = LAYER_KINDS[kind](**(args or {}))
    if tgt is None:
        return _record(layer)
    if isinstance(tgt, Sequential):
        tgt.add(layer)
        return _record(tgt)
    return _record(layer(tgt))


@_atomic
def make_input(shape, name=None) -> dict:
    """``Input(shape, name)``: the record of a symbolic tensor."""
    return _record(Input(shape=tuple(shape), name=name))


@_atomic
def make_sequential(layers=None, name=None) -> dict:
    """``Sequential(layers, name)``; ``layers`` is a list of layer or tensor handles."""
    objs = [_obj(h, "layers") for h in (layers or [])]
    return _record(Sequential(objs, name=name))


@_atomic
def make_model(inputs, outputs, name=None) -> dict:
    """Functional ``Model(inputs, outputs, name)``; handles or lists of handles."""
    def unpack(v, what):
        if isinstance(v, (list, tuple)):
            return [_obj(h, what) for h in v]
        return _obj(v, what)

    return _record(Functional(unpack(inputs, "inputs"), unpack(outputs, "outputs"), name=name))


@_atomic
def add(model, layer) -> dict:
    """``model.add(layer)``; returns the model's record."""
    m = _obj(model, "model")
    if not isinstance(m, Sequential):
        raise TypeError(f"`model` must be a Sequential model, not a {type(m).__name__}.")
    m.add(_obj(layer, "layer"))
    return _record(m)


def pop(model) -> dict:
    """``model.pop()``: removes the last layer; returns the removed layer's record."""
    m = _obj(model, "model")
    if not isinstance(m, Sequential):
        raise TypeError(f"`model` must be a Sequential model, not a {type(m).__name__}.")
    return _record(m.pop())


@_atomic
def call(layer, x):
    """``layer(x)``: ``x`` a tensor handle (returns a tensor record) or an
    array (returns an array)."""
    out = _layer(layer)(_tensor_or_array(x))
    return out if isinstance(out, np.ndarray) else _record(out)


_PLAIN_ATTRS = ("name", "built", "trainable", "units", "rate", "activation", "use_bias")


def get(handle, attr: str):
    """Read attribute ``attr`` of an object as a plain value.

    ``name``, ``class``, ``built``, ``trainable``, ``units``, ``rate``,
    ``activation`` (its name), ``use_bias``, ``shape`` (tensors),
    ``dtype``; ``layers``, ``inputs``, ``outputs`` return lists of records.
    """
    obj = _obj(handle)
    if attr == "class":
        return type(obj).__name__
    if attr in ("layers", "inputs", "outputs"):
        if not hasattr(type(obj), attr) and not hasattr(obj, attr):
            raise AttributeError(f"{type(obj).__name__} has no attribute `{attr}`")
        return [_record(o) for o in getattr(obj, attr)]  # may say why not (unbuilt)
    if attr == "shape" and isinstance(obj, KerasTensor):
        return list(obj.shape)
    if attr == "dtype":
        return str(obj.dtype)
    if attr in _PLAIN_ATTRS and hasattr(obj, attr):
        val = getattr(obj, attr)
        if attr == "activation":
            return getattr(val, "__name__", str(val))
        return val
    raise AttributeError(f"{type(obj).__name__} has no attribute `{attr}` readable through the API")


def count_params(handle) -> int:
    """Number of weights' scalars (raises if the layer is not built, like Keras)."""
    return int(_layer(handle).count_params())


def get_weights(handle) -> list:
    """List of numpy arrays, Keras order and shapes."""
    return _layer(handle).get_weights()


def set_weights(handle, weights) -> None:
    """Set weights from a list of arrays (Keras checks and messages)."""
    _layer(handle).set_weights([np.asarray(w) for w in weights])


def predict(handle, x):
    """Forward pass on a numpy array (a list of arrays for a multi-input
    model); returns a numpy array (a list of them for a multi-output model)."""
    return _layer(handle).predict(x)


def summary(handle) -> str:
    """The Keras-like summary table as a string."""
    return _layer(handle).summary_text()


def get_source_inputs(handle) -> list:
    """Records of the input tensors a symbolic tensor was computed from."""
    return [_record(t) for t in _get_source_inputs(_obj(handle, "tensor"))]
