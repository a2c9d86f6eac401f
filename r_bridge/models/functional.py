"""Functional models: a graph of layer calls from input tensors to outputs."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from typing import Any, NoReturn

import numpy as np

from r_bridge import tree
from r_bridge.layers.input_layer import InputLayer
from r_bridge.layers.layer import Layer
from r_bridge.messages import shown
from r_bridge.models.model import Model
from r_bridge.naming import atomic
from r_bridge.ops.operation import Operation
from r_bridge.serialization_lib import deserialize_keras_object, serialize_keras_object, serialize_tensor
from r_bridge.tensor import KerasTensor, Node
from r_bridge.tree import Path, Structure

_AUTO_TENSOR_NAME = re.compile(r"keras_tensor(?:_(\d+))?")


def _check_tensors(x: Structure, what: str) -> list[KerasTensor]:
    flat = tree.flatten(x)
    for t in flat:
        if not isinstance(t, KerasTensor):
            raise ValueError(
                f"All `{what}` values must be KerasTensors. Received: {what}={shown(x)} "
                f"including invalid value {shown(t)} of type {type(t)}"
            )
    return flat


def _is_input_tensor(t: KerasTensor) -> bool:
    return t._node is not None and isinstance(t._node.layer, InputLayer) and not t._node.inputs


def _input_layer(t: KerasTensor) -> Layer:
    """The input layer of a model input (each has its node)."""
    assert t._node is not None
    return t._node.layer


class _Disconnected(Exception):
    """An output depends on an input tensor that is not among ``inputs``."""


def _visit(tensor: KerasTensor, d: int, g: dict[str, Any]) -> None:
    """Depth-first walk from ``tensor`` to the inputs (a module-level function:
    a recursive closure would be a reference cycle)."""
    boundary = id(tensor) in g["inputs"]
    node = g["inputs"][id(tensor)] if boundary else tensor._node
    if node is None:
        raise _Disconnected()
    key = id(node)
    if depth_grew := (key in g["seen"] and d > g["depth"][key]):
        g["depth"][key] = d
    if key in g["seen"]:
        if depth_grew and not boundary:
            for t in node.inputs:
                _visit(t, d + 1, g)
        return
    g["depth"][key] = d
    g["layer_index"].setdefault(id(node.layer), (len(g["layer_index"]), node.layer))
    if not boundary:
        if not node.inputs:  # an Input() that is not among the model's inputs
            raise _Disconnected()
        for t in node.inputs:
            _visit(t, d + 1, g)
    g["seen"].add(key)
    g["order"].append(node)


def _map_graph(
    boundary: dict[int, Node | None], outputs: list[KerasTensor], output_paths: list[str]
) -> tuple[list[Node], dict[int, int], list[Layer]]:
    """Nodes in execution order, their depths, and layers in Keras's order
    (deepest first, then in order of discovery from the outputs).

    ``boundary`` maps ``id(tensor)`` of each model input to the node of the
    input layer that stands for it."""
    g: dict[str, Any] = {"inputs": boundary, "order": [], "depth": {}, "seen": set(), "layer_index": {}}
    for t, path in zip(outputs, output_paths):
        try:
            _visit(t, 0, g)
        except _Disconnected:
            raise ValueError(f"Output with path `{path}` is not connected to `inputs`") from None
    for node in boundary.values():  # inputs no output uses: depth 0, first at that depth (Keras)
        if node is not None and not node.inputs and id(node.layer) not in g["layer_index"]:
            g["layer_index"][id(node.layer)] = (-1, node.layer)
            g["depth"][id(node)] = 0
            g["order"].append(node)
    depth, order = g["depth"], g["order"]
    pos = {id(n): i for i, n in enumerate(order)}
    depth = _keras_depths(order, boundary)
    nodes = sorted(order, key=lambda n: (-depth[id(n)], pos[id(n)]))
    layer_depth: dict[int, int] = {}
    for n in nodes:
        layer_depth[id(n.layer)] = max(layer_depth.get(id(n.layer), 0), depth[id(n)])
    ranked = sorted(g["layer_index"].values(), key=lambda p: (-layer_depth[id(p[1])], p[0]))
    return nodes, {id(n): depth[id(n)] for n in nodes}, [layer for _, layer in ranked]


def _keras_depths(order: list[Node], boundary: dict[int, Node | None]) -> dict[int, int]:
    """``id(node) -> depth`` by Keras's rule (``ops/function.py``, ``map_graph``):
    going from the outputs back (``order`` runs from the inputs to the
    outputs), a node is one deeper than the deepest node that uses it, and
    no shallower than the calls of its layer already seen. This is what
    orders ``layers`` (and a config's layers) as Keras does when a layer is
    shared."""
    in_graph = {id(n) for n in order}
    depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    for node in reversed(order):
        d = max(depth.get(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth[id(node)] = d
        for t in node.inputs:
            parent = boundary.get(id(t), t._node)
            if parent is not None and id(parent) in in_graph and parent is not node:
                depth[id(parent)] = max(d + 1, depth.get(id(parent), 0))
    return depth


def _path(p: Path) -> str:
    return ".".join(str(k) for k in p)


def _unpack_singleton(x: Structure) -> Structure:
    return x[0] if isinstance(x, (list, tuple)) and len(x) == 1 else x


def _output_shape_of(layer: Layer, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """A layer's output shape(s) for input shapes given in its call's
    structure: from ``compute_output_shape``, else from its symbolic output spec."""
    kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    try:
        return layer.compute_output_shape(*args, **kwargs)
    except NotImplementedError:

        def spec(s: Any) -> Any:
            return KerasTensor(s, dtype=layer.dtype)

        args, kwargs = _map_shape_leaves(spec, (args, kwargs))
        out = layer.compute_output_spec(*args, **kwargs)
        return tree.map_structure(lambda t: t.shape, out)


def _map_shape_leaves(fn: Callable[[Any], Any], s: Any) -> Any:
    """``fn`` on each shape (a tuple of ints/None) of a structure."""
    if isinstance(s, tuple) and all(d is None or isinstance(d, (int, np.integer)) for d in s):
        return fn(s)
    if isinstance(s, dict):
        return {k: _map_shape_leaves(fn, v) for k, v in s.items()}
    if isinstance(s, (list, tuple)):
        return type(s)(_map_shape_leaves(fn, v) for v in s)
    return s


def _fill(struct: Any, value: Callable[[KerasTensor], Any]) -> Any:
    """``struct`` with each KerasTensor replaced by ``value(tensor)``."""
    if isinstance(struct, KerasTensor):
        return value(struct)
    if isinstance(struct, dict):
        return {k: _fill(v, value) for k, v in struct.items()}
    if isinstance(struct, (list, tuple)):
        return type(struct)(_fill(v, value) for v in struct)
    return struct


class Functional(Model):
    """``Model(inputs, outputs)``: built from symbolic tensors.

    Args:
        inputs: an ``Input()`` tensor, or a list, tuple or dict (possibly
            nested) of them. Intermediate tensors are accepted too: each is
            replaced by a new input layer (named ``<tensor name>CLONE``), as
            in Keras.
        outputs: a ``KerasTensor`` computed from ``inputs``, or a nested
            structure of them; calling the model returns the same structure.
        name: explicit name; by default ``functional``, ``functional_1``...
        trainable: whether the weights count as trainable.

    ``layers`` lists every layer of the graph, input layers first.
    Operation names must be unique within the model.
    """

    def __init__(self, inputs: Structure, outputs: Structure, name: str | None = None, **kwargs: Any):
        if isinstance(inputs, dict):
            for k, v in inputs.items():
                if isinstance(v, KerasTensor) and k != v.name:
                    warnings.warn(
                        "When providing `inputs` as a dict, all keys in the dict must match "
                        "the names of the corresponding tensors. Received key "
                        f"'{k}' mapping to value {v} which has name '{v.name}'. Change the "
                        f"tensor name to '{k}' (via `Input(..., name='{k}')`)",
                        stacklevel=2,
                    )
        with atomic():
            flat_in = _check_tensors(inputs, "inputs")
            flat_out = _check_tensors(outputs, "outputs")
            if not flat_in or not flat_out:
                raise ValueError(
                    f"`{'inputs' if not flat_in else 'outputs'}` argument cannot be empty. "
                    f"Received:\ninputs={inputs}\noutputs={outputs}"
                )
            model_inputs = [
                t
                if _is_input_tensor(t)
                else InputLayer(batch_shape=t.shape, dtype=t.dtype, name=f"{t.name}CLONE").output
                for t in flat_in
            ]
            boundary = {id(t): m._node for t, m in zip(flat_in, model_inputs)}
            paths = [_path(p) for p, _ in tree.flatten_with_path(outputs)]
            nodes, depths, layers = _map_graph(boundary, flat_out, paths)
            counts: dict[str, int] = {}
            for layer in layers:
                counts[layer.name] = counts.get(layer.name, 0) + 1
            for lname, n in counts.items():
                if n > 1:
                    raise ValueError(
                        f'The name "{lname}" is used {n} times in the model. '
                        "All operation names should be unique."
                    )
            super().__init__(name=name, **kwargs)
        self._inputs_struct = tree.pack_sequence_as(inputs, model_inputs)
        self._outputs_struct = tree.map_structure(lambda t: t, outputs)  # the user's list may change
        self._input_keys = [id(t) for t in flat_in]
        self._boundary = flat_in  # keeps the ids above valid
        self._flat_inputs = model_inputs
        self._flat_outputs = flat_out
        input_nodes = {id(b) for b in boundary.values()}
        self._nodes = [n for n in nodes if id(n) not in input_nodes]
        self._all_nodes = [(n, depths[id(n)]) for n in nodes]
        self._layers = layers
        self._output_shape = _unpack_singleton(tree.map_structure(lambda t: t.shape, outputs))
        self.output_names = [t._node.layer.name for t in flat_out if t._node is not None]
        self.built = True

    # ------------------------------------------------------------ structure
    @property
    def layers(self) -> list[Layer]:
        """The graph's layers (ops on symbolic tensors are not layers, as in Keras)."""
        return [layer for layer in self._layers if not isinstance(layer, Operation)]

    @layers.setter
    def layers(self, _: object) -> NoReturn:
        raise AttributeError(
            "`Model.layers` attribute is reserved and should not be used. Please use another name."
        )

    @property
    def _operations(self) -> list[Layer]:
        return list(self._layers)

    def _summary_nodes(self) -> list[tuple[Node, int]]:
        """``(node, depth)`` of every call in the graph, inputs included."""
        return list(self._all_nodes)

    def _node_of(self, t: KerasTensor) -> Node:
        """The node that makes ``t`` in this graph (a model input's own node)."""
        for key, model_input in zip(self._input_keys, self._flat_inputs):
            if key == id(t):
                t = model_input
                break
        node = t._node
        assert node is not None  # every tensor of the graph was made by a node
        return node

    def _node_index(self, node: Node) -> int:
        """Which call of its layer ``node`` is, among this graph's calls."""
        same = [n for n, _ in self._all_nodes if n.layer is node.layer]
        return next((i for i, n in enumerate(same) if n is node), 0)

    @property
    def inputs(self) -> list[KerasTensor]:
        """Flat list of the model's input tensors."""
        return list(self._flat_inputs)

    @property
    def outputs(self) -> list[KerasTensor]:
        """Flat list of the model's output tensors."""
        return list(self._flat_outputs)

    @property
    def input(self) -> Structure:
        """The inputs in the structure given to the constructor."""
        return self._inputs_struct

    @property
    def output(self) -> Structure:
        """The outputs in the structure given to the constructor."""
        return self._outputs_struct

    @property
    def input_shape(self) -> Structure:
        """Shape of the input (the structure of shapes for several inputs)."""
        return _unpack_singleton(tree.map_structure(lambda t: t.shape, self._inputs_struct))

    @property
    def output_shape(self) -> Structure:
        """Shape of the output (the structure of shapes for several outputs)."""
        return _unpack_singleton(tree.map_structure(lambda t: t.shape, self._outputs_struct))

    # ------------------------------------------------------ input checking
    def _input_names(self) -> list[str] | None:
        """Names the inputs are matched by (sorted dict keys, else layer names);
        ``None`` for a nested dict (Keras skips the checks then)."""
        s = self._inputs_struct
        if isinstance(s, dict):
            if all(isinstance(v, KerasTensor) for v in s.values()):
                return sorted(s)
            return None
        return [_input_layer(t).name for t in self._flat_inputs]

    def _check_inputs(self, inputs: Structure) -> None:
        """Keras's input-spec check: the number of inputs and their shapes
        (batch size free, a trailing 1 may be squeezed)."""
        manual = self.__dict__.get("input_spec")
        if manual is not None and not isinstance(manual, dict):
            return self._check_manual_spec(tree.flatten(manual), tree.flatten(inputs))
        names = self._input_names()
        if names is None:
            return
        if isinstance(inputs, dict):
            listed = []
            for n in names:
                if n not in inputs:
                    raise ValueError(
                        f'Missing data for input "{n}". You passed a data dictionary with keys '
                        f"{list(inputs.keys())}. Expected the following keys: {names}"
                    )
                listed.append(inputs[n])
            inputs = listed
        flat = tree.flatten(inputs)
        if len(flat) != len(names):
            raise ValueError(
                f'Layer "{self.name}" expects {len(names)} named input(s) with keys {names}, '
                f"but it received {len(flat)} input tensors. Pass inputs as a dict, e.g. "
                "`layer({" + ", ".join(f"'{n}': ..." for n in names) + "})`."
            )
        refs = self._flat_inputs
        if isinstance(self._inputs_struct, dict):
            refs = [self._inputs_struct[n] for n in names]
        for i, (x, ref, n) in enumerate(zip(flat, refs, names)):
            if x is None:
                continue
            if not hasattr(x, "shape"):
                x = np.asarray(x)
            shape = tuple(None if d is None else int(d) for d in x.shape)
            expected = (None,) + tuple(ref.shape[1:]) if ref.shape else ()
            spec, got = expected, shape
            if got and got[-1] == 1:
                got = got[:-1]
            if spec and spec[-1] == 1:
                spec = spec[:-1]
            for a, b in zip(spec, got):
                if a is not None and b is not None and a != b:
                    raise ValueError(
                        f"Input {i} with name '{n}' of layer '{self.name}' is incompatible "
                        f"with the layer: expected shape={expected}, found shape={shape}"
                    )

    def _check_manual_spec(self, specs: list[Any], flat: list[Any]) -> None:
        """The shape check of a user-set ``input_spec`` (objects with
        Keras's ``InputSpec`` attributes)."""
        for i, (x, spec) in enumerate(zip(flat, specs)):
            expected = getattr(spec, "shape", None)
            if x is None or expected is None:
                continue
            shape = tuple(np.shape(x)) if not isinstance(x, KerasTensor) else x.shape
            spec_shape, got = tuple(expected), shape
            if getattr(spec, "allow_last_axis_squeeze", False):
                got = got[:-1] if got and got[-1] == 1 else got
                spec_shape = spec_shape[:-1] if spec_shape and spec_shape[-1] == 1 else spec_shape
            for a, b in zip(spec_shape, got):
                if a is not None and b is not None and a != b:
                    raise ValueError(
                        f"Input {i} with name '{getattr(spec, 'name', None)}' of layer "
                        f"'{self.name}' is incompatible with the layer: expected "
                        f"shape={expected}, found shape={shape}"
                    )

    def _standardize_inputs(self, inputs: Structure) -> list[Any]:
        """Keras's ``Functional._standardize_inputs``: match the structure,
        convert to arrays of each input's dtype, adjust the rank."""
        struct = self._inputs_struct
        mismatch_is_error = False
        if isinstance(struct, list) and len(struct) == 1 and not isinstance(inputs, (list, tuple, dict)):
            inputs = [inputs]
        elif isinstance(inputs, dict) and not isinstance(struct, dict):
            if isinstance(struct, (list, tuple)) and all(isinstance(t, KerasTensor) for t in struct):
                wanted = [t.name for t in struct]
                if set(wanted) <= set(inputs):
                    inputs = [inputs[k] for k in wanted]
                else:
                    mismatch_is_error = True
            elif isinstance(struct, KerasTensor):
                if struct.name in inputs:
                    inputs = [inputs[struct.name]]
                else:
                    mismatch_is_error = True
            else:
                mismatch_is_error = True
        if isinstance(struct, dict) and not isinstance(inputs, dict) and list(struct) != sorted(struct):
            mismatch_is_error = True
        if not tree.same_structure(inputs, struct):
            expected = tree.map_structure(lambda t: t.name, struct)
            received = tree.map_structure(
                lambda x: "None" if x is None else f"Tensor(shape={np.shape(x)})", inputs
            )
            msg = (
                "The structure of `inputs` doesn't match the expected structure.\n"
                f"Expected: {expected}\nReceived: inputs={received}"
            )
            if mismatch_is_error:
                raise ValueError(msg)
            warnings.warn(msg, stacklevel=3)
        out: list[Any] = []
        flat_paths = tree.flatten_with_path(struct)
        for i, (x, ref) in enumerate(zip(tree.flatten(inputs), self._flat_inputs)):
            if x is None:
                if not getattr(_input_layer(ref), "optional", False):
                    raise ValueError(
                        f"The input '{ref.name}' is not optional, but None was passed. "
                        "Please provide a valid tensor."
                    )
                out.append(None)
                continue
            if not isinstance(x, KerasTensor):
                x = np.asarray(x, dtype=ref.dtype)
            rank, ref_rank = len(x.shape), len(ref.shape)
            if rank == ref_rank + 1 and x.shape[-1] == 1 and not isinstance(x, KerasTensor):
                x = np.squeeze(x, axis=-1)
            elif rank == ref_rank - 1 and ref.shape[-1] == 1 and not isinstance(x, KerasTensor):
                x = np.expand_dims(x, axis=-1)
            elif rank != ref_rank:
                shown = str(x) if len(str(x)) <= 200 else str(x)[:199] + "…"  # no 1 MB messages
                raise ValueError(
                    f"Invalid input shape for input {shown} with name '{ref.name}' and path "
                    f"'{_path(flat_paths[i][0])}'. Expected shape {ref.shape}, but input has "
                    f"incompatible shape {x.shape}"
                )
            out.append(x)
        return out

    # ------------------------------------------------------------ running
    def _run(
        self,
        flat_values: list[Any],
        call: Callable[[Layer, list[Any], dict[str, Any]], Any],
        shapes: bool = False,
    ) -> list[Any]:
        """Run the graph on one value per input; ``call(layer, args, kwargs)``
        computes a node, with the arguments of the symbolic call (their
        tensors replaced by values). Returns the output values, flat."""
        values = dict(zip(self._input_keys, flat_values))
        results: dict[int, Any] = {}  # id(node) -> the call's output (structure)
        flat_results: dict[int, list[Any]] = {}  # the same, flat, for calls with several outputs

        def known(t):
            return id(t) in values or id(t._node) in results

        def value(t):
            if id(t) in values:
                return values[id(t)]
            key = id(t._node)
            if t._index is None:
                return results[key]
            if key not in flat_results:
                flat_results[key] = (
                    tree.flatten_shapes(results[key]) if shapes else tree.flatten(results[key])
                )
            return flat_results[key][t._index]

        for node in self._nodes:
            if not all(known(t) for t in node.inputs):
                continue  # not computable from what was passed (Keras skips it too)
            if node.arguments is None:
                args, kwargs = [value(t) for t in node.inputs], {}
            else:
                args, kwargs = _fill(node.arguments, value)
            results[id(node)] = call(node.layer, args, kwargs)
        for (path, _), t in zip(tree.flatten_with_path(self._outputs_struct), self._flat_outputs):
            if not known(t):
                raise ValueError(f"Output with path `{_path(path)}` is not connected to `inputs`")
        return [value(t) for t in self._flat_outputs]

    def call(
        self, inputs: Structure, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Structure:
        flat = self._standardize_inputs(inputs)
        context = {} if training is None else {"training": training}

        def run_layer(layer, args, kwargs):
            return layer(*args, **{**kwargs, **context})

        outputs = self._run(flat, run_layer)
        return _unpack_singleton(tree.pack_sequence_as(self._outputs_struct, outputs))

    def compute_output_shape(self, input_shape: Structure) -> Structure:
        """Output shape(s) for input shape(s) in the structure of ``inputs``."""
        shapes = tree.flatten_shapes(input_shape)
        if [tuple(s) for s in shapes] == [t.shape for t in self._flat_inputs]:
            out = [t.shape for t in self._flat_outputs]
        else:
            out = self._run([tuple(s) for s in shapes], _output_shape_of, shapes=True)
        return _unpack_singleton(tree.pack_sequence_as(self._outputs_struct, out))

    def _call_symbolic(self, inputs: Structure) -> Structure:
        self._check_inputs(inputs)
        with warnings.catch_warnings():  # Keras warns of a structure mismatch on eager calls only
            warnings.simplefilter("ignore")
            flat = self._standardize_inputs(inputs)
        shapes = self.compute_output_shape([x.shape for x in flat])
        flat_shapes = tree.flatten_shapes(shapes)
        flat_out_tensors = self._flat_outputs
        with atomic():
            node = Node(self, flat)
            outs = []
            for i, (shape, ref) in enumerate(zip(flat_shapes, flat_out_tensors)):
                outs.append(KerasTensor(shape, dtype=ref.dtype, node=node))
                if len(flat_out_tensors) > 1:
                    outs[-1]._index = i
        self._output_shape = _unpack_singleton(
            tree.pack_sequence_as(self._outputs_struct, [tuple(s) for s in flat_shapes])
        )
        return _unpack_singleton(tree.pack_sequence_as(self._outputs_struct, outs))

    def __call__(
        self, inputs: Structure, training: bool | None = None, mask: Any = None, **kwargs: Any
    ) -> Structure:
        if any(isinstance(x, KerasTensor) for x in tree.flatten(inputs)):
            return self._call_symbolic(inputs)
        self._check_inputs(inputs)
        return self.call(inputs, training=training, mask=mask, **kwargs)

    # ------------------------------------------------------ serialization
    def _call_indices(self) -> dict[int, int]:
        """``id(node) -> call index`` as Keras numbers them in a config's
        nodes: the calls of each layer within this graph in the order they
        were made, from 0. (``input_layers`` and
        ``output_layers`` count a Functional layer's calls from 1: Keras
        counts its own graph as its call 0 there, and only there.)

        The order a call was made in is read from its output tensor's auto
        name (``keras_tensor_<n>``: the session deals those in order), the
        graph's order breaking ties (a name given by hand, or dealt after a
        ``clear_session()``)."""
        made: dict[int, float] = {}
        for t in [*self._flat_outputs, *(t for n, _ in self._all_nodes for t in n.inputs)]:
            if t._node is not None:
                match = _AUTO_TENSOR_NAME.fullmatch(t.name)
                number = float(match.group(1) or 0) if match else math.inf
                made[id(t._node)] = min(made.get(id(t._node), math.inf), number)
        calls: dict[int, list[Node]] = {}
        for node, _ in self._all_nodes:
            calls.setdefault(id(node.layer), []).append(node)
        out: dict[int, int] = {}
        for nodes in calls.values():
            ranked = sorted(range(len(nodes)), key=lambda i: (made.get(id(nodes[i]), math.inf), i))
            for position, i in enumerate(ranked):
                out[id(nodes[i])] = position
        return out

    def _tensor_index(self, t: KerasTensor) -> int:
        """Which output of its call ``t`` is (0 for a model input)."""
        return 0 if id(t) in self._input_keys else (t._index or 0)

    def get_config(self) -> dict[str, Any]:
        """Keras's Functional config: ``name``, ``trainable``, ``layers`` (each
        serialized, with its ``name`` and ``inbound_nodes``), ``input_layers``
        and ``output_layers`` (``[layer name, node index, tensor index]`` in
        the structure of the model's inputs and outputs).

        A layer called several times has its calls numbered in the order
        they were made, as Keras does (see :meth:`_call_indices`)."""
        where = self._call_indices()

        def history(t: KerasTensor, top: bool = False) -> list[Any]:
            node = self._node_of(t)
            first = 1 if top and isinstance(node.layer, Functional) else 0
            return [node.layer.name, where[id(node)] + first, self._tensor_index(t)]

        def tensor(x: Any) -> Any:
            return (
                serialize_tensor(x, history(x)) if isinstance(x, KerasTensor) else serialize_keras_object(x)
            )

        layer_configs = []
        for layer in self._layers:
            calls: dict[int, dict[str, Any]] = {}
            for node, _ in self._all_nodes:
                if node.layer is not layer or not node.inputs or where[id(node)] in calls:
                    continue
                arguments = getattr(node, "arguments", None)
                args, kwargs = arguments if arguments is not None else (list(node.inputs), {})
                kwargs = _recorded_kwargs(layer, args, kwargs)
                calls[where[id(node)]] = {
                    "args": tree.map_structure(tensor, list(args)),
                    "kwargs": tree.map_structure(tensor, kwargs),
                }
            inbound = [calls[i] for i in sorted(calls)]
            entry = serialize_keras_object(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = inbound
            layer_configs.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layer_configs,
            "input_layers": tree.map_structure(lambda t: history(t, top=True), self._inputs_struct),
            "output_layers": tree.map_structure(lambda t: history(t, top=True), self._outputs_struct),
        }

    def get_build_config(self) -> dict[str, Any]:
        """As Keras writes it for a Functional model: built by construction."""
        return {"input_shape": None}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Functional:
        """The model of a Functional config (Keras's or r_bridge's): the layers
        are made, then called in the recorded order to rebuild the graph.
        All or nothing: on error no name is consumed and no model is made."""
        with atomic():
            return _functional_from_config(cls, dict(config))


def _recorded_kwargs(layer: Layer, args: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments Keras records in a node: the call's own, plus
    ``training`` when ``call`` takes it and its default is not ``None``, plus
    ``mask`` (``None`` for each tensor: r_bridge has no masks) when ``call``
    takes one and the call has a single tensor argument."""
    import inspect

    try:
        params = inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return dict(kwargs)
    out = dict(kwargs)
    training = params.get("training")
    if (
        "training" not in out
        and training is not None
        and training.default not in (None, inspect.Parameter.empty)
    ):
        out["training"] = training.default
    tensor_args = [
        a for a in args if tree.flatten(a) and all(isinstance(t, KerasTensor) for t in tree.flatten(a))
    ]
    if "mask" in params and out.get("mask") is None and len(tensor_args) == 1:
        out["mask"] = tree.map_structure(lambda t: None, tensor_args[0])
    return out


def _is_history(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and len(x) == 3 and isinstance(x[0], str)


def _functional_from_config(cls: type[Functional], config: dict[str, Any]) -> Functional:
    try:
        layer_configs = config.pop("layers")
        input_layers = config.pop("input_layers")
        output_layers = config.pop("output_layers")
    except KeyError as e:
        raise ValueError(
            f"A Functional model config needs the key {e}. Received keys: {sorted(config)}"
        ) from None
    created: dict[str, Layer] = {}
    outputs: dict[str, list[list[KerasTensor]]] = {}
    pending: dict[str, list[Any]] = {}
    for layer_data in layer_configs:
        layer = deserialize_keras_object(layer_data)
        name = layer_data.get("name", layer.name)
        created[name] = layer
        pending[name] = list(layer_data.get("inbound_nodes") or [])
        if isinstance(layer, InputLayer):
            outputs[name] = [[layer.output]]
        else:
            outputs[name] = []

    def get_tensor(history: Any) -> KerasTensor:
        lname, node_index, tensor_index = history
        if lname not in created:
            raise ValueError(f"Invalid Functional model configuration. Missing node: {shown(lname)}")
        calls = outputs[lname]
        if node_index >= len(calls):
            raise IndexError(node_index)  # not made yet: try again later
        return calls[node_index][tensor_index]

    def revive(x: Any) -> Any:
        if isinstance(x, dict) and x.get("class_name") == "__keras_tensor__":
            return get_tensor(x["config"]["keras_history"])
        if isinstance(x, dict) and "class_name" not in x:
            return {k: revive(v) for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [revive(v) for v in x]
        return deserialize_keras_object(x)

    while any(pending.values()):
        progress = False
        for name, nodes in pending.items():
            while nodes:
                data = nodes[0]
                try:
                    if isinstance(data, dict):
                        args, kwargs = revive(data.get("args", [])), revive(data.get("kwargs", {}))
                    else:  # legacy: a list of [layer, node, tensor(, kwargs)]
                        legacy = [get_tensor(d[:3]) for d in data]
                        args, kwargs = [legacy[0] if len(legacy) == 1 else legacy], {}
                except IndexError:
                    break
                result = created[name](*args, **kwargs)
                outputs[name].append(tree.flatten(result))
                nodes.pop(0)
                progress = True
        if not progress:
            stuck = {k: len(v) for k, v in pending.items() if v}
            raise ValueError(
                "Invalid Functional model configuration. The graph of the Functional model either "
                f"has loops or disconnected nodes. The following nodes failed to be resolved: {stuck}"
            )

    def tensors(x: Any) -> Any:
        if _is_history(x):
            lname, node_index, tensor_index = x
            if isinstance(created.get(lname), Functional):
                node_index -= 1  # Keras counts a Functional's own graph as call 0 here
            return get_tensor([lname, node_index, tensor_index])
        if isinstance(x, dict):
            return {k: tensors(v) for k, v in x.items()}
        if isinstance(x, tuple):
            return tuple(tensors(v) for v in x)
        return [tensors(v) for v in x]

    name = config.pop("name", None)
    trainable = config.pop("trainable", None)
    model = cls(inputs=tensors(input_layers), outputs=tensors(output_layers), name=name)
    if trainable is not None:
        model.trainable = bool(trainable)
    return model


def get_source_inputs(tensor: KerasTensor) -> list[KerasTensor]:
    """The ``Input()`` tensors that ``tensor`` was computed from."""
    if not isinstance(tensor, KerasTensor):
        raise ValueError(f"`tensor` must be a KerasTensor. Received: tensor={shown(tensor, conversion='r')}")
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
