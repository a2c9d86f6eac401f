"""``.keras`` and ``.weights.h5`` files in Keras 3's layout (``keras/src/saving/saving_lib.py``).

A ``.keras`` file is a zip (stored, not compressed) of:

* ``metadata.json``: ``{"keras_version", "date_saved"}`` (and r_bridge's version);
* ``config.json``: :func:`~r_bridge.serialization_lib.serialize_keras_object` of the model;
* ``model.weights.h5``: each layer's own variables (trainable first) as
  datasets ``<path>/vars/0``, ``<path>/vars/1``, ..., where the path is the
  layer's place in the model (``layers/dense_1``: the class name in snake
  case, numbered within its container), never its name, exactly as Keras
  addresses them; the model's own entry is ``vars``.

h5py is imported only here, when weights are read or written.
"""

from __future__ import annotations

import datetime
import io
import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from r_bridge.layers.layer import Layer
from r_bridge.messages import LONG_ECHO_LIMIT, shown
from r_bridge.models.functional import Functional
from r_bridge.models.model import Model
from r_bridge.models.sequential import Sequential
from r_bridge.naming import atomic, to_snake_case
from r_bridge.serialization_lib import deserialize_keras_object, serialize_keras_object

#: The Keras version whose file format r_bridge writes (and reads).
KERAS_FORMAT_VERSION = "3.15.1"
_CONFIG = "config.json"
_METADATA = "metadata.json"
_WEIGHTS = "model.weights.h5"

PathLike = str | os.PathLike


def _h5py() -> Any:
    try:
        import h5py  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError(
            "Reading or writing weights in Keras's formats (.keras, .weights.h5) needs h5py. "
            'Install it with: pip install h5py (or pip install "r_bridge[keras]"); '
            'from R: reticulate::py_install("h5py", envname = "r-bridge") (install_rbridge()\'s environment).'
        ) from None
    return h5py


def _check_model(model: Any, what: str) -> Model:
    if not isinstance(model, Layer):
        raise ValueError(
            f"Invalid `model` argument: expected a model to {what}. Received: {shown(model, conversion='r')}"
        )
    return model  # type: ignore[return-value]


def _check_overwrite(filepath: str, overwrite: bool) -> None:
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(
            f"File '{shown(filepath, LONG_ECHO_LIMIT)}' already exists (pass overwrite=True to replace it)."
        )


# --------------------------------------------------------------- the walk
def _own_variables(layer: Layer) -> list[np.ndarray]:
    """A layer's own weights in Keras's file order: trainable, then non-trainable."""
    pairs = list(zip(layer._weights, layer._weight_trainable))
    return [w for w, t in pairs if t] + [w for w, t in pairs if not t]


def _saveables(model: Layer) -> Iterator[tuple[str, Layer]]:
    """``(path, layer)`` for the model and every layer in it, as Keras's
    ``saving_lib`` walks them (each object once, at its first path)."""
    seen: set[int] = set()

    def walk(layer: Layer, path: str) -> Iterator[tuple[str, Layer]]:
        if id(layer) in seen:
            return
        seen.add(id(layer))
        yield path, layer
        if isinstance(layer, (Sequential, Functional)):
            used: dict[str, int] = {}
            for sub in layer.layers:
                name = to_snake_case(type(sub).__name__)
                if name in used:
                    used[name] += 1
                    name = f"{name}_{used[name]}"
                else:
                    used[name] = 0
                yield from walk(sub, f"{path}/layers/{name}" if path else f"layers/{name}")
        elif layer._tracked_layers:
            raise ValueError(
                f"Cannot save the weights of layer '{layer.name}': layers nested in a layer "
                "(custom objects) are not supported by r_bridge's files."
            )

    yield from walk(model, "")


def _write_weights(model: Layer, fileobj: Any) -> None:
    h5py = _h5py()
    with h5py.File(fileobj, "w") as f:
        for path, layer in _saveables(model):
            group = f.create_group(f"{path}/vars" if path else "vars")
            group.attrs["name"] = layer.name
            for i, w in enumerate(_own_variables(layer)):
                group[str(i)] = np.asarray(w)


def _read_weights(model: Layer, fileobj: Any, skip_mismatch: bool = False) -> None:
    """Set every layer's weights from the file, all or nothing: every
    count and shape is checked before any weight changes."""
    h5py = _h5py()
    assignments: list[tuple[np.ndarray, np.ndarray]] = []
    with h5py.File(fileobj, "r") as f:
        for path, layer in _saveables(model):
            key = f"{path}/vars" if path else "vars"
            group = f.get(key, {})
            own = _own_variables(layer)
            if len(group) != len(own):
                if skip_mismatch:
                    continue
                raise ValueError(
                    f"Layer '{layer.name}' expected {len(own)} variables, but received "
                    f"{len(group)} variables during loading. Expected: {[tuple(w.shape) for w in own]}"
                )
            values = [np.asarray(group[str(i)][()]) for i in range(len(own))]
            bad = [(w.shape, v.shape) for w, v in zip(own, values) if w.shape != v.shape]
            if bad:
                if skip_mismatch:
                    continue
                raise ValueError(
                    f"Layer '{layer.name}' weight shape {bad[0][0]} is not compatible with the "
                    f"weight shape {bad[0][1]} in the file."
                )
            assignments.extend(zip(own, values))
    for ref, value in assignments:
        ref[...] = value


