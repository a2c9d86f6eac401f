"""The ``Layer`` base class: naming, building, weights, symbolic and numpy calls."""

from __future__ import annotations

import functools
import inspect
import warnings
import weakref
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from r_bridge import config, initializers, state, tree
from r_bridge.messages import shown
from r_bridge.naming import atomic, atomic_call, auto_name, validate_name
from r_bridge.tensor import KerasTensor, Node, standardize_shape

if TYPE_CHECKING:  # (numpy.typing costs a millisecond at import)
    from numpy.typing import ArrayLike

# Session-state key written by this module: the training flag of the
# outermost layer call in progress (inner layers inherit it, as in Keras).
CALL_TRAINING = "layer_call_training"
# True while a layer's ``call`` runs on symbolic tensors to infer its output
# (ops called there record no node and take no name: r_bridge.ops).
SYMBOLIC_TRACE = "layer_symbolic_trace"


_NUMPY_DTYPES = {"bfloat16": "float32"}  # numpy has no bfloat16
# A dtype policy's numpy dtype, where it is not the policy's name (mixed
# policies keep their variables in float32).
_POLICY_DTYPES = {**_NUMPY_DTYPES, "mixed_float16": "float32", "mixed_bfloat16": "float32"}


def compute_dtype() -> str:
    """numpy dtype for new weights and inputs, from the session's dtype policy."""
    policy = config.dtype_policy()
    return _POLICY_DTYPES.get(policy, policy)


def _recording_build(build):
    """``build`` that records its first argument as ``_build_input_shape``
    and marks the layer built (Keras's ``build_wrapper``)."""
    if getattr(build, "_records_shape", False):
        return build

    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        # Only the outermost build locks the state (a subclass's build may
        # call super().build() and then add weights, as in Keras).
        depth = self.__dict__.get("_build_depth", 0)
        self.__dict__["_build_depth"] = depth + 1
        try:
            build(self, *args, **kwargs)
        finally:
            self.__dict__["_build_depth"] = depth
        shapes = args or tuple(kwargs.values())
        if shapes:
            self._build_input_shape = shapes[0]
        self.built = True
        if depth == 0:
            self._state_locked = True

    wrapper._records_shape = True
    return wrapper


class _LayerType(type):
    """The type of every layer class: constructing a layer (``cls(...)``:
    ``__new__`` and every ``__init__`` along the MRO, a mixin's too) runs in
    one :class:`~r_bridge.naming.atomic` block, so a constructor that fails
    or is interrupted consumes no name. One block per object, opened once
    here (:func:`~r_bridge.naming.atomic_call`: one call, no block object),
    instead of a wrapper around each class's ``__init__``."""

    __call__ = atomic_call(type.__call__)

    @property
    def __signature__(cls) -> inspect.Signature:
        # What inspect.signature(cls) gives without the __call__ above (which
        # it would report as (*args, **kwargs)): the parameters of the
        # class's __new__ or __init__ (whichever the nearest class in the MRO
        # defines, as inspect picks), without the first.
        for base in cls.__mro__:
            if "__new__" in base.__dict__ and base is not object:
                factory = cls.__new__
                break
            if "__init__" in base.__dict__:
                factory = cls.__init__  # type: ignore[misc]  # (the class's, as inspect reads it)
                break
        sig = inspect.signature(factory)
        return sig.replace(parameters=list(sig.parameters.values())[1:])


