"""Functional models: a graph of layer calls from input tensors to outputs."""

from __future__ import annotations

import numpy as np

from r_bridge.layers.input_layer import InputLayer
from r_bridge.models.model import Model
from r_bridge.naming import atomic
from r_bridge.tensor import KerasTensor


def _flatten(x, what):
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    if not items:
        raise ValueError(f"`{what}` must contain at least one KerasTensor.")
    for t in items:
        if not isinstance(t, KerasTensor):
            raise ValueError(
                f"All `{what}` values must be KerasTensors. Received: {what}={x!r} "
                f"including invalid value {t!r} of type {type(t)}"
            )
    return items


class _Disconnected(Exception):
    """An output depends on an input tensor that is not among ``inputs``."""


def _visit(tensor, d, g):
    """Depth-first walk from ``tensor`` to the inputs (a module-level function:
    a recursive closure would be a reference cycle)."""
    node = tensor._node
    key = id(node)
    if depth_grew := (key in g["seen"] and d > g["depth"][key]):
        g["depth"][key] = d
    if key in g["seen"]:
        if depth_grew and id(tensor) not in g["input_ids"]:
            for t in node.inputs:
                _visit(t, d + 1, g)
        return
    g["depth"][key] = d
    g["layer_index"].setdefault(id(node.layer), (len(g["layer_index"]), node.layer))
    if id(tensor) not in g["input_ids"]:
        if isinstance(node.layer, InputLayer):
            raise _Disconnected()
        for t in node.inputs:
            _visit(t, d + 1, g)
    g["seen"].add(key)
    g["order"].append(node)


def _map_graph(inputs, outputs, single_output=True):
    """Nodes in execution order and layers in Keras's order (deepest first,
    then in order of discovery from the outputs)."""
    g = {"input_ids": {id(t) for t in inputs}, "order": [], "depth": {}, "seen": set(), "layer_index": {}}
    for i, t in enumerate(outputs):
        try:
            _visit(t, 0, g)
        except _Disconnected:
            path = "" if single_output else str(i)
            raise ValueError(f"Output with path `{path}` is not connected to `inputs`") from None
    depth, order = g["depth"], g["order"]
    pos = {id(n): i for i, n in enumerate(order)}
    nodes = sorted(order, key=lambda n: (-depth[id(n)], pos[id(n)]))
    layer_depth = {}
    for n in nodes:
        layer_depth[id(n.layer)] = max(layer_depth.get(id(n.layer), 0), depth[id(n)])
    ranked = sorted(g["layer_index"].values(), key=lambda p: (-layer_depth[id(p[1])], p[0]))
    return nodes, [layer for _, layer in ranked]


class Functional(Model):
    """``Model(inputs, outputs)``: built from symbolic tensors.

    Args:
        inputs: a ``KerasTensor`` from ``Input()`` or a list of them.
        outputs: a ``KerasTensor`` computed from ``inputs`` or a list of them.
        name: explicit name; by default ``functional``, ``functional_1``...

    ``layers`` lists every layer of the graph, input layers first.
    Operation names must be unique within the model.
    """

    def __init__(self, inputs, outputs, name=None, **kwargs):
        with atomic():
            ins = _flatten(inputs, "inputs")
            outs = _flatten(outputs, "outputs")
            nodes, layers = _map_graph(ins, outs, not isinstance(outputs, (list, tuple)))
            counts = {}
            for layer in layers:
                counts[layer.name] = counts.get(layer.name, 0) + 1
            for lname, n in counts.items():
                if n > 1:
                    raise ValueError(
                        f'The name "{lname}" is used {n} times in the model. '
                        "All operation names should be unique."
                    )
            super().__init__(name=name, **kwargs)
        self._single_input = not isinstance(inputs, (list, tuple))
        self._single_output = not isinstance(outputs, (list, tuple))
        self.inputs = ins
        self.outputs = outs
        self._nodes = [n for n in nodes if not isinstance(n.layer, InputLayer)]
        self._layers = layers
        self._output_shape = outs[0].shape if self._single_output else [o.shape for o in outs]
        self.built = True

    @property
    def layers(self) -> list:
        return list(self._layers)

    def call(self, x, training=False):
        xs = [x] if self._single_input else list(x)
        if len(xs) != len(self.inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self.inputs)} input(s), received {len(xs)}.")
        values = {id(t): np.asarray(v, dtype=self.dtype) for t, v in zip(self.inputs, xs)}
        produced = {}
        for node in self._nodes:
            args = [values[id(t)] if id(t) in values else produced[id(t._node)] for t in node.inputs]
            produced[id(node)] = node.layer.call(*args, training=training)
        outs = [values[id(t)] if id(t) in values else produced[id(t._node)] for t in self.outputs]
        return outs[0] if self._single_output else outs

    @property
    def input_shape(self):
        """Shape of the input (a list of shapes for several inputs)."""
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if self._single_input else shapes

    def compute_output_shape(self, input_shape):
        batch = input_shape[0] if self._single_input else input_shape[0][0]
        shapes = [(batch,) + tuple(o.shape[1:]) for o in self.outputs]
        return shapes[0] if self._single_output else shapes

    def __call__(self, x, training=False):
        if isinstance(x, KerasTensor):
            if not self._single_input or not self._single_output:
                raise NotImplementedError("Calling a multi-input or multi-output model on symbolic tensors is not supported.")
            return super().__call__(x, training=training)
        return self.call(x, training=training)


def get_source_inputs(tensor) -> list:
    """The ``Input()`` tensors that ``tensor`` was computed from."""
    if not isinstance(tensor, KerasTensor):
        raise ValueError(f"`tensor` must be a KerasTensor. Received: tensor={tensor!r}")
    out, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        node = t._node
        if node is None or isinstance(node.layer, InputLayer) or not node.inputs:
            if id(t) not in seen:
                seen.add(id(t))
                out.append(t)
            continue
        stack.extend(reversed(node.inputs))
    return out
