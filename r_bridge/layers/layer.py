"""The ``Layer`` base class: naming, building, weights, symbolic and numpy calls."""

from __future__ import annotations

import warnings

import numpy as np

from r_bridge import config
from r_bridge.naming import atomic, auto_name, validate_name
from r_bridge.tensor import KerasTensor, Node

_NUMPY_DTYPES = {"bfloat16": "float32"}  # numpy has no bfloat16


def compute_dtype() -> str:
    """numpy dtype for new weights and inputs, from the session's dtype policy."""
    policy = config.dtype_policy()
    if policy.startswith("mixed_"):
        return "float32"
    return _NUMPY_DTYPES.get(policy, policy)


class Layer:
    """Base class of every layer and model.

    Subclass it and override :meth:`build` (make weights from the input
    shape), :meth:`call` (numpy forward pass) and, when the output shape
    differs from the input shape, :meth:`compute_output_shape`. A layer
    created without ``name`` is auto-named from its class in snake case
    (``MyCustomLayer`` -> ``my_custom_layer``, then ``my_custom_layer_1``...).

    Args:
        name: explicit name (a string without ``/``); explicit names do not
            touch the session's counters.
        trainable: whether the weights count as trainable.
        dtype: dtype of the weights (default: from the dtype policy).
        input_shape: legacy Keras argument: when the layer is the first
            added to a ``Sequential``, an ``Input(shape=input_shape)`` is
            added before it.
    """

    def __init__(self, name=None, trainable=True, dtype=None, **kwargs):
        input_shape = kwargs.pop("input_shape", None)
        if kwargs:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}"
            )
        if name is not None:
            validate_name(name)
        if not isinstance(trainable, bool):
            raise TypeError(f"`trainable` must be a bool. Received: trainable={trainable!r}")
        self._input_shape_arg = None
        if input_shape is not None:
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a layer. "
                "When using Sequential models, prefer using an `Input(shape)` "
                "object as the first layer in the model instead.",
                stacklevel=2,
            )
            self._input_shape_arg = tuple(input_shape) if not np.isscalar(input_shape) else (input_shape,)
        self.name = name if name is not None else auto_name(type(self).__name__)
        self.trainable = trainable
        self.dtype = dtype or compute_dtype()
        self.built = False
        self._weights: list[np.ndarray] = []
        self._weight_names: list[str] = []
        self._output_shape = None  # last symbolic output shape, for summary()
        # What inputs must look like: {"min_ndim": int, "axes": {axis: size}}.
        self.input_spec = None

    # ------------------------------------------------------------ building
    def add_weight(self, name, value) -> np.ndarray:
        """Register a weight array (kept in creation order, like Keras)."""
        arr = np.asarray(value, dtype=self.dtype)
        self._weights.append(arr)
        self._weight_names.append(name)
        return arr

    def build(self, input_shape):
        """Create weights for inputs of ``input_shape``; the base has none."""
        self.built = True

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape`` (identity by default)."""
        return tuple(input_shape)

    def call(self, x, training=False):
        """numpy forward pass (identity by default)."""
        return x

    def _check_input(self, shape):
        """Keras's input-spec check (e.g. a built Dense wants its input size)."""
        spec = self.input_spec
        if not spec:
            return
        shape = tuple(shape)
        where = f"Input 0 with name 'None' of layer '{self.name}' is incompatible with the layer: "
        if len(shape) < spec.get("min_ndim", 0):
            raise ValueError(
                where + f"expected min_ndim={spec['min_ndim']}, found ndim={len(shape)}. "
                f"Full shape received: {shape}"
            )
        for axis, value in spec.get("axes", {}).items():
            if shape[axis] is not None and shape[axis] != value:
                raise ValueError(
                    where + f"expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {shape}"
                )

    def __call__(self, x, training=False):
        """On a :class:`KerasTensor`, record a node and return a new symbolic
        tensor (Functional API); on an array, compute the output."""
        if isinstance(x, KerasTensor):
            self._check_input(x.shape)
            with atomic():
                if not self.built:
                    self.build(x.shape)
                    self.built = True
                shape = self.compute_output_shape(x.shape)
                out = KerasTensor(shape, dtype=self.dtype, node=Node(self, [x]))
            self._output_shape = shape
            return out
        x = np.asarray(x, dtype=self.dtype)
        self._check_input(x.shape)
        if not self.built:
            self.build(x.shape)
            self.built = True
        return self.call(x, training=training)

    # ------------------------------------------------------------- weights
    @property
    def weights(self) -> list:
        """The layer's weight arrays (live, not copies)."""
        return list(self._weights)

    def get_weights(self) -> list:
        """Copies of the weights as numpy arrays, in Keras order (kernel, bias)."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Set the weights from a list of arrays of the same shapes (all or nothing)."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' "
                f"with a weight list of length {len(weights)}, but the layer "
                f"was expecting {len(own)} weights."
            )
        new = [np.asarray(w) for w in weights]
        for ref, value in zip(own, new):
            if ref.shape != value.shape:
                raise ValueError(
                    f"Layer {self.name} weight shape {ref.shape} is not "
                    f"compatible with provided weight shape {value.shape}."
                )
        for ref, value in zip(own, new):
            ref[...] = value

    def count_params(self) -> int:
        """Total number of scalars in the weights (the layer must be built)."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', "
                "but the layer isn't built. You can build it manually via: "
                "`layer.build(input_shape)`."
            )
        return int(sum(w.size for w in self.weights))

    def predict(self, x):
        """Forward pass on a numpy array (inference mode); a multi-input
        model takes a list of arrays (one per input, shapes may differ)."""
        if not isinstance(x, (list, tuple)):
            x = np.asarray(x)
        return self(x, training=False)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
