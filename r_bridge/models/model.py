"""``Model``: a layer made of layers; ``Model(inputs, outputs)`` is Functional."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

import numpy as np

from r_bridge import tree
from r_bridge.layers.layer import Layer
from r_bridge.messages import LONG_ECHO_LIMIT, shown
from r_bridge.models.progbar import Progbar
from r_bridge.models.summary import show_summary, summary_text
from r_bridge.naming import atomic
from r_bridge.serialization_lib import deserialize_keras_object, serialize_keras_object
from r_bridge.tree import Structure


def _functional_arguments(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Keras's test for ``Model(inputs, outputs)`` (a Functional model)."""
    return (
        len(args) == 2
        or (len(args) == 1 and "outputs" in kwargs)
        or ("inputs" in kwargs and "outputs" in kwargs)
    )


def _inject_functional(cls: type, functional: type) -> type:
    """``cls`` with ``Model`` replaced by ``functional`` among its ancestors."""
    if cls is Model:
        return functional
    if cls is object or not issubclass(cls, Model):
        return cls
    cls.__bases__ = tuple(_inject_functional(base, functional) for base in cls.__bases__)
    return cls


class Model(Layer):
    """A group of layers with ``layers``, weights, ``predict`` and ``summary``.

    ``Model(inputs, outputs, name=None)`` builds a functional model (returns
    a :class:`~r_bridge.models.functional.Functional`, auto-named
    ``functional``, ``functional_1``, ...), as in Keras. A subclass of
    ``Model`` lists the layers assigned to its attributes.
    """

    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_arguments(args, kwargs):
            from r_bridge.models.functional import Functional

            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any):
        # A subclass constructed from inputs and outputs becomes Functional
        # (Keras's inject_functional_model_class): Functional joins its bases.
        if _functional_arguments(args, kwargs):
            from r_bridge.models.functional import Functional

            if not isinstance(self, Functional):
                _inject_functional(type(self), Functional)
                Functional.__init__(self, *args, **kwargs)  # type: ignore[arg-type]
                return
        Layer.__init__(self, *args, **kwargs)

    @property
    def layers(self) -> list[Layer]:
        """The model's layers, in Keras's order (a subclass: its sublayers)."""
        return list(getattr(self, "_tracked_layers", ()))

    @layers.setter
    def layers(self, _: object) -> NoReturn:
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Please use another name."
        )

    # ------------------------------------------------------------ formats
    def to_json(self, **kwargs: Any) -> str:
        """The model's config as a JSON string, as Keras writes it
        (``kwargs`` go to ``json.dumps``); :func:`model_from_json` reads it."""
        import json  # on use: `import r_bridge` stays lean

        return json.dumps(serialize_keras_object(self), **kwargs)

    def save(self, filepath: str | os.PathLike, overwrite: bool = True, **kwargs: Any) -> None:
        """Save as a ``.keras`` file: :func:`r_bridge.saving.save_model`."""
        from r_bridge.saving import save_model  # saving sits above models, as in Keras

        save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath: str | os.PathLike, overwrite: bool = True) -> None:
        """Save the weights as a ``.weights.h5`` file: :func:`r_bridge.saving.save_weights`."""
        from r_bridge.saving import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str | os.PathLike, skip_mismatch: bool = False) -> None:
        """Load weights from a ``.weights.h5`` or ``.keras`` file: :func:`r_bridge.saving.load_weights`."""
        from r_bridge.saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def get_compile_config(self) -> dict[str, Any]:
        """Keras's compile config: empty (r_bridge models are not compiled)."""
        return {}

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """A layer by ``name`` (unique) or ``index`` (in ``layers`` order),
        with Keras's errors (giving both is one)."""
        if index is not None and name is not None:
            raise ValueError(
                "Provide only a layer name or a layer index. Received: "
                f"index={shown(index)}, name={shown(name)}."
            )
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has {len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {shown(name)}. Existing layers are: {list(layer.name for layer in layers)}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    def _sublayers(self) -> list[Layer]:
        """The layers whose weights are the model's: those assigned as
        attributes and those in :attr:`layers` (each weight counted once)."""
        return [*self._tracked_layers, *self.layers]

    def count_params(self) -> int:
        """Total number of scalars in the weights, each shared layer counted once.

        Raises:
            ValueError: if the model is not built (as for a layer).
        """
        if not self.built:
            return super().count_params()
        return int(sum(w.size for w in self.weights))

    # ------------------------------------------------------------ predict
    def predict(
        self,
        x: Structure,
        batch_size: int | None = None,
        verbose: str | int = "auto",
        steps: int | None = None,
        callbacks: Iterable[object] | None = None,
    ) -> Structure:
        """Outputs for ``x`` (an array, or a list/dict of arrays for several
        inputs), computed in batches of ``batch_size`` (default 32).

        Args:
            verbose: ``"auto"`` or 1 shows Keras's progress bar, 2 one line
                at the end, 0 nothing.
            steps: at most this many batches (without ``batch_size``, as
                Keras: ``x`` split into ``steps`` batches).
            callbacks: objects with any of Keras's ``on_predict_begin``,
                ``on_predict_batch_begin``, ``on_predict_batch_end``,
                ``on_predict_end``, ``set_model`` methods; setting
                ``model.stop_predicting = True`` ends the loop.

        Returns:
            numpy array(s), in the structure of the model's outputs.
        """
        given_batch_size = batch_size
        if batch_size is None:
            batch_size = 32
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size}")
        if steps is not None and (
            isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1
        ):
            raise ValueError(f"`steps` must be a positive integer or None. Received: steps={steps}")
        if verbose not in ("auto", 0, 1, 2) or isinstance(verbose, bool):
            raise ValueError(f'`verbose` must be "auto", 0, 1 or 2. Received: verbose={verbose}')
        if verbose == "auto":
            verbose = 1
        flat = [np.asarray(a) for a in tree.flatten(x)]
        if not flat or any(a.ndim == 0 for a in flat):
            raise ValueError(f"Unrecognized data type: x={shown(x, conversion='r')} (of type {type(x)})")
        sizes = {a.shape[0] for a in flat}
        if len(sizes) > 1:
            raise ValueError(
                "Data cardinality is ambiguous. Make sure all arrays contain the same number "
                f"of samples. Received sizes: {[a.shape[0] for a in flat]}"
            )
        n = flat[0].shape[0]
        if n == 0:
            raise ValueError("Expected input data to be non-empty.")
        if steps is not None and given_batch_size is None:
            batch_size = max(1, math.ceil(n / int(steps)))  # Keras: steps batches cover x
        n_batches = math.ceil(n / batch_size)
        if steps is not None:
            n_batches = min(int(steps), n_batches)
        callbacks = list(callbacks or [])
        bar = Progbar(n_batches, verbose=int(verbose)) if verbose else None

        def notify(event: str, *args: object) -> None:
            for cb in callbacks:
                fn = getattr(cb, event, None)
                if fn is not None:
                    fn(*args)

        notify("set_model", self)
        self.stop_predicting = False  # a callback may set it, as in Keras
        notify("on_predict_begin")
        pieces: list[list[np.ndarray]] = []
        out_struct = None
        for step in range(n_batches):
            notify("on_predict_batch_begin", step)
            sl = slice(step * batch_size, (step + 1) * batch_size)
            batch = tree.pack_sequence_as(x, [a[sl] for a in flat])
            out = self(batch, training=False)
            out_struct = out
            leaves = [np.asarray(o) for o in tree.flatten(out)]
            if not pieces:
                pieces = [[] for _ in leaves]
            for p, leaf in zip(pieces, leaves):
                p.append(leaf)
            notify("on_predict_batch_end", step, {"outputs": out})
            if bar is not None:
                bar.update(step + 1, finalize=False)
            if self.stop_predicting:
                break
        notify("on_predict_end")
        if bar is not None:
            bar.update(n_batches, finalize=True)
        return tree.pack_sequence_as(out_struct, [np.concatenate(p) for p in pieces])

    # ------------------------------------------------------------ summary
    #: The Keras summary table as a string (arguments as :meth:`summary`).
    summary_text = summary_text

    def summary(
        self,
        line_length: int | None = None,
        positions: Sequence[float] | None = None,
        print_fn: Callable[[str], object] | None = None,
        expand_nested: bool = False,
        show_trainable: bool = False,
        layer_range: Sequence[str] | None = None,
    ) -> None:
        """Print Keras's summary table (or pass it to ``print_fn``).

        Args:
            line_length: total width (default: Keras's 88, or 108 with the
                "Connected to" column, capped by the terminal width).
            positions: right edges of the columns, as fractions of
                ``line_length`` (or absolute positions).
            print_fn: called with the whole table instead of ``print``.
            expand_nested: also list the layers of nested models.
            show_trainable: add a "Trainable" column.
            layer_range: ``[first, last]`` layer names (regexes) to show.
        """
        text = self.summary_text(
            line_length=line_length,
            positions=positions,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )
        show_summary(text, print_fn)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Model:
    """A new model from :meth:`Model.to_json`'s string (Keras's or r_bridge's),
    with fresh weights. All or nothing: on error no name is consumed."""
    if custom_objects:
        raise ValueError(
            "`custom_objects` are not supported by r_bridge: only Keras's built-in layers can be loaded."
        )
    if not isinstance(json_string, (str, bytes, bytearray)):
        raise TypeError(
            f"`json_string` must be a JSON string. Received: json_string={shown(json_string, conversion='r')}"
        )
    try:
        import json

        config = json.loads(json_string)
    except ValueError as e:
        raise ValueError(f"`json_string` is not valid JSON: {shown(e, LONG_ECHO_LIMIT)}") from None
    with atomic():
        model = deserialize_keras_object(config)
        if not isinstance(model, Model):
            raise ValueError(f"The JSON describes a {type(model).__name__}, not a model.")
    return model
