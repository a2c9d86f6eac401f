"""``Sequential``: a plain stack of layers, with Keras 3's rebuild rules."""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

import numpy as np

from r_bridge.layers.input_layer import InputLayer, standardize_shape
from r_bridge.layers.layer import Layer
from r_bridge.messages import shown
from r_bridge.models.functional import Functional
from r_bridge.models.model import Model
from r_bridge.naming import atomic
from r_bridge.serialization_lib import deserialize_keras_object, serialize_keras_object
from r_bridge.tensor import KerasTensor, Node
from r_bridge.tree import Structure


def _check_single_input(layer: Layer) -> None:
    """Keras's rejection of a layer whose ``call`` takes no input or more
    than one required positional input (it cannot be stacked)."""
    try:
        params = inspect.signature(layer.call).parameters.values()
    except (TypeError, ValueError):
        return
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if not positional and not any(p.kind is p.VAR_POSITIONAL for p in params):
        raise ValueError(
            "Layers added to a Sequential model should have a single positional argument, "
            f"the input tensor. Layer {layer.__class__.__name__} has no positional arguments."
        )
    if len(required) > 1:
        raise ValueError(
            "Layers added to a Sequential model can only have a single required positional "
            "argument, the input tensor. Layer "
            f"{layer.__class__.__name__} has multiple required positional arguments: {required}"
        )


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
    Without an input it is built on first use, for the shape of that first
    input (as Keras: ``model(x)`` on 3 samples reports ``(3, ...)``), or by
    ``build((None, ...))``.

    Every change is all or nothing: ``add``, ``pop`` and ``build`` compute
    the new stack and its functional model first and then switch to it in
    one step, so an error or an interrupt (``KeyboardInterrupt``) leaves the
    model as it was (or, once switched, fully changed).
    """

    # Set only by _commit(), all together.
    _layers: list[Layer]
    _functional: Functional | None
    # The internal functional model is not a sublayer (its layers are ours).
    _untracked_attrs = frozenset({"_functional"})

    def __init__(
        self,
        layers: Iterable[Layer | KerasTensor] | None = None,
        trainable: bool = True,
        name: str | None = None,
    ):
        # Inside the constructor's atomic block (see Layer).
        super().__init__(name=name, trainable=trainable)
        self._commit(layers=[], functional=None)
        if layers:
            for layer in layers:
                self.add(layer, rebuild=False)
            self._commit(*self._rebuilt(list(self._layers)))

    # ------------------------------------------------------------ state
    def _commit(self, layers: list[Layer], functional: Functional | None) -> None:
        """Switch to a new stack in one step (``dict.update`` runs no Python
        code, so no signal handler can interrupt it halfway)."""
        self.__dict__.update(
            _layers=layers,
            _functional=functional,
            built=functional is not None,
            _output_shape=functional._output_shape if functional is not None else None,
        )

    def _switch(self, make: Callable[[], tuple[list[Layer], Functional | None]]) -> None:
        """Switch to the stack ``make()`` computes (it may take names), all or
        nothing: the switch happens inside the counters' atomic block, and if
        anything fails or is interrupted there the old stack is put back, so
        no interrupt can leave a new stack with its names given back, or the
        old stack with the new stack's names taken."""
        old = (self._layers, self._functional)
        with atomic():
            try:
                self._commit(*make())
            except BaseException:
                self._commit(*old)
                raise

    def _rebuilt(self, layers: list[Layer], input_shape: Any = None) -> tuple[list[Layer], Functional | None]:
        """``(layers, functional)`` for ``layers`` built for ``input_shape``
        (or the input layer's shape); ``functional`` is ``None`` when the
        stack cannot be built yet. Changes nothing on the model."""
        given = layers
        if input_shape is None:
            input_shape = _known_input_shape(layers)
            if input_shape is None:
                return layers, None
        try:
            input_shape = standardize_shape(input_shape)
        except (ValueError, TypeError):
            return layers, None  # not a single input tensor: Keras does not build
        if not layers:
            raise ValueError(
                f"Sequential model {self.name} cannot be built because it has no layers. "
                "Call `model.add(layer)`."
            )
        if isinstance(layers[0], InputLayer):
            if layers[0].batch_shape != input_shape:
                raise ValueError(
                    f"Sequential model '{self.name}' has already been configured to use "
                    f"input shape {layers[0].batch_shape}. You cannot build it with "
                    f"input_shape {input_shape}"
                )
        else:
            layers = [InputLayer(batch_shape=input_shape, dtype=layers[0].dtype)] + layers
        x = inputs = layers[0].output
        for layer in layers[1:]:
            _check_single_input(layer)
            try:
                x = layer(x)
            except NotImplementedError:  # no shape inference: stays unbuilt
                return given, None
        return layers, Functional(inputs=inputs, outputs=x)

    # --------------------------------------------------------- add / pop
    def add(self, layer: Layer | KerasTensor, rebuild: bool = True) -> None:
        """Add ``layer`` on top of the stack (names must be unique in the model).

        On error (duplicate name, incompatible input shape, ...) the model
        and the session's name counters are left as they were.
        """
        if (
            isinstance(layer, KerasTensor)
            and layer._node is not None
            and isinstance(layer._node.layer, InputLayer)
        ):
            layer = layer._node.layer
        item = layer
        if not isinstance(item, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model. "
                f"Received: {shown(item)} (of type {type(item)})"
            )
        if self._layers or item._input_shape_arg is None:
            # Nothing to make before the checks: when the stack will not be
            # built (no input yet, or rebuild=False) nothing takes a name,
            # so the new stack is committed in one step, without the switch.
            layers = self._checked_stack(item)
            if not rebuild or _known_input_shape(layers) is None:
                self.__dict__.update(_layers=layers, _functional=None, built=False, _output_shape=None)
                return  # (what _commit(layers, None) does, without its call)

        def make() -> tuple[list[Layer], Functional | None]:
            layers = list(self._layers)
            if not layers and (shape_arg := getattr(item, "_input_shape_arg", None)) is not None:
                layers.append(InputLayer(shape=shape_arg))
            layers = self._checked_stack(item, layers)
            return self._rebuilt(layers) if rebuild else (layers, None)

        self._switch(make)

    def _checked_stack(self, item: Layer, layers: list[Layer] | None = None) -> list[Layer]:
        """``layers`` (default: the stack) with ``item`` on top, after Keras's
        checks; changes nothing on the model."""
        if layers is None:
            layers = self._layers
        if item is self or (_may_hold_layers(item) and _contains(item, self)):
            raise ValueError(
                f"Sequential model '{self.name}' can't contain itself: adding "
                f"'{item.name}' to it would make a cycle."
            )
        # The names compared in C; the careful test (the same layer added
        # twice is no clash, as in Keras) only when one is equal.
        if item.name in map(_NAME, layers) and any(
            other.name == item.name and other is not item for other in layers
        ):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. "
                f"Name '{item.name}' is already the name of a layer in this model. "
                "Update the `name` argument to pass a unique name."
            )
        if isinstance(item, InputLayer) and layers and isinstance(layers[0], InputLayer):
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input "
                f"shape {layers[0].batch_shape}. You cannot add a different Input layer to it."
            )
        return [*layers, item]  # a new list (the model's own is replaced whole)

    def pop(self, rebuild: bool = True) -> Layer:
        """Remove and return the last layer.

        An error or interrupt before the model switches to the shorter stack
        leaves it (and the session's counters) as it was: the layer is never
        lost halfway.
        """
        if not self.layers:
            raise ValueError(f"There are no layers in Sequential model '{self.name}' to pop.")
        layers = list(self._layers)
        layer = layers.pop()
        self._switch(lambda: self._rebuilt(layers) if rebuild else (layers, None))
        return layer

    def build(self, input_shape: tuple[int | None, ...] | None = None) -> None:
        """Build the internal functional model for inputs of ``input_shape``."""

        def make() -> tuple[list[Layer], Functional | None]:
            layers, functional = self._rebuilt(list(self._layers), input_shape)
            return (layers, functional) if functional is not None else (self._layers, self._functional)

        self._switch(make)

    # ----------------------------------------------------------- access
    @property
    def layers(self) -> list[Layer]:
        """The layers added, without the input layer."""
        if self._layers and isinstance(self._layers[0], InputLayer):
            return self._layers[1:]
        return list(self._layers)

    @layers.setter
    def layers(self, _: object) -> NoReturn:
        raise AttributeError(
            "`Sequential.layers` attribute is reserved and should not be used. "
            "Use `add()` and `pop()` to change the layers in this model."
        )

    def _defined(self, what: str) -> Functional:
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        return self._functional

    @property
    def inputs(self) -> list[KerasTensor]:
        """The input tensors of the built model (Keras raises before it is built)."""
        return self._defined("inputs").inputs

    @property
    def outputs(self) -> list[KerasTensor]:
        """The output tensors of the built model."""
        return self._defined("outputs").outputs

    @property
    def input_shape(self) -> Structure:
        """The input shape of the built model."""
        return self._defined("input shape").input_shape

    @property
    def output_shape(self) -> Structure:
        """The output shape of the built model."""
        return self._defined("output shape").output_shape

    @property
    def input(self) -> Structure:
        return self._defined("input").input

    @property
    def output(self) -> Structure:
        return self._defined("output").output

    # ---------------------------------------------------------- calling
    def call(
        self, inputs: Structure, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Structure:
        if self._functional is not None:
            return self._functional.call(inputs, training=training)
        context = {} if training is None else {"training": training}
        for layer in self.layers:
            inputs = layer(inputs, **context)
        return inputs

    def compute_output_shape(self, input_shape: Structure) -> Structure:
        if self._functional is not None:
            return self._functional.compute_output_shape(input_shape)
        for layer in self.layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def __call__(
        self, inputs: Structure, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Structure:
        if not self.built:
            shape = getattr(inputs, "shape", None)
            if shape is None and not isinstance(inputs, (list, tuple, dict)):
                shape = np.shape(inputs)
            self.build(shape if shape is not None else inputs)
        if isinstance(inputs, KerasTensor):
            return self._call_symbolic(inputs)
        return self.call(inputs, training=training)

    def _call_symbolic(self, x: KerasTensor) -> KerasTensor:
        """One node for the whole model (it is the layer an outer model sees)."""
        if self._functional is not None:
            self._functional._check_inputs(x)
        with atomic():
            shape = self.compute_output_shape(x.shape)
            dtype = self._functional.outputs[0].dtype if self._functional is not None else self.dtype
            out = KerasTensor(shape, dtype=dtype, node=Node(self, [x]))
        return out

    # ------------------------------------------------------ serialization
    def get_config(self) -> dict[str, Any]:
        """Keras's Sequential config: the base keys, ``layers`` (the input
        layer included) and, once built, ``build_input_shape``."""
        config = super().get_config()
        config["layers"] = [serialize_keras_object(layer) for layer in self._layers]
        if self._functional is not None:
            config["build_input_shape"] = self._functional.input_shape
        return config

    def get_build_config(self) -> dict[str, Any] | None:
        return {"input_shape": self._functional.input_shape} if self._functional is not None else None

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        shape = (config or {}).get("input_shape")
        if shape is not None and self._functional is None:
            self.build(tuple(shape))

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Sequential:
        """The model of a Sequential config (Keras's or r_bridge's), as Keras
        rebuilds it: a model of that name, each layer added, then built for
        ``build_input_shape`` if the layers did not build it. All or nothing:
        on error no name is consumed and no model is made."""
        if "name" not in config or "layers" not in config:
            raise ValueError(
                "A Sequential model configuration must be a dictionary containing the 'name' and "
                f"'layers' keys. Received: config={shown(config)}"
            )
        with atomic():
            model = cls(name=config["name"])
            for layer_config in config["layers"]:
                model.add(deserialize_keras_object(layer_config))
            shape = config.get("build_input_shape")
            if model._functional is None and shape and isinstance(shape, (tuple, list)):
                model.build(tuple(shape))
            return model


def _known_input_shape(layers: list[Layer]) -> Structure:
    """The input shape the stack ``layers`` is built for without an input
    (its input layer's, or its first layer's if that is a built model), or
    ``None``: a stack of one layer is never built."""
    if len(layers) < 2:
        return None
    first = layers[0]
    if isinstance(first, InputLayer):
        return first.batch_shape
    if not _defines_input_shape(type(first).__mro__) and "input_shape" not in first.__dict__:
        return None  # a plain layer (asking would raise and catch an AttributeError)
    return _input_shape(first)


@functools.lru_cache(maxsize=1024)
def _defines_input_shape(mro: tuple[type, ...]) -> bool:
    """Whether a class of this MRO has ``input_shape`` (a model's property).
    Keyed by the MRO, not the class: a model subclass called with inputs and
    outputs gets Functional among its bases later."""
    return any("input_shape" in c.__dict__ for c in mro)


_NAME = operator.attrgetter("name")


def _may_hold_layers(layer: Layer) -> bool:
    """Whether ``layer`` may hold other layers, decided in C: a stack
    (``_layers``), or an attribute whose class has a metaclass other than
    ``type`` (every layer class's is :class:`~r_bridge.layers.layer.Layer`'s
    metaclass). False for a plain layer such as ``Dense``."""
    d = layer.__dict__
    if "_layers" in d:
        return True
    values = list(d.values())  # (a copy: another thread may assign)
    if _PLAIN_TYPES.issuperset(map(type, values)):
        return False  # every value of a type seen before to be no layer class
    types = set(map(type, values))
    if not _PLAIN_METACLASS.issuperset(map(type, types)):
        return True
    if len(_PLAIN_TYPES) < 512:  # (bounded: the set keeps its classes alive)
        _PLAIN_TYPES.update(types)
    return False


_PLAIN_METACLASS = frozenset({type})
# Classes whose metaclass is `type` (so no layer class), seen among layers'
# attribute values: str, list, function, an initializer's class...
_PLAIN_TYPES: set[type] = set()


def _contains(layer: Layer, target: Layer) -> bool:
    """Whether ``target`` is ``layer`` or one of its sublayers, at any depth
    (Keras recurses without end on a model added to itself)."""
    stack, seen = [layer], set()
    while stack:
        x = stack.pop()
        if x is target:
            return True
        if id(x) not in seen:
            seen.add(id(x))
            stack.extend(x.__dict__.get("_layers") or ())
            stack.extend(getattr(x, "_tracked_layers", ()))
    return False


def _input_shape(layer: Layer) -> Structure:
    """The layer's ``input_shape`` if it has one (a model), else ``None``."""
    try:
        return getattr(layer, "input_shape", None)
    except Exception:  # a property that raises (e.g. an unbuilt Sequential)
        return None