# --------------------------------------------------------------- models
def _metadata() -> str:
    import json  # on use: `import r_bridge` stays lean

    from r_bridge import __version__

    return json.dumps(
        {
            "keras_version": KERAS_FORMAT_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "r_bridge_version": __version__,
        }
    )


def save_model(model: Model, filepath: PathLike, overwrite: bool = True, **kwargs: Any) -> None:
    """Save ``model`` as a ``.keras`` file (Keras's layout; ``keras.saving.load_model`` reads it).

    Args:
        model: an r_bridge model (Sequential or Functional of built-in layers).
        filepath: path ending in ``.keras``.
        overwrite: whether to replace an existing file (else ``FileExistsError``).

    Raises:
        ValueError: a wrong extension, or something the format cannot hold
            (a custom layer, activation or initializer), naming the layer;
            no file is written then.
        ImportError: h5py is missing (the message says how to install it).
    """
    import zipfile

    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    model = _check_model(model, "save")
    filepath = os.fspath(filepath)
    if not str(filepath).endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add a `.keras` extension "
            f"(r_bridge saves Keras's native format only). Received: filepath={shown(filepath, LONG_ECHO_LIMIT)}."
        )
    _check_overwrite(filepath, overwrite)
    import json

    config_json = json.dumps(serialize_keras_object(model))  # fails before any file is made
    weights = io.BytesIO()
    _write_weights(model, weights)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(_METADATA, _metadata())
        zf.writestr(_CONFIG, config_json)
        zf.writestr(_WEIGHTS, weights.getvalue())
    with open(filepath, "wb") as f:
        f.write(buffer.getvalue())


def load_model(
    filepath: PathLike,
    custom_objects: dict | None = None,
    compile: bool = True,  # noqa: A002 - Keras's name
    safe_mode: bool = True,
) -> Model:
    """Load a ``.keras`` file saved by Keras 3 or by r_bridge.

    ``compile`` and ``safe_mode`` are accepted for Keras's signature: r_bridge
    models are not compiled (a file's compile config is ignored) and never
    run code from a file. All or nothing: on error no model is made and no
    name is consumed.

    Raises:
        ValueError: not a ``.keras`` zip, ``custom_objects`` given, or a
            layer r_bridge cannot represent (named in the message).
    """
    import zipfile

    if custom_objects:
        raise ValueError(
            "`custom_objects` are not supported by r_bridge: only Keras's built-in layers can be loaded."
        )
    filepath = os.fspath(filepath)
    if (
        not str(filepath).endswith(".keras")
        or not os.path.exists(filepath)
        or not zipfile.is_zipfile(filepath)
    ):
        if str(filepath).endswith(".keras"):
            raise ValueError(
                f"File not found: filepath={shown(filepath, LONG_ECHO_LIMIT)}. Please ensure the file is an accessible "
                "`.keras` zip file."
            )
        raise ValueError(
            f"File format not supported: filepath={shown(filepath, LONG_ECHO_LIMIT)}. r_bridge only supports "
            "Keras 3's `.keras` files."
        )
    with zipfile.ZipFile(filepath, "r") as zf:
        names = set(zf.namelist())
        if _CONFIG not in names:
            raise ValueError(f"Invalid .keras file {shown(filepath, LONG_ECHO_LIMIT)}: it has no {_CONFIG}.")
        import json

        config = json.loads(zf.read(_CONFIG))
        weights = zf.read(_WEIGHTS) if _WEIGHTS in names else None
    return _model_from_parts(config, weights)


def _model_from_parts(config: dict[str, Any], weights: bytes | None) -> Model:
    if weights is not None:
        _h5py()  # say so before anything is made
    with atomic():
        model = deserialize_keras_object(config)
        if not isinstance(model, Model):
            raise ValueError(
                f"The file holds a {type(model).__name__}, not a model: r_bridge loads Sequential "
                "and Functional models."
            )
        if weights is not None:
            _read_weights(model, io.BytesIO(weights))
    return model


def save_weights(model: Model, filepath: PathLike, overwrite: bool = True) -> None:
    """Save the weights of ``model`` as a ``.weights.h5`` file (Keras's layout)."""
    model = _check_model(model, "save")
    filepath = os.fspath(filepath)
    if not str(filepath).endswith(".weights.h5"):
        raise ValueError(
            f"The filename must end in `.weights.h5`. Received: filepath={shown(filepath, LONG_ECHO_LIMIT)}"
        )
    _check_overwrite(filepath, overwrite)
    buffer = io.BytesIO()
    _write_weights(model, buffer)
    with open(filepath, "wb") as f:
        f.write(buffer.getvalue())


def load_weights(model: Model, filepath: PathLike, skip_mismatch: bool = False) -> None:
    """Load weights saved by :func:`save_weights` (or Keras's
    ``save_weights``, or the weights of a ``.keras`` file) into ``model``.

    The model must have the same architecture (layers at the same places);
    all or nothing unless ``skip_mismatch``: then layers whose weights do
    not match are left as they were."""
    import zipfile

    model = _check_model(model, "load weights into")
    filepath = os.fspath(filepath)
    if str(filepath).endswith(".keras"):
        with zipfile.ZipFile(filepath, "r") as zf:
            data = zf.read(_WEIGHTS)
        _read_weights(model, io.BytesIO(data), skip_mismatch)
    elif str(filepath).endswith(".weights.h5"):
        _read_weights(model, filepath, skip_mismatch)
    else:
        raise ValueError(
            "File format not supported: filepath="
            f"{shown(filepath, LONG_ECHO_LIMIT)}. r_bridge reads weights from `.weights.h5` and `.keras` files."
        )
