"""The stable, versioned bridge between a host (the R package rbridge) and the session.

Hosts call :func:`dispatch` (or :func:`dispatch_buffers`), never the
functions below directly: ``dispatch(fn, args, releases)`` gives back the
handles in ``releases``, runs ``fn(**args)`` and returns its value or an
error record (see :mod:`r_bridge.bridge.dispatch`). Python code may call the
functions directly; they raise ordinary exceptions then.

The contract:

* Arguments and results are *plain values*: ``str``, ``int``, ``float``,
  ``bool``, ``None``, ``list``, ``dict`` (string keys), ``numpy.ndarray``
  and *handles*.
* A **handle** is an opaque string naming an object (layer, model or
  symbolic tensor) held for the host. Functions that return objects return
  an *object record* ``{"handle", "kind": "layer" | "model" | "tensor",
  "class", "name"}`` (tensors also ``"shape"``, a list with ``None`` for
  unknown sizes, and ``"dtype"``). Each record returned counts one
  reference, which the host gives back through ``releases`` (R does so from
  a finalizer). The same object returned twice has the same handle.
* A handle from another process or session, or made up, is an error that
  says so; it never reaches another object.
* Layer arguments (``make_layer``'s ``args``, ``call``'s ``kwargs``) may
  hold references to held objects, ``{"__rbridge_object__": handle}``
  (:data:`OBJECT`): the object itself is passed, as keras3 passes a
  Python layer as ``activation``.
* Parameter names are keras3's argument names (``object``, ``units``, ...),
  so an error record's ``argument`` names the R user's argument.
* A call that fails leaves the session exactly as it was: counters,
  models, and the handle table (the references it would have returned are
  given back).
* Breaking any of this bumps the major part of :data:`API_VERSION`; adding a
  function or an optional argument bumps the minor part. Hosts check the
  major part on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from r_bridge import config as _config
from r_bridge import naming as _naming
from r_bridge import random as _random
from r_bridge import session as _session
from r_bridge import state as _state
from r_bridge.bridge.dispatch import dispatch, dispatch_buffers
from r_bridge.bridge.handles import HandleTable
from r_bridge.layers import Activation, Dense, Dropout, Flatten, Layer
from r_bridge.models import Functional, Input, KerasTensor, Model, Sequential
from r_bridge.models import get_source_inputs as _get_source_inputs

API_VERSION = "2.3.0"

LAYER_KINDS = {
    "dense": Dense,
    "dropout": Dropout,
    "activation": Activation,
    "flatten": Flatten,
}

table = HandleTable()

FUNCTIONS: list[str] = []


def _export(fn: Callable) -> Callable:
    FUNCTIONS.append(fn.__name__)
    return fn


PLAIN: set[str] = set()  # functions that never return object records


def _plain(fn: Callable) -> Callable:
    """Export ``fn``, which gives out no handles (the dispatcher need not
    track references for it: the hot path of ``clear_session()`` in a loop)."""
    PLAIN.add(fn.__name__)
    return _export(fn)


def _atomic(fn: Callable) -> Callable:
    """Export ``fn`` and run it inside :func:`r_bridge.naming.atomic`."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _naming.atomic():
            return fn(*args, **kwargs)

    return _export(wrapper)


# ---------------------------------------------------------------- values
def record(obj: object) -> dict:
    """Hold ``obj`` for the host (one more reference) and describe it."""
    if not isinstance(obj, (Layer, KerasTensor)):  # checked before it is held
        raise TypeError(
            f"Only layers, models and symbolic tensors can be held. Received a {type(obj).__name__}."
        )
    handle = table.add(obj)
    if isinstance(obj, KerasTensor):
        return {
            "handle": handle,
            "kind": "tensor",
            "class": "KerasTensor",
            "name": obj.name,
            "shape": list(obj.shape),
            "dtype": str(obj.dtype),
        }
    kind = "model" if isinstance(obj, Model) else "layer"
    return {"handle": handle, "kind": kind, "class": type(obj).__name__, "name": obj.name}


