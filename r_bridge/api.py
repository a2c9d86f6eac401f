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
import inspect
import json
from collections.abc import Callable
from typing import Any, cast

import numpy as np

from r_bridge import activations as _activations
from r_bridge import config as _config
from r_bridge import layers as _layers
from r_bridge import naming as _naming
from r_bridge import ops as _ops
from r_bridge import random as _random
from r_bridge import session as _session
from r_bridge import state as _state
from r_bridge import tree as _tree
from r_bridge.bridge import registry as _registry
from r_bridge.bridge.dispatch import dispatch, dispatch_buffers
from r_bridge.layers import Layer
from r_bridge.messages import shown as _shown
from r_bridge.models import Functional, Input, KerasTensor, Model, Sequential
from r_bridge.models import get_source_inputs as _get_source_inputs
from r_bridge.ops.operation import symbolic_call as _symbolic_call

API_VERSION = "2.6.0"

# Every layer class r_bridge.layers exports, by its snake-case name ("dense",
# "batch_normalization", ...): a new layer needs no edit here.
LAYER_KINDS = {
    _naming.to_snake_case(cls.__name__): cls
    for cls in (getattr(_layers, n) for n in _layers.__all__)
    if isinstance(cls, type) and issubclass(cls, Layer) and cls not in (Layer, _layers.InputLayer)
}

#: The objects held for the host (R hands releases to ``table.inbox``).
table = _registry.table

#: The host functions, in definition order (registered with the dispatcher).
FUNCTIONS: list[str] = []


def _export(fn: Callable) -> Callable:
    FUNCTIONS.append(fn.__name__)
    return _registry.export(fn)


def _plain(fn: Callable) -> Callable:
    """Export ``fn``, which gives out no handles (the dispatcher need not
    track references for it: the hot path of ``clear_session()`` in a loop)."""
    FUNCTIONS.append(fn.__name__)
    return _registry.export(fn, gives_no_objects=True)


