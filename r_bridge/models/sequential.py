"""``Sequential``: a plain stack of layers, with Keras 3's rebuild rules."""

from __future__ import annotations

import numpy as np

from r_bridge.layers.input_layer import InputLayer, standardize_shape
from r_bridge.layers.layer import Layer
from r_bridge.models.functional import Functional
from r_bridge.models.model import Model
from r_bridge.naming import atomic
from r_bridge.tensor import KerasTensor


class Sequential(Model):
    """A stack of single-input, single-output layers.

    Args:
        layers: optional list of layers (or an ``Input()`` tensor first).
        trainable: whether the weights count as trainable.
        name: explicit name; by default ``sequential``, ``sequential_1``...

    As in Keras 3, a model whose first layer is an input (``Input()`` or a
    layer given ``input_shape``) is built at once, and rebuilt after every
    :meth:`add` and :meth:`pop`: each rebuild makes an internal functional
    model (consuming a ``functional`` name) and new symbolic tensors.
    Without an input it is built on first use (``predict``).
    """

    def __init__(self, layers=None, trainable=True, name=None):
        with atomic():
            super().__init__(name=name, trainable=trainable)
            self._layers = []
            self._functional = None
            if layers:
                for layer in layers:
                    self.add(layer, rebuild=False)
                self._maybe_rebuild()

    def add(self, layer, rebuild=True):
        """Add ``layer`` on top of the stack (names must be unique in the model).

        On error (duplicate name, incompatible input shape, ...) the model
        and the session's name counters are left as they were.
        """
        saved = (list(self._layers), self._functional, self.built, self._output_shape)
        try:
            self._add(layer, rebuild)
        except BaseException:  # leave the model as it was
            self._layers, self._functional, self.built, self._output_shape = saved
            raise

    def _add(self, layer, rebuild):
        with atomic():
            if not self._layers and getattr(layer, "_input_shape_arg", None) is not None:
                self.add(InputLayer(shape=layer._input_shape_arg), rebuild=False)
            if isinstance(layer, KerasTensor) and layer._node is not None:
                if isinstance(layer._node.layer, InputLayer):
                    layer = layer._node.layer
            if not isinstance(layer, Layer):
                raise ValueError(
                    "Only instances of `keras.Layer` can be added to a Sequential model. "
                    f"Received: {layer} (of type {type(layer)})"
                )
            if any(other.name == layer.name and other is not layer for other in self._layers):
                raise ValueError(
                    "All layers added to a Sequential model should have unique names. "
                    f"Name '{layer.name}' is already the name of a layer in this model. "
                    "Update the `name` argument to pass a unique name."
                )
            if isinstance(layer, InputLayer) and self._layers and isinstance(self._layers[0], InputLayer):
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use input "
                    f"shape {self._layers[0].batch_shape}. You cannot add a different Input layer to it."
                )
            self._layers.append(layer)
            if rebuild:
                self._maybe_rebuild()
            else:
                self.built = False
                self._functional = None

    def pop(self, rebuild=True):
        """Remove and return the last layer."""
        if not self.layers:
            raise ValueError(f"There are no layers in Sequential model '{self.name}' to pop.")
        with atomic():
            layer = self._layers.pop()
            self.built = False
            self._functional = None
            if rebuild:
                self._maybe_rebuild()
        return layer

    def _maybe_rebuild(self):
        self.built = False
        self._functional = None
        if not self._layers:
            return
        first = self._layers[0]
        if isinstance(first, InputLayer) and len(self._layers) > 1:
            self.build(first.batch_shape)
        elif hasattr(first, "input_shape") and len(self._layers) > 1:
            self.build(first.input_shape)  # e.g. a built model as first layer

    def build(self, input_shape=None):
        """Build the internal functional model for inputs of ``input_shape``."""
        input_shape = standardize_shape(input_shape)
        if not self._layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. "
                "Call `model.add(layer)`."
            )
        with atomic():
            if isinstance(self._layers[0], InputLayer):
                if self._layers[0].batch_shape != input_shape:
                    raise ValueError(
                        f"Sequential model '{self.name}' has already been configured to use "
                        f"input shape {self._layers[0].batch_shape}. You cannot build it with "
                        f"input_shape {input_shape}"
                    )
                layers = self._layers
            else:
                layers = [InputLayer(batch_shape=input_shape)] + self._layers
            x = inputs = layers[0].output
            for layer in layers[1:]:
                x = layer(x)
            functional = Functional(inputs=inputs, outputs=x)
        self._layers = layers
        self._functional = functional
        self._output_shape = x.shape
        self.built = True

    @property
    def layers(self) -> list:
        """The layers added, without the input layer."""
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return list(self._layers)

    @property
    def _summary_layers(self):
        return self.layers

    def call(self, x, training=False):
        if self._functional is not None:
            return self._functional.call(x, training=training)
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    @property
    def inputs(self) -> list:
        """The input tensors of the built model (Keras raises before it is built)."""
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined inputs yet.")
        return self._functional.inputs

    @property
    def outputs(self) -> list:
        """The output tensors of the built model."""
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return self._functional.outputs

    @property
    def input_shape(self):
        """The input shape, for a model that starts with an input (else no attribute)."""
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[0].batch_shape
        raise AttributeError("input_shape")

    def compute_output_shape(self, input_shape):
        if self._functional is not None:
            return self._functional.compute_output_shape(input_shape)
        for layer in self.layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def __call__(self, x, training=False):
        if isinstance(x, KerasTensor):
            return super().__call__(x, training=training)
        x = np.asarray(x, dtype=self.dtype)
        if not self.built and self._layers:
            self.build((None,) + x.shape[1:])
        return self.call(x, training=training)