class Layer(metaclass=_LayerType):
    """Base class of every layer and model.

    Keras's subclassing API: override :meth:`call` (numpy forward pass;
    a ``training`` argument is passed only if it declares one), :meth:`build`
    (make weights with :meth:`add_weight`; several arguments are matched by
    name, ``foo_shape`` for call's ``foo``) and :meth:`compute_output_shape`
    (else symbolic calls trace ``call``). Layers assigned as attributes are
    tracked: their weights are part of :attr:`weights`. A layer created
    without ``name`` is auto-named from its class in snake case
    (``MyCustomLayer`` -> ``my_custom_layer``, then ``my_custom_layer_1``...).

    Args:
        name: explicit name (a string without ``/``); explicit names do not
            touch the session's counters.
        trainable: bool, whether the weights count as trainable.
        dtype: dtype of the weights (default: from the dtype policy); a
            dtype name or ``"mixed_float16"``/``"mixed_bfloat16"``.
        input_shape, input_dim: legacy Keras arguments: when the layer is
            the first added to a ``Sequential``, an ``Input(shape=input_shape)``
            is added before it.

    Every argument is checked before the layer takes a name. Constructing
    any layer (this class, a subclass of Keras's or the user's) runs inside
    :class:`~r_bridge.naming.atomic`, so a constructor that fails or is
    interrupted (``KeyboardInterrupt``) consumes no name.
    """

    # Set in __init__.
    name: str
    dtype: str
    _weights: list[np.ndarray]
    _weight_names: list[str | None]
    _weight_trainable: list[bool]
    _trainable: bool
    _dtype_policy: str
    # Fields whose initial value is shared (immutable): a new layer reads
    # them from the class and gets its own when one is assigned.
    built: bool = False
    input_spec: dict | None = None  # what inputs must look like: {"min_ndim": int, "axes": {axis: size}}
    _input_shape_arg: tuple | None = None  # the legacy input_shape / input_dim argument
    _output_shape: Any = None  # last symbolic output shape, for summary()
    _first_call: tuple | None = None  # weak refs to the first symbolic call's input and output
    _last_call: tuple | None = None  # and to the latest one's

    def __init_subclass__(cls, **kwargs):
        """Wrap a subclass's own ``build()`` as Keras does: afterwards the
        layer is built and remembers the shape it was built for (the summary
        shows the output shape of a layer built by hand)."""
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _recording_build(cls.__dict__["build"])

    def __init__(
        self, name: str | None = None, trainable: bool = True, dtype: str | None = None, **kwargs: Any
    ):
        input_dim = input_shape = None
        if kwargs:
            input_dim = kwargs.pop("input_dim", None)
            input_shape = (input_dim,) if input_dim is not None else kwargs.pop("input_shape", None)
            if kwargs:
                raise ValueError(
                    f"Unrecognized keyword arguments passed to {type(self).__name__}: {shown(kwargs)}"
                )
        if name is not None:
            validate_name(name)
        if trainable is not True and not isinstance(trainable, bool):
            raise ValueError(
                "Expected `trainable` to be a boolean. "
                f"Received: trainable={shown(trainable, conversion='r')} (of type {type(trainable)})"
            )
        if dtype is not None:
            if isinstance(dtype, dict):  # a serialized DTypePolicy, from a config
                dtype = config.deserialize_dtype_policy(dtype)
            dtype = config.standardize_dtype(dtype)
        input_shape_arg = None
        if input_shape is not None:
            input_shape_arg = (
                _shape_argument(input_dim, "input_dim")
                if input_dim is not None
                else _shape_argument(input_shape, "input_shape")
            )
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a layer. "
                "When using Sequential models, prefer using an `Input(shape)` "
                "object as the first layer in the model instead.",
                stacklevel=2,
            )
        # One read of the session's policy: its name for get_config(), the
        # numpy dtype of the weights from it.
        policy = dtype if dtype is not None else config.dtype_policy()
        self._weights = []
        self._weight_names = []
        self._weight_trainable = []
        self.name = name if name is not None else auto_name(type(self).__name__)
        self._trainable = trainable
        self.dtype = _POLICY_DTYPES.get(policy, policy)
        self._dtype_policy = policy  # the policy's name, for get_config()
        if input_shape_arg is not None:
            self._input_shape_arg = input_shape_arg

    # ------------------------------------------------------------ building
    # Sublayers are found when asked (weights, trainable, building), not
    # tracked on every assignment: a layer's own fields cost what a plain
    # object's do. Attributes named here hold layers that are not sublayers.
    _untracked_attrs: frozenset[str] = frozenset()

    @property
    def _tracked_layers(self) -> list[Layer]:
        """The layers held by this layer's attributes, each once, in the
        order their attributes were first set: their weights are ours too
        (a layer re-assigned or deleted is no longer one)."""
        d = self.__dict__
        if not any(map(isinstance, list(d.values()), repeat(Layer))):
            return []  # the common case, decided without a Python-level loop
        out: list[Layer] = []
        skip = self._untracked_attrs
        for k, v in list(d.items()):  # a copy: another thread may assign
            if isinstance(v, Layer) and v is not self and k not in skip and not any(v is t for t in out):
                out.append(v)
        return out

    def add_weight(
        self,
        *args: Any,
        shape: Sequence[int] | None = None,
        initializer: str | initializers.Initializer | None = None,
        dtype: str | None = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: object = None,
        constraint: object = None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
    ) -> np.ndarray:
        """Add a weight (a numpy array) to the layer; Keras's signature.

        Args:
            shape: shape tuple (default ``()``).
            initializer: initializer name or callable ``f(shape)``; default
                ``"glorot_uniform"`` for floats, ``"zeros"`` otherwise.
            dtype: dtype of the weight (default: the layer's).
            trainable: whether it counts among ``trainable_weights``.
            name: name of the weight.

        Positional ``shape, initializer, dtype`` are accepted, as in Keras; a
        string first is rejected (``name`` is keyword-only).
        """
        if args:
            if len(args) > 3:
                raise TypeError(
                    f"add_weight() takes at most 3 positional arguments but {len(args)} were given."
                )
            if isinstance(args[0], str):
                raise ValueError(
                    "`name` must be passed as a keyword argument. "
                    f"Received: add_weight('{args[0]}', ...). "
                    f"Use: add_weight(shape=..., name='{args[0]}')."
                )
            for i, (what, value) in enumerate(
                (("shape", shape), ("initializer", initializer), ("dtype", dtype))
            ):
                if i < len(args) and value is not None:
                    raise ValueError(f"`{what}` was passed both positionally and as a keyword argument.")
            shape = args[0]
            initializer = args[1] if len(args) > 1 else initializer
            dtype = args[2] if len(args) > 2 else dtype
        if self.__dict__.get("_state_locked"):
            raise ValueError(
                "You cannot add new elements of state (variables or sub-layers) to a layer that is "
                "already built. All state must be created in the `__init__()` method or in the "
                "`build()` method."
            )
        dims = () if shape is None else standardize_shape(shape)
        if None in dims:
            raise ValueError(
                "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
                f"Received: shape={dims} for variable path='{self.name}/{name}'"
            )
        dtype = config.standardize_dtype(dtype) or self.dtype
        dtype = _NUMPY_DTYPES.get(dtype, dtype)
        if initializer is None:
            initializer = "glorot_uniform" if "float" in dtype else "zeros"
        arr = np.asarray(initializers.get(initializer)(cast("tuple[int, ...]", dims)), dtype=dtype)
        self._weights.append(arr)
        self._weight_names.append(name)
        self._weight_trainable.append(bool(trainable))
        return arr

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights (and its sublayers') are trainable."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        value = bool(value)
        self._trainable = value
        for layer in self._tracked_layers:
            layer.trainable = value

    def build(self, input_shape: Any) -> None:
        """Create weights for inputs of ``input_shape``; the base has none."""
        self.built = True

    def _build_at_init(self) -> None:
        """Mark a stateless layer built at construction, unless a subclass
        overrides ``build`` (then building is left to it, as in Keras)."""
        if type(self).build is Layer.build:
            self.built = True
            self._state_locked = True

    @property
    def _trainable_variables(self) -> list:
        """This layer's own weights created trainable (whatever ``trainable`` says now)."""
        return [w for w, t in zip(self._weights, self._weight_trainable) if t]

    @property
    def _non_trainable_variables(self) -> list:
        """This layer's own weights created non-trainable."""
        return [w for w, t in zip(self._weights, self._weight_trainable) if not t]

    def compute_output_shape(self, *args: Any, **kwargs: Any) -> Any:
        """Output shape for the given input shape(s); subclasses define it."""
        raise NotImplementedError(
            f"Layer {type(self).__name__} does not have a `compute_output_shape` method implemented."
        )

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """numpy forward pass; subclasses define it."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call` method implemented.")

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """The symbolic output for symbolic inputs: from ``compute_output_shape``
        when the class defines it, else by running ``call`` on the symbolic
        inputs (which works when ``call`` only calls layers)."""
        if type(self).compute_output_shape is not Layer.compute_output_shape:
            shape = self.compute_output_shape(**self._shape_kwargs(self.compute_output_shape, args, kwargs))
            return tree.map_shape_structure(lambda sh: KerasTensor(tuple(sh), dtype=self.dtype), shape)
        return self._traced_call(args, kwargs)

    def _traced_call(self, args, kwargs):
        """``call`` on symbolic inputs, inside the :data:`SYMBOLIC_TRACE` flag."""
        outer = state.get_global_attribute(SYMBOLIC_TRACE)
        state.set_global_attribute(SYMBOLIC_TRACE, True)
        try:
            return self._call_with_training(args, dict(kwargs))
        finally:
            state.set_global_attribute(SYMBOLIC_TRACE, outer)

    @property
    def input(self) -> Any:
        """The input tensor(s) of the layer's first symbolic call."""
        return self._first_call_part(0, "input")

    @property
    def output(self) -> Any:
        """The output tensor(s) of the layer's first symbolic call."""
        return self._first_call_part(1, "output")

    def _first_call_part(self, i, what):
        # Weak references: the graph owns its tensors, the layer does not
        # (no reference cycle through layer -> tensor -> node -> layer). When
        # the first call's graph is gone (a Sequential rebuilds its graph on
        # every add()), the latest call's tensors stand in.
        value = None
        for call in (self._first_call, self._last_call):
            if value is None and call is not None:
                value = _unweak(call[i])
        if value is None:
            raise AttributeError(
                f"The layer {self.name} has never been called and thus has no defined {what}."
                if self._first_call is None
                else f"The {what} of layer {self.name} has been freed (its graph was dropped)."
            )
        return value

    def _check_input(self, x):
        """Keras's input-spec check of the first argument ``x`` (the layers
        here take one input): one tensor, then its rank and sizes (e.g. a
        built Dense wants its input size). Runs before the layer builds."""
        spec = self.input_spec
        if not spec:
            return
        flat = [x] if isinstance(x, (np.ndarray, KerasTensor)) else tree.flatten(x)  # (the usual case first)
        if len(flat) != 1:
            raise ValueError(
                f'Layer "{self.name}" expects 1 input(s), but it received {len(flat)} input tensors. '
                f"Inputs received: {shown(flat)}"
            )
        if not hasattr(flat[0], "shape"):
            raise ValueError(
                f"Inputs to a layer should be tensors. Got '{shown(flat[0])}' "
                f"(of type {type(flat[0])}) as input for layer '{self.name}'."
            )
        shape = tuple(flat[0].shape)
        where = f"Input 0 with name 'None' of layer '{self.name}' is incompatible with the layer: "
        if "ndim" in spec and len(shape) != spec["ndim"]:
            raise ValueError(
                where + f"expected ndim={spec['ndim']}, found ndim={len(shape)}. Full shape received: {shape}"
            )
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

    def _convert_input(self, x):
        """An array (or number, or list of numbers) as an array of the layer's
        dtype when either is float; anything else unchanged."""
        if isinstance(x, bool) or not isinstance(x, (np.ndarray, np.generic, int, float, list)):
            return x
        x = np.asarray(x)
        if x.dtype.kind == "f" or x.dtype == object or x.dtype.kind in "iub" and "float" in self.dtype:
            x = x.astype(self.dtype, copy=False)  # no copy when it already is
        return x

    def _accepts(self, arg) -> bool:
        params = inspect.signature(self.call).parameters
        return arg in params or any(p.kind is p.VAR_KEYWORD for p in params.values())

    def _call_with_training(self, args, kwargs):
        """``call(*args, **kwargs)`` with ``training`` resolved as Keras does:
        the explicit value, else the outer call's, else call's default;
        passed only when call takes it; inherited by inner layer calls."""
        training = kwargs.pop("training", None)
        if training is None:
            training = state.get_global_attribute(CALL_TRAINING)
        if training is None:
            default = inspect.signature(self.call).parameters.get("training")
            if default is not None and default.default is not inspect.Parameter.empty:
                training = default.default
        if training is not None and self._accepts("training"):
            kwargs["training"] = training
        outer = state.get_global_attribute(CALL_TRAINING)
        state.set_global_attribute(CALL_TRAINING, training if training is not None else outer)
        try:
            return self.call(*args, **kwargs)
        finally:
            state.set_global_attribute(CALL_TRAINING, outer)

    def _shape_kwargs(self, fn, args, kwargs):
        """Keras's alignment of ``build()`` / ``compute_output_shape()``
        arguments with ``call()``'s: one argument gets the first input's
        shape; several must be named ``<call argument>_shape``."""
        call_params = inspect.signature(self.call).parameters
        try:
            bound = inspect.signature(self.call).bind(*args, **kwargs).arguments
        except TypeError:
            bound = dict(zip(call_params, args))
        shapes = {
            f"{k}_shape": _shapes(v)
            for k, v in bound.items()
            if k not in ("mask", "args", "kwargs")
            and not k.startswith("mask_")
            and _is_tensor(v)
            and v is not None
        }
        names = [
            n
            for n, p in inspect.signature(fn).parameters.items()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY, p.KEYWORD_ONLY)
        ]
        if len(names) == 1:
            return {names[0]: next(iter(shapes.values()), None)}
        method = fn.__name__
        preamble = (
            f"For a `{method}()` method with more than one argument, all "
            "arguments should have a `_shape` suffix and match an argument "
            f"from `call()`. E.g. `{method}(self, foo_shape, bar_shape)` "
        )
        out = {}
        for name in names:
            if not name.endswith("_shape"):
                raise ValueError(
                    f"{preamble} For layer '{type(self).__name__}', Received `{method}()` argument "
                    f"`{name}`, which does not end in `_shape`."
                )
            if name[: -len("_shape")] not in call_params:
                raise ValueError(
                    f"{preamble} For layer '{type(self).__name__}', received `{method}()` argument "
                    f"`{name}`, but `call()` does not have argument `{name[: -len('_shape')]}`."
                )
            if name in shapes:
                out[name] = shapes[name]
        return out

    def _maybe_build(self, args, kwargs):
        """Build on first call: ``build()`` with the input shape(s); a layer
        without its own ``build()`` but with sublayers builds them by calling
        ``call()`` (they build on their first call)."""
        if self.built:
            return
        if type(self).build is not Layer.build:
            self.build(**self._shape_kwargs(self.build, args, kwargs))
        elif self._tracked_layers and _is_symbolic((args, kwargs)):
            self._traced_call(args, kwargs)
        if getattr(self, "_build_input_shape", None) is None and args and hasattr(args[0], "shape"):
            self._build_input_shape = tuple(args[0].shape)
        self.built = True
        self._state_locked = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """On :class:`KerasTensor` inputs, record a node and return a new
        symbolic tensor (Functional API); on arrays, compute the output.

        The first positional argument is the input; further positional
        arguments must be tensors too (pass others by keyword, as in Keras).
        """
        if not args and not _flat_tensors(kwargs) and not any(_is_array(v) for v in kwargs.values()):
            raise ValueError(f"Layer '{self.name}' was called without an input.")
        # The input may also be numbers (Keras converts them to a tensor);
        # anything else, a layer for instance, is refused as in Keras.
        for i, arg in enumerate(args):
            if not _is_tensor(arg, numbers=i == 0):
                raise ValueError(
                    "Only input tensors may be passed as "
                    "positional arguments. The following argument value "
                    f"should be passed as a keyword argument: {shown(arg, conversion='r')} "
                    f"(of type {type(arg)})"
                )
        if not args:  # inputs by keyword only (``layer(x1=..., x2=...)``)
            if _is_symbolic(kwargs):
                with atomic():
                    self._maybe_build(args, kwargs)
                    inputs = _flat_tensors(kwargs)
                    out = self.compute_output_spec(**kwargs)
                    out = _own_outputs(out, inputs, Node(self, inputs, (args, kwargs)))
                self._output_shape = tree.map_structure(lambda t: t.shape, out)
                return out
            self._maybe_build(args, kwargs)
            return self._call_with_training(args, kwargs)
        first = args[0]
        if _is_symbolic((args, kwargs)):
            self._check_input(first)
            with atomic():
                self._maybe_build(args, kwargs)
                inputs = _flat_tensors((args, kwargs))
                out = self.compute_output_spec(*args, **kwargs)
                out = _own_outputs(out, inputs, Node(self, inputs, (args, kwargs)))
            self._output_shape = tree.map_structure(lambda t: t.shape, out)
            self._last_call = (_weak(inputs[0] if len(inputs) == 1 else inputs), _weak(out))
            if self._first_call is None:
                self._first_call = self._last_call
            return out
        first = (
            tree.map_structure(self._convert_input, first)
            if not _is_number_list(first)
            else self._convert_input(first)
        )
        args = (first,) + args[1:]
        self._check_input(first)
        self._maybe_build(args, kwargs)
        return self._call_with_training(args, kwargs)

    # ------------------------------------------------------------- weights
    def _gathered(self, own_filter: Callable[[bool], bool], sublayer_weights: str) -> list:
        """This layer's weights that ``own_filter(trainable)`` keeps, then
        each sublayer's ``sublayer_weights``; each array once."""
        seen, out = set(), []
        own = (w for w, t in zip(self._weights, self._weight_trainable) if own_filter(t))
        subs = (w for layer in self._sublayers() for w in getattr(layer, sublayer_weights))
        for w in (*own, *subs):
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    def _sublayers(self) -> list[Layer]:
        """The layers whose weights are this layer's too (see Model)."""
        return self._tracked_layers

    @property
    def weights(self) -> list:
        """The layer's weight arrays and its sublayers' (live, not copies)."""
        return self._gathered(lambda t: True, "weights")

    @property
    def trainable_weights(self) -> list:
        """The weights updated by training (none when ``trainable`` is False)."""
        if not self.trainable:
            return []
        return self._gathered(lambda t: t, "trainable_weights")

    @property
    def non_trainable_weights(self) -> list:
        """The weights not updated by training (all when ``trainable`` is False)."""
        if not self.trainable:
            return self.weights
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    def get_weights(self) -> list:
        """Copies of the weights as numpy arrays, in Keras order (kernel, bias)."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: Iterable[ArrayLike]) -> None:
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

    def predict(self, x: Any) -> Any:
        """Forward pass on a numpy array (inference mode); a multi-input
        model takes a list of arrays (one per input, shapes may differ)."""
        if not isinstance(x, (list, tuple)):
            x = np.asarray(x)
        return self(x, training=False)

    # ------------------------------------------------------ serialization
    def get_config(self) -> dict[str, Any]:
        """Keras's base layer config: ``name``, ``trainable`` and ``dtype`` (the
        dtype policy, serialized as Keras writes it). A subclass adds its
        constructor arguments: ``config = super().get_config();
        config.update(...)``."""
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": config.serialize_dtype_policy(self._dtype_policy),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Layer:
        """A new layer from :meth:`get_config`'s dict: ``cls(**config)`` (a
        serialized dtype policy is accepted as ``dtype``).

        Keras features r_bridge does not have (regularizers, constraints,
        quantization, LoRA) are refused with an error naming the layer and
        the feature; their empty (``None``) entries are dropped."""
        return cls(**supported_config(cls, config))

    def get_build_config(self) -> dict[str, Any] | None:
        """``{"input_shape": shape}`` of the layer's first build, as Keras
        records it; ``None`` if it was never built from a shape."""
        shape = getattr(self, "_build_input_shape", None)
        return None if shape is None else {"input_shape": shape}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        """Build the layer (make its weights) from :meth:`get_build_config`'s dict."""
        shape = (config or {}).get("input_shape")
        if shape is not None and not self.built:
            shape = _as_shapes(shape)
            self.build(shape)
            if getattr(self, "_build_input_shape", None) is None:
                self._build_input_shape = shape

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_FEATURES = (
    ("_regularizer", "regularizers"),
    ("_constraint", "constraints"),
    ("quantization_config", "quantization"),
    ("quantization_mode", "quantization"),
    ("lora_rank", "LoRA"),
    ("lora_alpha", "LoRA"),
    ("lora_enabled", "LoRA"),
)