def _atomic(fn: Callable) -> Callable:
    """Export ``fn``, run inside :class:`r_bridge.naming.atomic`: the
    dispatcher (which opens one block per call) gets ``fn`` itself, a
    Python caller a wrapper that opens the block."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _naming.atomic():
            return fn(*args, **kwargs)

    FUNCTIONS.append(fn.__name__)
    _registry.export(fn)
    return wrapper


# ---------------------------------------------------------------- values
@functools.lru_cache(maxsize=512)
def _kind(cls: Any) -> str | None:
    """``"tensor"``, ``"model"`` or ``"layer"`` for a class whose objects can
    be held, else ``None`` (one cached lookup per record, not three
    ``isinstance`` calls)."""
    if issubclass(cls, KerasTensor):
        return "tensor"
    if issubclass(cls, Layer):
        return "model" if issubclass(cls, Model) else "layer"
    return None


def record(obj: object) -> dict:
    """Hold ``obj`` for the host (one more reference) and describe it."""
    kind = _kind(cast(Any, type(obj)))
    if kind is None:  # checked before it is held
        raise TypeError(
            f"Only layers, models and symbolic tensors can be held. Received a {type(obj).__name__}."
        )
    handle = table.add(obj)
    if kind == "tensor":
        obj = cast(KerasTensor, obj)
        return {
            "handle": handle,
            "kind": "tensor",
            "class": "KerasTensor",
            "name": obj.name,
            "shape": list(obj.shape),
            "dtype": str(obj.dtype),
        }
    return {"handle": handle, "kind": kind, "class": type(obj).__name__, "name": cast(Layer, obj).name}


def _out(value: object) -> object:
    """A result as plain values: objects become records, numpy scalars
    Python numbers, tuples lists, dict keys strings (a conversion, so its
    own walk: tree.map_structure keeps tuples and keys)."""
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


def _is_reference(value: object) -> bool:
    return isinstance(value, dict) and OBJECT in value


def _objects_in(args: dict) -> dict:
    """Layer arguments with each reference ``{OBJECT: handle}`` (alone, in
    lists or in dicts) as its object; other values as they are. (No local
    recursive function: its closure would be a reference cycle per call.)"""
    if type(args) is dict and _tree.SCALARS.issuperset(map(type, args.values())):
        return args  # nothing to resolve (the usual case; the caller unpacks a copy)
    return {
        k: _tree.map_structure(functools.partial(_resolved, argument=k), v, is_leaf=_is_reference)
        for k, v in args.items()
    }


def _resolved(value: object, argument: str) -> object:
    return _obj(value[OBJECT], argument) if isinstance(value, dict) and OBJECT in value else value


def _in(value: object, argument: str) -> object:
    """An argument that may hold handles (alone, as references ``{OBJECT:
    handle}``, in lists or in dicts) as objects."""

    def leaf(v: object) -> object:
        if isinstance(v, str):
            return _obj(v, argument)
        if isinstance(v, dict) and OBJECT in v:
            return _obj(v[OBJECT], argument)
        return v

    return _tree.map_structure(leaf, value, is_leaf=_is_reference)


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
        raise ValueError(
            f"Unknown layer kind: {_shown(kind, conversion='r')}. Expected one of {sorted(LAYER_KINDS)}"
        )
    target: Any
    if object is None:
        target = None
    elif type(object) is str:  # a handle (what _in() makes of it, without the walk)
        target = _obj(object, "object")
    else:
        target = _in(object, "object")
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
        raise AttributeError(f"{type(obj).__name__} has no attribute `{_shown(attr)}`.")
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
        raise AttributeError(f"`{_shown(attr)}` of {type(obj).__name__} can't be set.")
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


@_plain
def plot_model(object: object, to_file: str, **kwargs: Any) -> None:  # noqa: A002
    """Draw the model into the image file ``to_file`` (Keras's
    ``keras.utils.plot_model``; the other arguments are its own). Needs
    pydot and Graphviz: the ImportError says how to install them."""
    from r_bridge.utils import plot_model as _plot_model

    model = _layer(object)
    if not isinstance(model, Model):
        raise TypeError(f"`object` must be a model, not a {type(model).__name__}.")
    _plot_model(model, to_file=to_file, **kwargs)


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


# ------------------------------------------------------------------ formats
# Keras's formats (configs, JSON, .keras and .weights.h5 files): added in
# API 2.3. Configs cross as plain JSON values: dicts, lists, str, numbers,
# None (an R host turns an empty dict into an empty list: see _from_host).
from r_bridge import saving as _saving  # noqa: E402
from r_bridge.models import clone_model as _clone_model  # noqa: E402
from r_bridge.models import model_from_json as _model_from_json  # noqa: E402

# Keys of Keras configs whose value is always a dict.
_DICT_KEYS = frozenset({"config", "kwargs", "build_config", "compile_config", "dtype"})


def _from_host(value: object, key: str | None = None) -> object:
    """A config from a host as Keras's JSON values (an empty list where a
    dict belongs becomes ``{}``; a whole number from R's doubles stays a float)."""
    if isinstance(value, list) and not value and key in _DICT_KEYS:
        return {}
    if isinstance(value, dict):
        return {str(k): _from_host(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_from_host(v) for v in value]
    return value


def _argument(e: Exception, name: str) -> Exception:
    e.argument = name  # type: ignore[attr-defined]
    return e


@_plain
def get_config(object: object) -> dict:  # noqa: A002
    """The object's config as Keras serializes it: ``{"module", "class_name",
    "registered_name", "config"}`` (``config`` is ``object.get_config()``),
    as JSON values."""
    layer = _layer(object)
    try:
        serialized = _saving.serialize_keras_object(layer)
    except ValueError as e:
        raise _argument(e, "object") from None
    out = {k: serialized.get(k) for k in ("module", "class_name", "registered_name", "config")}
    return cast(dict, json.loads(json.dumps(out)))


@_atomic
def from_config(
    config: dict,
    class_name: str,
    module: str | None = None,
    registered_name: str | None = None,
) -> dict:
    """A new layer or model of class ``class_name`` from ``config`` (Keras's
    ``cls.from_config(config)``)."""
    if not isinstance(config, dict):
        raise _argument(
            ValueError(f"`config` must be a dict (a named list). Received: {_shown(config, conversion='r')}"),
            "config",
        )
    serialized = {
        "module": module,
        "class_name": class_name,
        "registered_name": registered_name,
        "config": _from_host(config),
    }
    try:
        obj = _saving.deserialize_keras_object(serialized)
    except ValueError as e:
        raise _argument(e, "config") from None
    return record(obj)


@_plain
def to_json(object: object) -> str:  # noqa: A002
    """``object.to_json()``: the model's config as Keras's JSON."""
    layer = _layer(object)
    if not isinstance(layer, Model):
        raise _argument(TypeError(f"`model` must be a model, not a {type(layer).__name__}."), "model")
    try:
        return layer.to_json()
    except ValueError as e:
        raise _argument(e, "model") from None


@_atomic
def model_from_json(json_string: str) -> dict:
    """A new model (fresh weights) from Keras's JSON."""
    if not isinstance(json_string, str):
        raise _argument(ValueError("`filepath` must hold a model's JSON config."), "filepath")
    return record(_model_from_json(json_string))


@_plain
def save_model(object: object, filepath: str, overwrite: bool = True) -> None:  # noqa: A002
    """Save a model as a ``.keras`` file (Keras's layout)."""
    model = _layer(object, "model")
    try:
        _saving.save_model(model, filepath, overwrite=overwrite)  # type: ignore[arg-type]
    except ValueError as e:
        raise _argument(e, "filepath" if "filepath" in str(e) else "model") from None


@_atomic
def load_model(filepath: str) -> dict:
    """The model of a ``.keras`` file (saved by Keras or rbridge)."""
    try:
        return record(_saving.load_model(filepath))
    except ValueError as e:
        raise _argument(e, "model") from None


@_plain
def save_weights(object: object, filepath: str, overwrite: bool = True) -> None:  # noqa: A002
    """Save the model's weights as a ``.weights.h5`` file."""
    try:
        _saving.save_weights(_layer(object, "model"), filepath, overwrite=overwrite)  # type: ignore[arg-type]
    except ValueError as e:
        raise _argument(e, "filepath") from None


@_plain
def load_weights(object: object, filepath: str, skip_mismatch: bool = False) -> None:  # noqa: A002
    """Load weights from a ``.weights.h5`` or ``.keras`` file into the model."""
    try:
        _saving.load_weights(_layer(object, "model"), filepath, skip_mismatch=skip_mismatch)  # type: ignore[arg-type]
    except ValueError as e:
        raise _argument(e, "filepath") from None


@_atomic
def clone_model(object: object) -> dict:  # noqa: A002
    """A new model from the same config (same names), with fresh weights."""
    model = _layer(object, "model")
    try:
        return record(_clone_model(model))  # type: ignore[arg-type]
    except ValueError as e:
        raise _argument(e, "model") from None


# ---------------------------------------------------------------- ops (API 2.4)
# keras3's op_*() and activation_*() functions. Values that cross are plain
# values, except two tagged dicts: {TENSOR: handle} is a symbolic tensor
# (a bare string stays a string: a dtype, a name), and {DTYPE: dtype,
# "value": float64 array or number} an array of another dtype (a host that
# sends arrays as float64 buffers keeps the dtype that way). Results come
# back as records (tensors) or as that tagged dict (arrays, numbers).
TENSOR = "__rbridge_tensor__"
DTYPE = "__rbridge_dtype__"


def _op_in(value: object, argument: str) -> object:
    """An op's argument from plain values: tagged tensors and arrays decoded."""
    if isinstance(value, dict):
        if TENSOR in value:
            obj = _obj(value[TENSOR], argument)
            if not isinstance(obj, KerasTensor):
                raise TypeError(f"`{argument}` must be a tensor or an array, not a {type(obj).__name__}.")
            return obj
        if DTYPE in value:
            dtype = _config.floatx() if value[DTYPE] == "floatx" else value[DTYPE]
            return np.asarray(value["value"]).astype(dtype)
        return {k: _op_in(v, argument) for k, v in value.items()}
    if isinstance(value, list):
        return [_op_in(v, argument) for v in value]
    return value


def _op_out(value: object) -> object:
    """An op's result as plain values: tensors as records, arrays and numpy
    numbers as ``{DTYPE: dtype, "value": float64 array or float}``."""
    if isinstance(value, KerasTensor):
        return record(value)
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"An array of dtype {arr.dtype} can't be returned to the host.")
        data = arr.astype(np.float64)
        return {DTYPE: arr.dtype.name, "value": float(data) if data.ndim == 0 else data}
    if isinstance(value, (list, tuple)):
        return [_op_out(v) for v in value]
    return _out(value)


