"""Keras's object serialization: objects to JSON-able configs and back.

``serialize_keras_object(layer)`` gives what Keras gives for the same layer
(``{"module": "keras.layers", "class_name": "Dense", "config": {...},
"registered_name": None, "build_config": {...}}``), and
``deserialize_keras_object`` turns such a config, written by Keras or by
r_bridge, into an r_bridge object. Mirrors ``keras/src/saving/serialization_lib.py``.

Layer and model classes are found by Keras class name in a registry: the
packages that define them register their public classes
(:func:`register_keras_class`; ``r_bridge.layers`` registers every class
it exports). Anything else is a custom object, which r_bridge cannot
represent: a ``ValueError`` names the layer and the class.

This module imports no layer or model module: they import it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from r_bridge import activations, initializers
from r_bridge import config as _config
from r_bridge.messages import shown
from r_bridge.tensor import KerasTensor

# class -> (module, class_name, registered_name), and Keras class name -> class
_PUBLIC: dict[type, tuple[str, str, str | None]] = {}
_BY_NAME: dict[str, type] = {}
# Modules Keras writes for its own classes.
_KERAS_MODULES = ("keras", "keras.layers", "keras.models", "keras.src.models.functional")


def _key(module: str | None, class_name: str) -> str:
    """Where ``_BY_NAME`` files a class: by class name for Keras's layer and
    model modules, else by module too (Keras's ops ``keras.src.ops.numpy.Add``
    and the layer ``Add`` are different classes)."""
    return class_name if module is None or module in _KERAS_MODULES else f"{module}.{class_name}"


def register_keras_class(cls: type, module: str, registered_name: str | None = None) -> None:
    """Make ``cls`` serializable under Keras's ``module`` and its class name
    (e.g. ``Dense`` as ``keras.layers.Dense``)."""
    _PUBLIC[cls] = (module, cls.__name__, registered_name)
    _BY_NAME[_key(module, cls.__name__)] = cls


def registered_class(class_name: str) -> type | None:
    """The r_bridge class registered under Keras's ``class_name``, if any."""
    return _BY_NAME.get(class_name)


def _object_name(obj: Any) -> str:
    return str(getattr(obj, "name", None) or type(obj).__name__)


def serialize_keras_object(obj: Any) -> Any:
    """A JSON-able config of ``obj`` in Keras's format.

    Plain values, lists, tuples and dicts are kept (their items serialized);
    numpy arrays become Keras's ``__numpy__`` records; initializers,
    activations, dtype policies, layers and models become Keras's records.

    Raises:
        ValueError: for an object r_bridge cannot represent in a Keras
            config (a custom layer or model class, a custom activation or
            initializer), naming the layer and the feature.
    """
    if obj is None or isinstance(obj, (str, bool, int, float)):
        return obj
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, slice):
        return {"class_name": "__slice__", "config": {"start": obj.start, "stop": obj.stop, "step": obj.step}}
    if obj is Ellipsis:
        return {"class_name": "__ellipsis__", "config": {}}
    if isinstance(obj, np.ndarray) and obj.ndim > 0:
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": str(obj.dtype)}}
    if isinstance(obj, (np.generic, np.ndarray)):
        return obj.item()
    if isinstance(obj, KerasTensor):
        return serialize_tensor(obj, None)
    if isinstance(obj, initializers.KerasInitializer):
        return initializers.serialize(obj)
    if type(obj) in _PUBLIC:
        return _serialize_registered(obj)
    if hasattr(obj, "get_config"):
        raise ValueError(
            f"Cannot serialize '{_object_name(obj)}': its class {type(obj).__name__} is a custom "
            "object, which r_bridge's configs and files do not support (only r_bridge's built-in "
            "layers and models can be saved)."
        )
    if callable(obj):
        return activations.serialize(obj)
    raise ValueError(
        f"Cannot serialize {shown(obj, conversion='r')} (of type {type(obj).__name__}) in a Keras config."
    )


