"""``Operation``: an op called on symbolic tensors, recorded as a graph node.

Keras's ``Operation.symbolic_call``: ``ops.add(x, y)`` (or ``x + y``) on a
:class:`~r_bridge.tensor.KerasTensor` makes an ``Add`` operation, named from
its class as layers are (``add``, ``add_1``, ...: the counters are the
session's, shared with the layers of the same name), infers the output's
shape and dtype, and records a node, so a Functional model built with it
runs the op on arrays. A model's ``layers`` leave operations out; its
summary lists them, as Keras's does.

Inside a layer's ``call`` traced on symbolic tensors (a custom layer without
``compute_output_shape``), an op records nothing and takes no name: Keras
computes such a layer's output spec on placeholder arrays, where ops are
plain computations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from r_bridge import state
from r_bridge.layers.layer import SYMBOLIC_TRACE, Layer
from r_bridge.naming import atomic
from r_bridge.tensor import KerasTensor, Node

_CLASSES: dict[str, type[Operation]] = {}
# Operation class name -> (compute, spec) of its op (see register_op).
_OPS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {}
#: The module Keras writes for these operations in a model's config.
KERAS_MODULE = "keras.src.ops.numpy"


class Operation(Layer):
    """One op call in a graph: ``compute(*args, **kwargs)`` on arrays,
    ``spec(*args, **kwargs)`` on symbolic tensors (a KerasTensor without a
    node, or a structure of them). Made by :func:`symbolic_call`."""

    _compute: Callable[..., Any]
    _spec: Callable[..., Any]
    _template: tuple[tuple, dict]
    _params: dict[str, Any]

    def __init__(self, name: str | None = None, **params: Any):
        super().__init__(name=name)
        self._params = params  # the op's non-tensor arguments (axis, ...), in its config
        self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("training", None)
        compute, spec = self.__dict__.get("_compute"), self.__dict__.get("_spec")
        if compute is None or spec is None:  # made from a config: its op by class name
            compute, spec = _OPS[type(self).__name__]
        if any(isinstance(t, KerasTensor) for t in _flat((args, kwargs))):
            if self.__dict__.get("_template") is None:  # not called yet: this call is its node
                return _record(self, compute, spec, args, {**self._params, **kwargs})
            return spec(*args, **self._params, **kwargs)
        return compute(*args, **self._params, **kwargs)

    def compute_output_shape(self, *args: Any, **kwargs: Any) -> Any:
        """Output shape(s) for the call's arguments with input shapes where
        its tensors were (as :class:`~r_bridge.models.Functional` gives them)."""
        kwargs.pop("training", None)
        args, kwargs = _zip_fill(self._template, (args, kwargs))
        return _shapes(self._spec(*args, **self._params, **kwargs))

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        return self._spec(*args, **self._params, **kwargs)

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., **parameters}``, as Keras writes an operation."""
        return {"name": self.name, **self._params}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Operation:
        """The operation of a config (its name and parameters)."""
        return cls(**config)


def register_op(name: str, compute: Callable[..., Any], spec: Callable[..., Any]) -> None:
    """Make op ``name`` (``"Add"``, ...) loadable from a model's config: its
    class is registered as Keras writes it (module ``keras.src.ops.numpy``)."""
    from r_bridge.serialization_lib import register_keras_class

    _OPS[name] = (compute, spec)
    register_keras_class(operation_class(name), KERAS_MODULE, registered_name=name)


def operation_class(name: str) -> type[Operation]:
    """The ``Operation`` subclass called ``name`` (``"Add"``, ``"Matmul"``...),
    made once: the class name gives the auto-name and the summary's type."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = _CLASSES[name] = type(name, (Operation,), {"__module__": __name__})
    return cls


def symbolic_call(
    name: str,
    compute: Callable[..., Any],
    spec: Callable[..., Any],
    args: tuple,
    params: dict[str, Any],
) -> Any:
    """The symbolic result of op ``name`` on ``args`` (some are KerasTensors)
    with its parameters ``params`` (``axis``, ...): ``spec`` infers it;
    outside a traced layer call an operation is made and its node recorded
    (all or nothing: a failing ``spec`` takes no name)."""
    if state.get_global_attribute(SYMBOLIC_TRACE):
        return spec(*args, **params)
    with atomic():
        out = spec(*args, **params)
        return _record(operation_class(name)(**params), compute, spec, args, params, out)


def _record(
    op: Operation,
    compute: Callable[..., Any],
    spec: Callable[..., Any],
    args: tuple,
    params: dict[str, Any],
    out: Any = None,
) -> Any:
    """``op``'s node for this call on ``args`` (its output from ``spec``
    unless given); the node records the arguments, the op its parameters."""
    with atomic():
        if out is None:
            out = spec(*args, **params)
        op._compute, op._spec, op._template = compute, spec, (args, {})
        op._params = dict(params)
        inputs = [t for t in _flat(args) if isinstance(t, KerasTensor)]
        node = Node(op, inputs, (args, {}))
        for t in _flat(out):
            t._node = node
    op._output_shape = _shapes(out)
    return out


def any_symbolic(*args: Any) -> bool:
    """Whether a (nested) argument is a KerasTensor."""
    return any(isinstance(t, KerasTensor) for t in _flat(args))


def _flat(x: Any) -> list[Any]:
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _flat(v)]
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in _flat(v)]
    return [x]


def _shapes(x: Any) -> Any:
    if isinstance(x, KerasTensor):
        return x.shape
    if isinstance(x, (list, tuple)):
        return type(x)(_shapes(v) for v in x)
    return x


def _zip_fill(template: Any, filled: Any) -> Any:
    """``template`` with each KerasTensor replaced by a KerasTensor of the
    shape found at the same place in ``filled`` (and the template's dtype)."""
    if isinstance(template, KerasTensor):
        return KerasTensor(filled, dtype=template.dtype)
    if isinstance(template, dict):
        return {k: _zip_fill(v, filled[k]) for k, v in template.items()}
    if isinstance(template, (list, tuple)):
        return type(template)(_zip_fill(t, f) for t, f in zip(template, filled))
    return template