def supported_config(cls: type, config: dict[str, Any]) -> dict[str, Any]:
    """``config`` without the entries of Keras features r_bridge does not
    have, which must be empty (``None``/``False``); else a ``ValueError``
    naming the layer and the feature (nothing is created)."""
    params = inspect.signature(cls).parameters
    out = {}
    for key, value in config.items():
        feature = next((f for suffix, f in _FEATURES if key.endswith(suffix)), None)
        if feature is None or key in params:
            out[key] = value
        elif value not in (None, False) and not (key == "lora_alpha" and not config.get("lora_rank")):
            raise ValueError(
                f"Layer '{shown(config.get('name'))}' ({cls.__name__}) uses {feature} "
                f"(`{key}={shown(value, conversion='r')}`), which r_bridge does not support."
            )
    return out


def _as_shapes(shape):
    """A shape read from JSON (lists) as Keras's tuples (nested for several)."""
    if isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape):
        return tuple(shape)
    if isinstance(shape, dict):
        return {k: _as_shapes(v) for k, v in shape.items()}
    if isinstance(shape, (list, tuple)):
        return [_as_shapes(v) for v in shape]
    return shape


def _is_tensor(x, numbers: bool = False) -> bool:
    """A tensor, ``None``, or a list/tuple/dict of them (Keras's positional
    rule); with ``numbers``, Python numbers count too (convertible)."""
    kinds = (
        (KerasTensor, np.ndarray, np.generic, int, float)
        if numbers
        else (KerasTensor, np.ndarray, np.generic)
    )
    return all(v is None or isinstance(v, kinds) for v in tree.flatten(x))