def _out(value: object) -> object:
    """A result as plain values: objects become records, containers are walked."""
    if isinstance(value, (Layer, KerasTensor)):
        return record(value)
    if isinstance(value, dict):
        return {str(k): _out(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_out(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _obj(handle: object, argument: str = "object") -> Layer | KerasTensor:
    # The table holds only what record() accepted.
    return cast("Layer | KerasTensor", table.get(handle, argument))


def _layer(handle: object, argument: str = "object") -> Layer:
    obj = _obj(handle, argument)
    if not isinstance(obj, Layer):
        raise TypeError(f"`{argument}` must be a layer or a model, not a {type(obj).__name__}.")
    return obj


def _sequential(handle: object, argument: str = "object") -> Sequential:
    obj = _obj(handle, argument)
    if not isinstance(obj, Sequential):
        raise TypeError(f"`{argument}` must be a Sequential model, not a {type(obj).__name__}.")
    return obj


OBJECT = "__rbridge_object__"
"""Key of a reference to a held object inside an argument: ``{OBJECT: handle}``
(a layer passed as ``activation``, as keras3 passes the Python object)."""


def _objects_in(args: dict) -> dict:
    """Layer arguments with each reference ``{OBJECT: handle}`` (alone, in
    lists or in dicts) as its object; other values as they are."""

    def walk(value: object, argument: str) -> object:
        if isinstance(value, dict):
            if OBJECT in value:
                return _obj(value[OBJECT], argument)
            return {k: walk(v, argument) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, argument) for v in value]
        return value

    return {k: walk(v, k) for k, v in args.items()}


def _in(value: object, argument: str) -> object:
    """An argument that may hold handles (alone, as references ``{OBJECT:
    handle}``, in lists or in dicts) as objects."""
    if isinstance(value, str):
        return _obj(value, argument)
    if isinstance(value, dict):
        if OBJECT in value:
            return _obj(value[OBJECT], argument)
        return {k: _in(v, argument) for k, v in value.items()}
    if isinstance(value, list):
        return [_in(v, argument) for v in value]
    return value


# ---------------------------------------------------------------- session
@_plain
def api_version() -> str:
    """The version of this contract, e.g. ``"2.0.0"``."""
    return API_VERSION


@_plain
def release(handles: object) -> int:
    """Give back one reference per handle; returns how many objects are held."""
    return table.release(handles)


@_plain
def live_handles() -> int:
    """How many objects are held for the host."""
    return len(table)


@_plain
def clear_session(free_memory: bool = True) -> None:
    """:func:`r_bridge.clear_session`, for the host."""
    _state.clear_session(free_memory=free_memory)


@_plain
def get_uid(prefix: str = "") -> int:
    """Increment and return the counter of ``prefix`` (Keras's ``get_uid``)."""
    return _naming.get_uid(prefix)


@_plain
def reset_uids() -> None:
    """Reset every name counter (Keras's ``reset_uids``)."""
    _naming.reset_uids()


@_plain
def config_get(name: str) -> object:
    """Read a setting by name (see :func:`r_bridge.config.get`)."""
    return _config.get(name)


@_plain
def config_set(name: str, value: object) -> object:
    """Change a setting by name; returns its previous value."""
    return _config.set(name, value)


@_plain
def set_random_seed(seed: int) -> None:
    """Seed the global random generator (Keras's ``set_random_seed``)."""
    _random.set_random_seed(seed)


@_plain
def session_snapshot() -> dict:
    """What the session holds, as plain values: ``uids``, ``thread``,
    ``name_scope``, ``config``, ``handles`` and ``api_version``."""
    snap = _session.snapshot()
    snap["handles"] = len(table)
    snap["api_version"] = API_VERSION
    return snap


@_plain
def session_save() -> dict:
    """The resettable session state of this thread, for :func:`session_restore`."""
    return _session.save()


@_plain
def session_restore(state: dict) -> None:
    """Put back what :func:`session_save` returned."""
    _session.restore(state)


# ---------------------------------------------------------------- objects
@_atomic
def make_layer(kind: str, args: dict | None = None, object: object = None) -> object:  # noqa: A002
    """Create a layer of ``kind`` with keyword ``args`` and compose it with
    ``object`` as keras3's ``layer_*(object, ...)`` does: ``None`` returns
    the layer, a Sequential model gets it added (the model's record is
    returned), a tensor (or a list of them) is fed to it (the output's
    record is returned), an array is computed on (the output array is
    returned; the layer is not kept)."""
    if kind not in LAYER_KINDS:
        raise ValueError(f"Unknown layer kind: {kind!r:.100}. Expected one of {sorted(LAYER_KINDS)}")
    target = None if object is None else _in(object, "object")
    if target is not None and not isinstance(target, (Sequential, KerasTensor, list, np.ndarray)):
        raise TypeError(
            f"`object` must be a Sequential model, a symbolic tensor or an array, not a {type(target).__name__}."
        )
    layer = LAYER_KINDS[kind](**_objects_in(args or {}))
    if target is None:
        return record(layer)
    if isinstance(target, Sequential):
        target.add(layer)
        return record(target)
    return _out(layer(target))


def _input_kwargs(kwargs: dict) -> dict:
    """Keyword arguments of ``Input()`` from plain values: shapes (lists) as
    tuples, ``tensor`` (a handle) as the tensor."""
    out = dict(kwargs)
    for key in ("shape", "batch_shape"):
        if isinstance(out.get(key), list):
            out[key] = tuple(out[key])
    if isinstance(out.get("tensor"), str):
        out["tensor"] = _obj(out["tensor"], "tensor")
    return out


@_atomic
def make_input(**kwargs: object) -> dict:
    """``Input(**kwargs)`` (shape, batch_size, dtype, sparse, ragged,
    batch_shape, name, tensor, optional: Keras's names)."""
    return record(Input(**_input_kwargs(kwargs)))


@_atomic
def make_sequential(
    layers: list | None = None, name: str | None = None, trainable: bool = True, input: dict | None = None
) -> dict:  # noqa: A002
    """``Sequential(layers, trainable, name)``; ``input``: keyword arguments
    of an ``Input()`` made first (keras3's ``input_shape`` and friends), all
    in one atomic step."""
    objs = [_obj(h, "layers") for h in (layers or [])]
    if input is not None:
        objs.insert(0, Input(**_input_kwargs(input)))
    return record(Sequential(objs, trainable=trainable, name=name))


@_atomic
def make_model(inputs: object, outputs: object, name: str | None = None, **kwargs: object) -> dict:
    """Functional ``Model(inputs, outputs, name, **kwargs)``; handles, lists
    or dicts of handles."""
    return record(Functional(_in(inputs, "inputs"), _in(outputs, "outputs"), name=name, **kwargs))


@_atomic
def add(object: object, layer: object, rebuild: bool = True) -> dict:  # noqa: A002
    """``object.add(layer)``; returns the model's record."""
    model = _sequential(object)
    model.add(_obj(layer, "layer"), rebuild=rebuild)
    return record(model)


@_atomic
def pop(object: object, rebuild: bool = True) -> dict:  # noqa: A002
    """``object.pop()``: removes the last layer; returns its record."""
    return record(_sequential(object).pop(rebuild=rebuild))


@_atomic
def call(object: object, args: list | None = None, kwargs: dict | None = None) -> object:  # noqa: A002
    """``object(*args, **kwargs)``: symbolic tensors (handles) give tensor
    records, arrays give arrays."""
    layer = _layer(object)
    # _in() gives a list for a list and a dict for a dict.
    return _out(layer(*cast(list, _in(list(args or []), "x")), **cast(dict, _in(dict(kwargs or {}), "x"))))


@_export
def get(object: object, attr: str) -> object:  # noqa: A002
    """Read attribute ``attr`` of an object as plain values (objects as records)."""
    obj = _obj(object)
    if attr == "class":
        return type(obj).__name__
    if attr.startswith("_") or not (hasattr(type(obj), attr) or hasattr(obj, attr)):
        raise AttributeError(f"{type(obj).__name__} has no attribute `{attr!s:.100}`.")
    value = getattr(obj, attr)  # a property's own error passes (an unbuilt model's input: Keras's message)
    if callable(value) and not isinstance(value, (Layer, KerasTensor)):
        name = getattr(value, "__name__", None)
        if attr == "activation" and name:
            return name
        raise AttributeError(f"`{attr}` of {type(obj).__name__} is a method, not a field.")
    if attr == "dtype":
        return str(value)
    return _out(value)


@_atomic
def set(object: object, attr: str, value: object) -> None:  # noqa: A001, A002
    """Set a field Keras lets you set (``trainable``, ``name`` ...)."""
    obj = _obj(object)
    if attr not in ("trainable", "name"):
        raise AttributeError(f"`{attr!s:.100}` of {type(obj).__name__} can't be set.")
    if attr == "trainable" and not isinstance(value, bool):
        raise ValueError(f"`trainable` must be TRUE or FALSE. Received: {value!r}")
    if attr == "name":
        value = _naming.validate_name(value)
    setattr(obj, attr, value)


@_export
def count_params(object: object) -> int:  # noqa: A002
    """Number of scalars in the weights (raises if unbuilt, like Keras)."""
    return int(_layer(object).count_params())


@_export
def get_weights(object: object, trainable: bool | None = None) -> list:  # noqa: A002
    """The weight arrays in Keras's order; ``trainable`` True/False selects
    the trainable or non-trainable ones (keras3's ``get_weights(trainable=)``).

    The layer's own arrays, not copies: every host converts them into its
    own memory (R: doubles), which is the one copy R pays for, as with
    reticulate's ``py_to_r()``. Python code calling this directly must not
    change them."""
    layer = _layer(object)
    if trainable is None:
        return list(layer.weights)
    return list(layer.trainable_weights if trainable else layer.non_trainable_weights)


@_export
def set_weights(object: object, weights: list) -> None:  # noqa: A002
    """Set weights from a list of arrays (Keras's checks and messages)."""
    _layer(object).set_weights([np.asarray(w) for w in weights])


@_export
def predict(object: object, x: object, **kwargs: object) -> object:  # noqa: A002
    """``object.predict(x, **kwargs)``: arrays (a list or dict of them for
    several inputs) to arrays."""
    return _out(_layer(object).predict(x, **kwargs))


@_export
def summary(object: object, **kwargs: Any) -> str:  # noqa: A002
    """The Keras summary table as a string (``line_length`` ... as Keras)."""
    # A plain layer has no summary: AttributeError, as in Keras.
    return cast(Model, _layer(object)).summary_text(**kwargs)


@_export
def get_layer(object: object, name: str | None = None, index: int | None = None) -> dict:  # noqa: A002
    """``object.get_layer(name, index)``."""
    # A plain layer has no get_layer(): AttributeError, as in Keras.
    return record(cast(Model, _layer(object)).get_layer(name=name, index=index))


@_export
def get_source_inputs(object: object) -> list:  # noqa: A002
    """Records of the input tensors a symbolic tensor was computed from."""
    # get_source_inputs() checks that it is a tensor; _out() of a list is a list.
    return cast(list, _out(_get_source_inputs(cast(KerasTensor, _obj(object)))))


__all__ = ["API_VERSION", "FUNCTIONS", "dispatch", "dispatch_buffers", "table", "record", *FUNCTIONS]