def _function_of(module: object, name: str, what: str) -> Callable:
    fn = getattr(module, name, None) if isinstance(name, str) and not name.startswith("_") else None
    if not callable(fn) or isinstance(fn, type):
        raise ValueError(f"Unknown {what}: {_shown(name)}")
    return fn


@_atomic
def op(name: str, args: list | None = None, kwargs: dict | None = None) -> object:
    """``r_bridge.ops.<name>(*args, **kwargs)`` (Keras's op names): on arrays,
    an array; on symbolic tensors, a tensor's record."""
    fn = _function_of(_ops, name, "op")
    pos = cast(list, _op_in(list(args or []), "x"))
    kw = {k: _op_in(v, k) for k, v in dict(kwargs or {}).items()}
    return _op_out(fn(*pos, **kw))


# Keras's operation classes for activations whose class is not the name in
# CamelCase (``relu`` records a ``ReLU``, named ``re_lu``).
_ACTIVATION_OPS = {"relu": "ReLU", "exponential": "Exp"}


@_atomic
def activation(name: str, x: object, kwargs: dict | None = None) -> object:
    """The activation ``name`` (Keras's names) applied to ``x``, an array or a
    symbolic tensor, with keyword arguments ``kwargs``. On a symbolic tensor
    it is recorded as one operation named after the activation (``relu``,
    ``relu_1``, ...), so a Functional model built with it runs it."""
    if not isinstance(name, str):
        raise ValueError(f"Unknown activation: {_shown(name)}")
    fn = _activations.get(name)
    x = _op_in(x, "x")
    kw = {k: _op_in(v, k) for k, v in dict(kwargs or {}).items()}
    if not isinstance(x, KerasTensor):
        return _op_out(fn(x, **kw))
    if fn is _activations.linear:
        return record(x)

    def compute(x: Any, **kw: Any) -> Any:
        return fn(x, **kw)

    def spec(x: KerasTensor, **kw: Any) -> KerasTensor:
        inspect.signature(fn).bind(x, **kw)  # the arguments' errors now, not at predict()
        shape = list(x.shape)
        if fn is _activations.glu:  # halves its axis
            axis = kw.get("axis", -1)
            shape[axis] = None if shape[axis] is None else shape[axis] // 2
        dtype = x.dtype if np.dtype(x.dtype).kind == "f" else _config.floatx()
        return KerasTensor(shape, dtype=dtype)

    class_name = _ACTIVATION_OPS.get(fn.__name__) or "".join(p.capitalize() for p in fn.__name__.split("_"))
    return _op_out(_symbolic_call(class_name, compute, spec, (x,), kw))


__all__ = ["API_VERSION", "FUNCTIONS", "dispatch", "dispatch_buffers", "table", "record", *FUNCTIONS]