def serialize_tensor(tensor: KerasTensor, history: list | None) -> dict[str, Any]:
    """Keras's record of a symbolic tensor (``history`` is ``[layer name,
    node index, tensor index]``)."""
    return {
        "class_name": "__keras_tensor__",
        "config": {"shape": tensor.shape, "dtype": tensor.dtype, "keras_history": history},
    }


def _serialize_registered(obj: Any) -> dict[str, Any]:
    module, class_name, registered_name = _PUBLIC[type(obj)]
    try:
        inner = serialize_keras_object(obj.get_config())
    except ValueError as e:
        where = f"layer '{_object_name(obj)}'"
        message = str(e)
        raise ValueError(message if where in message else f"Cannot serialize {where}: {message}") from None
    out: dict[str, Any] = {
        "module": module,
        "class_name": class_name,
        "config": inner,
        "registered_name": registered_name,
    }
    build = obj.get_build_config() if hasattr(obj, "get_build_config") else None
    if build is not None:
        out["build_config"] = serialize_keras_object(build)
    if hasattr(obj, "get_compile_config"):
        out["compile_config"] = obj.get_compile_config()
    return out


def deserialize_keras_object(config: Any) -> Any:
    """The r_bridge object of a Keras config (the inverse of
    :func:`serialize_keras_object`); configs written by Keras 3 work too.

    Raises:
        ValueError: for a class r_bridge does not have (a custom object, or
            a Keras class r_bridge lacks) or a feature it cannot represent,
            naming the layer and the class or feature.
    """
    if isinstance(config, list):
        return [deserialize_keras_object(x) for x in config]
    if isinstance(config, tuple):
        return tuple(deserialize_keras_object(x) for x in config)
    if not isinstance(config, dict):
        return config
    if "class_name" not in config or not isinstance(config.get("class_name"), str):
        return {k: deserialize_keras_object(v) for k, v in config.items()}
    class_name = config["class_name"]
    inner: Any = config.get("config")
    if class_name in ("__numpy__", "__tensor__"):  # Keras writes an op's constant as __tensor__
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__slice__":
        return slice(inner["start"], inner["stop"], inner["step"])
    if class_name == "__ellipsis__":
        return Ellipsis
    if class_name == "__tuple__":
        return tuple(deserialize_keras_object(x) for x in inner["value"])
    if class_name == "__keras_tensor__":
        raise ValueError("A symbolic tensor can only be deserialized as part of a Functional model.")
    module = config.get("module")
    if module == "keras.initializers":
        return initializers.deserialize(config)
    if module == "keras.activations":
        return activations.get(config)
    if class_name in ("DTypePolicy", "FloatDTypePolicy") or "DTypePolicy" in class_name:
        return _config.deserialize_dtype_policy(config)
    return _deserialize_layer(config)


def _deserialize_layer(serialized: dict[str, Any]) -> Any:
    class_name = serialized["class_name"]
    module = serialized.get("module")
    inner = serialized.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    cls = _BY_NAME.get(_key(module, class_name))
    registered = serialized.get("registered_name")
    known_module = module is None or module in _KERAS_MODULES or cls is not None
    custom = not known_module or registered not in (None, class_name)
    if cls is None or custom:
        what = "a custom object" if custom else "a Keras class that r_bridge does not have"
        raise ValueError(
            f"Cannot load layer '{shown(name)}': its class {shown(class_name)} "
            f"(module {shown(module)}) is {what}, which r_bridge cannot represent."
        )
    if not isinstance(inner, dict):
        raise ValueError(f"Cannot load layer '{shown(name)}': its config is not a dict.")
    try:
        obj = cls.from_config(dict(inner))  # type: ignore[attr-defined]  # registered classes have it
        build = serialized.get("build_config")
        if build and hasattr(obj, "build_from_config") and not getattr(obj, "built", False):
            obj.build_from_config(build)
    except (ValueError, TypeError) as e:
        message = str(e)
        if f"'{name}'" in message:
            raise
        raise type(e)(f"Cannot load layer '{shown(name)}' ({class_name}): {message}") from None
    return obj
