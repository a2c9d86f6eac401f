"""Pictures of models: Keras's ``model_to_dot`` and ``plot_model``.

The graph is Keras 3.15's, node for node and edge for edge (compare
``keras/src/utils/model_visualization.py``): one node per layer, labelled
with the same HTML table, an edge from the layer that makes each input
tensor to the layer that takes it. pydot is optional (``pip install
'rbridge[plot]'``) and imported only when a picture is asked for, so
``import r_bridge`` never loads it; rendering needs Graphviz's ``dot``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from r_bridge.layers.layer import Layer

if TYPE_CHECKING:
    from r_bridge.models.model import Model

_NOT_BUILT = (
    "This model has not yet been built. Build the model first by calling `build()` or by calling "
    "the model on a batch of data."
)


def _pydot() -> Any:
    """pydot (or one of its older forks, as Keras accepts), or ``None``."""
    for name in ("pydot", "pydot_ng", "pydotplus"):
        try:
            return __import__(name)
        except ImportError:
            continue
    return None


def check_pydot() -> bool:
    """Whether pydot is available."""
    return _pydot() is not None


def check_graphviz() -> bool:
    """Whether pydot and Graphviz (its ``dot`` program) are both available."""
    pydot = _pydot()
    if pydot is None:
        return False
    try:
        # Render an empty graph, as Keras does, to check the installation.
        pydot.Dot.create(pydot.Dot())
        return True
    except (OSError, pydot.PydotException):
        return False


def _add_edge(pydot: Any, dot: Any, src: Layer, dst: Layer) -> None:
    src_id, dst_id = str(id(src)), str(id(dst))
    if not dot.get_edge(src_id, dst_id):
        edge = pydot.Edge(src_id, dst_id)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def _activation_name(layer: Layer) -> str:
    activation = layer.activation  # type: ignore[attr-defined]
    if hasattr(activation, "name"):
        return str(activation.name)
    if hasattr(activation, "__name__"):
        return str(activation.__name__)
    return str(activation)


def _map_structure(fn: Any, x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _map_structure(fn, v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_map_structure(fn, v) for v in x)
    return fn(x)


def _tensor_attr(layer: Layer, which: str, attr: str) -> Any:
    """``attr`` of each tensor of the layer's first call's ``which`` (input or
    output), or ``None`` when the layer has not been called."""
    try:
        return _map_structure(lambda t: getattr(t, attr), getattr(layer, which))
    except (ValueError, AttributeError):
        return None


def _format_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    text = ", ".join(f"{k}: {v}" for k, v in shape.items()) if isinstance(shape, dict) else f"{shape}"
    return text.replace("}", "").replace("{", "")


def _cell(text: str) -> str:
    return f'<td bgcolor="white"><font point-size="14">{text}</font></td>'


def _layer_label(
    layer: Layer,
    show_layer_names: bool,
    show_layer_activations: bool,
    show_dtype: bool,
    show_shapes: bool,
    show_trainable: bool,
) -> str:
    """Keras's HTML-like label of ``layer``: its name and class, then a row of
    the columns asked for."""
    class_name = type(layer).__name__
    colspan = max(1, int(show_dtype) + int(show_trainable) + (2 if show_shapes else 0))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    table = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
    table += (
        f'<tr><td colspan="{colspan}" bgcolor="black">'
        f'<font point-size="16" color="white">{title}</font></td></tr>'
    )
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        table += (
            f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">'
            f"Activation: <b>{_activation_name(layer)}</b></font></td></tr>"
        )
    cols = []
    if show_shapes:
        # Each on its own: an input layer has an output but no input (Keras's
        # gives an empty input there, so its output shape still shows).
        input_shape = _tensor_attr(layer, "input", "shape")
        output_shape = _tensor_attr(layer, "output", "shape")
        if class_name != "InputLayer":
            cols.append(_cell(f"Input shape: <b>{_format_shape(input_shape)}</b>"))
        cols.append(_cell(f"Output shape: <b>{_format_shape(output_shape)}</b>"))
    if show_dtype:
        dtype = _tensor_attr(layer, "output", "dtype")
        cols.append(_cell(f"Output dtype: <b>{dtype or '?'}</b>"))
    if show_trainable and layer.weights:
        if layer.trainable:
            cols.append(
                '<td bgcolor="forestgreen"><font point-size="14" color="white"><b>Trainable</b></font></td>'
            )
        else:
            cols.append(
                '<td bgcolor="firebrick"><font point-size="14" color="white"><b>Non-trainable</b></font></td>'
            )
    if cols:
        table += f"<tr>{''.join(cols)}</tr>"
    return table + "</table>>"


def _make_node(pydot: Any, layer: Layer, flags: dict[str, bool]) -> Any:
    node = pydot.Node(str(id(layer)), label=_layer_label(layer, **flags))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    return node


def _producer(tensor: Any) -> tuple[Layer, int]:
    """The layer that makes ``tensor`` and which of its outputs it is."""
    return tensor._node.layer, tensor._index or 0


def _innermost_source(source: Layer, output_index: int) -> Layer:
    """The layer inside nested models that makes their output ``output_index``."""
    from r_bridge.models.functional import Functional
    from r_bridge.models.sequential import Sequential

    while isinstance(source, (Functional, Sequential)):
        source, output_index = _producer(source.outputs[output_index])
    return source


def _innermost_destination(destination: Layer, input_index: int) -> Layer:
    """The layer inside nested models that takes their input ``input_index``:
    a Functional's input layer, a Sequential's first layer."""
    from r_bridge.models.functional import Functional
    from r_bridge.models.sequential import Sequential

    while isinstance(destination, (Functional, Sequential)):
        if isinstance(destination, Functional):
            destination = _producer(destination.inputs[input_index])[0]
        else:
            destination = destination.layers[0]
    return destination


def model_to_dot(
    model: Model,
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = True,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    subgraph: bool = False,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs: Any,
) -> Any:
    """Convert a model to a ``pydot.Dot`` graph (Keras's ``keras.utils.model_to_dot``).

    Args:
        model: a built model (``Sequential``, ``Model(inputs, outputs)`` or a
            subclassed model, drawn as one node).
        show_shapes: whether to show each layer's input and output shapes.
        show_dtype: whether to show each layer's output dtype.
        show_layer_names: whether to show layer names (else class names only).
        rankdir: Graphviz's ``rankdir``: ``"TB"`` vertical, ``"LR"`` horizontal.
        expand_nested: whether to draw nested models as clusters of their layers.
        dpi: image resolution in dots per inch.
        subgraph: return a ``pydot.Cluster`` (used for nested models).
        show_layer_activations: show the activation of layers that have one.
        show_trainable: mark layers with weights as trainable or not.
        splines: how edges are drawn (``"ortho"``, ``"curved"``, ``"polyline"``,
            ``"spline"``, ``"line"``).

    Returns:
        A ``pydot.Dot`` (or ``pydot.Cluster`` with ``subgraph=True``).

    Raises:
        ValueError: the model is not built, or an unknown keyword argument.
        ImportError: pydot is not installed.
    """
    from r_bridge.models.functional import Functional
    from r_bridge.models.sequential import Sequential

    if not model.built:
        raise ValueError(_NOT_BUILT)
    pydot = _pydot()
    if pydot is None:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to work.")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    flags = {
        "show_layer_names": show_layer_names,
        "show_layer_activations": show_layer_activations,
        "show_dtype": show_dtype,
        "show_shapes": show_shapes,
        "show_trainable": show_trainable,
    }
    if isinstance(model, Sequential):
        layers = model.layers
    elif isinstance(model, Functional):
        layers = model._operations
    else:  # a subclassed model is one node
        dot.add_node(_make_node(pydot, model, flags))
        return dot

    for layer in layers:
        if expand_nested and isinstance(layer, (Functional, Sequential)):
            dot.add_subgraph(
                model_to_dot(
                    layer,
                    show_shapes,
                    show_dtype,
                    show_layer_names,
                    rankdir,
                    expand_nested,
                    subgraph=True,
                    show_layer_activations=show_layer_activations,
                    show_trainable=show_trainable,
                )
            )
        else:
            dot.add_node(_make_node(pydot, layer, flags))

    if isinstance(model, Sequential):
        # Consecutive layers (the input layer is not drawn); nested models
        # connect their innermost last and first layers.
        for a, b in zip(layers, layers[1:]):
            if expand_nested:
                a, b = _innermost_source(a, 0), _innermost_destination(b, 0)
            _add_edge(pydot, dot, a, b)
        return dot

    # Functional: an edge per input tensor of each call of a layer in this
    # graph, from the layer that made the tensor, in Keras's order (layers
    # as in model._operations, then their calls in the graph).
    calls: dict[int, list[Any]] = {}
    for node, _ in model._summary_nodes():
        if node.inputs:
            calls.setdefault(id(node.layer), []).append(node)
    for layer in layers:
        for node in calls.get(id(layer), ()):
            for input_index, tensor in enumerate(node.inputs):
                source, output_index = _producer_in(model, tensor)
                destination: Layer = layer
                if expand_nested:
                    source = _innermost_source(source, output_index)
                    destination = _innermost_destination(destination, input_index)
                _add_edge(pydot, dot, source, destination)
    return dot


def _producer_in(model: Any, tensor: Any) -> tuple[Layer, int]:
    """The layer of ``model``'s graph that makes ``tensor`` (a model input's
    own input layer when the tensor came from outside)."""
    return model._node_of(tensor).layer, model._tensor_index(tensor)


def plot_model(
    model: Model,
    to_file: str | os.PathLike[str] = "model.png",
    show_shapes: bool = False,
    show_dtype: bool = False,
    show_layer_names: bool = False,
    rankdir: str = "TB",
    expand_nested: bool = False,
    dpi: int = 200,
    show_layer_activations: bool = False,
    show_trainable: bool = False,
    splines: str = "ortho",
    **kwargs: Any,
) -> Any:
    """Draw a model's layer graph into an image file (Keras's ``keras.utils.plot_model``).

    >>> import r_bridge
    >>> from r_bridge import layers
    >>> from r_bridge.utils import plot_model
    >>> model = r_bridge.Sequential([r_bridge.Input((4,)), layers.Dense(2)])
    >>> plot_model(model, to_file="model.png", show_shapes=True)  # doctest: +SKIP

    Args:
        model: a built model.
        to_file: the image file; its extension (``.png``, ``.svg``, ``.pdf``,
            ...) says the format, ``png`` without one.
        show_shapes: whether to show each layer's input and output shapes.
        show_dtype: whether to show each layer's output dtype.
        show_layer_names: whether to show layer names (Keras's default here: no).
        rankdir: ``"TB"`` vertical, ``"LR"`` horizontal.
        expand_nested: whether to draw nested models as clusters of their layers.
        dpi: image resolution in dots per inch.
        show_layer_activations: show the activation of layers that have one.
        show_trainable: mark layers with weights as trainable or not.
        splines: how edges are drawn (see :func:`model_to_dot`).

    Returns:
        An ``IPython.display.Image`` of the file when IPython is installed
        (not for PDF), else ``None``.

    Raises:
        ValueError: the model is not built, or an unknown keyword argument.
        ImportError: pydot or Graphviz is missing (the message says how to
            install it).
    """
    if not model.built:
        raise ValueError(_NOT_BUILT)
    if not check_pydot():
        raise ImportError("You must install pydot (`pip install pydot`) for `plot_model` to work.")
    if not check_graphviz():
        raise ImportError(
            "You must install graphviz (see instructions at https://graphviz.gitlab.io/download/) "
            "for `plot_model` to work."
        )
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
        splines=splines,
    )
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