def _is_array(x) -> bool:
    return isinstance(x, (np.ndarray, np.generic))


def _is_number_list(x) -> bool:
    """A (nested) list of plain numbers: one array, not a list of inputs."""
    if isinstance(x, list):
        return bool(x) and all(_is_number_list(v) for v in x)
    return isinstance(x, (int, float, np.number)) and not isinstance(x, bool)


def _flat_tensors(x) -> list:
    return [t for t in tree.flatten(x) if isinstance(t, KerasTensor)]


def _shape_argument(value, arg):
    """A layer's legacy ``input_shape`` or ``input_dim`` as a shape (a number
    is one dimension: keras3 sends ``input_shape = 4`` so); Keras's message,
    naming the argument, otherwise (Keras itself fails only when a
    Sequential adds the input, without naming it)."""
    scalar = np.isscalar(value) or (isinstance(value, np.ndarray) and value.ndim == 0)
    shape = (value,) if arg == "input_dim" or (scalar and not isinstance(value, str)) else value
    try:
        return standardize_shape(shape)
    except (ValueError, TypeError) as e:
        err = ValueError(
            f"Invalid value for argument `{arg}`: {str(e).rstrip()} Received: {arg}={shown(value, conversion='r')}"
        )
        err.argument = arg  # the dispatcher's error record names it
        raise err from None


def _own_outputs(out, inputs, node):
    """The tensors of ``out`` (from compute_output_spec) as the outputs of
    the call ``node``; with several, each knows its index among them."""
    leaves = tree.flatten(out)
    owned: list[KerasTensor] = []
    for t in leaves:
        if not isinstance(t, KerasTensor) or any(t is x for x in inputs) or any(t is o for o in owned):
            t = KerasTensor(t.shape, dtype=t.dtype)
        t._node = node
        t._index = len(owned) if len(leaves) > 1 else None
        owned.append(t)
    return tree.pack_sequence_as(out, owned)


def _weak(x):
    return tree.map_structure(weakref.ref, x)


def _unweak(refs):
    """The referents of :func:`_weak`'s structure, or ``None`` if any was freed."""
    value = tree.map_structure(lambda r: r(), refs)
    return None if any(v is None for v in tree.flatten(value)) else value


def _is_symbolic(x) -> bool:
    return any(isinstance(v, KerasTensor) for v in tree.flatten(x))


def _shapes(x):
    """The shape(s) of an input: a tuple, or a list/dict of them."""
    if isinstance(x, dict):
        return {k: _shapes(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and not isinstance(x[0], (int, float, np.number)):
        return [_shapes(v) for v in x]
    if x is None:
        return None
    return tuple(getattr(x, "shape", np.shape(x)))
