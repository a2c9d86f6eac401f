"""Keras's ``summary()`` table, as Keras 3.15 renders it (through rich) in a
console without colours: the same columns, widths, word wrapping and box.

Column widths: ``positions`` (right edges, as fractions of ``line_length``) give each column's width; rich then shrinks them evenly so the
table, borders and padding included, is ``line_length`` wide. A cell wraps
at spaces (so a long ``name (Class)`` keeps its class on the next line);
only a single word longer than its column is cut, ending in ``…``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, TypeGuard, cast

from r_bridge import config, tree
from r_bridge.models.progbar import print_msg

if TYPE_CHECKING:
    from r_bridge.layers.layer import Layer
    from r_bridge.models.functional import Functional
    from r_bridge.models.model import Model
    from r_bridge.tensor import Node

_WORD = re.compile(r"\s*\S+\s*")


def _readable_size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"


def _ratio_reduce(total: int, widths: list[int]) -> list[int]:
    """rich's even shrink of ``widths`` by ``total`` cells."""
    remaining, ratio, out = total, len(widths), []
    for w in widths:
        cut = min(w, round(remaining / ratio))
        out.append(w - cut)
        remaining -= cut
        ratio -= 1
    return out


def _wrap(text: str, width: int) -> list[str]:
    """rich's word wrap (``overflow="ellipsis"``) of one cell."""
    lines, line = [], ""
    for m in _WORD.finditer(text):
        word = m.group(0)
        if len(line) + len(word.rstrip()) <= width:
            line += word
        elif line:
            lines.append(line)
            line = word
        else:
            line = word
    lines.append(line)
    out = []
    for ln in lines:
        ln = ln.rstrip() if len(ln.rstrip()) <= width else ln
        if len(ln) > width:
            ln = ln.rstrip()
            if len(ln) > width:
                ln = ln[: width - 1] + "…"
        out.append(ln)
    return out


def _justify(text: str, width: int, how: str) -> str:
    if how == "right":
        return text.rstrip().rjust(width)
    if how == "center":
        text = text.strip()
        left = (width - len(text)) // 2
        return " " * left + text + " " * (width - len(text) - left)
    return text.ljust(width)


def _render_row(
    cells: Sequence[object], widths: list[int], aligns: list[str], bottom: bool = False, bar: str = "│"
) -> list[str]:
    wrapped = [_wrap(str(c), w) for c, w in zip(cells, widths)]
    height = max(len(c) for c in wrapped)
    rows = []
    for i in range(height):
        parts = []
        for lines, w, how in zip(wrapped, widths, aligns):
            k = i - (height - len(lines)) if bottom else i
            text = lines[k] if 0 <= k < len(lines) else ""
            parts.append(" " + _justify(text, w, how) + " ")
        rows.append(bar + bar.join(parts) + bar)
    return rows


def _rule(widths: list[int], left: str, mid: str, right: str, fill: str) -> str:
    return left + mid.join(fill * (w + 2) for w in widths) + right


def _shape_text(shape: Iterable[int | None]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _format_shape(layer: Layer) -> str:
    """The shape of the layer's last symbolic output; for a layer only built
    (by hand or by an eager call), its output shape for the shape it was
    built with (``_build_input_shape``), as Keras does; else ``?``."""
    shape = getattr(layer, "_output_shape", None)
    if shape is None:
        built_for = getattr(layer, "_build_input_shape", None)
        if built_for is None:
            return "?"
        try:
            shape = layer.compute_output_shape(built_for)
        except NotImplementedError:
            return "?"
    leaves = tree.flatten_shapes(shape)
    if len(leaves) == 1:
        return _shape_text(leaves[0])
    return str(tree.map_shape_structure(_shape_text, shape)).replace("'", "")


def _is_graph(model: Model) -> TypeGuard[Functional]:
    """Whether ``model`` is a Functional model (it has a graph of nodes).
    Asked of the object, not its class: models import this module."""
    return hasattr(model, "_summary_nodes")


def _is_sequential_like(model: Model) -> bool:
    if not _is_graph(model):
        return True
    by_depth: dict[int, list[Node]] = {}
    for node, depth in model._summary_nodes():
        by_depth.setdefault(depth, []).append(node)
    for nodes in by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].inputs) > 1):
            return False
    seen = set()
    for node, _ in model._summary_nodes():
        if id(node.layer) in seen:
            return False  # a shared layer
        seen.add(id(node.layer))
    return True


def _connections(model: Functional, layer: Layer) -> str:
    parts = []
    for node, _ in model._summary_nodes():
        if node.layer is not layer:
            continue
        for t in node.inputs:
            source = model._node_of(t)
            inbound = source.layer if source is not None else None
            index = model._tensor_index(t)
            parts.append(f"{inbound.name if inbound else t.name}[{model._node_index(source)}][{index}]")
    return ", ".join(parts) or "-"


def _add_rows(
    rows: list[list[str]], model: Model, layer: Layer, level: int, columns: tuple[bool, bool, bool]
) -> None:
    """The row of ``layer`` (and of its layers, indented, if expanded).
    Module-level recursion: a recursive closure would be a reference cycle
    holding the model."""
    connected, show_trainable, expand_nested = columns
    params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
    prefix = "   " * level + "└ " if level else ""
    row = [f"{prefix}{layer.name} ({type(layer).__name__})", _format_shape(layer), params]
    if connected:  # only for a model that is not sequential-like: a Functional
        row.append(_connections(cast("Functional", model), layer))
    if show_trainable:
        row.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    rows.append(row)
    if expand_nested:
        for inner in getattr(layer, "layers", None) or ():
            _add_rows(rows, model, inner, level + 1, columns)


def _layer_range(layers: list[Layer], layer_range: Sequence[str] | None) -> tuple[int, int]:
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError(
            "layer_range must be a list or tuple of length 2. Received: "
            f"layer_range = {layer_range} of length {len(layer_range)}"
        )
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not lower or not upper:
        raise ValueError(
            f"Passed layer_names do not match the layer names in the model. Received: {layer_range}"
        )
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def show_summary(text: str, print_fn: Callable[[str], object] | None = None) -> None:
    """Print a summary table (``print_fn(text)`` if given; while interactive
    logging is off, through logging as Keras does)."""
    if print_fn is not None:
        print_fn(text)
    elif config.is_interactive_logging_enabled():
        print(text)
    else:
        print_msg(text)


def summary_text(
    model: Model,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Sequence[str] | None = None,
) -> str:
    """Keras's summary of ``model`` as a string (see ``Model.summary``)."""
    sequential_like = _is_sequential_like(model)
    if sequential_like:
        default_length = 88
        positions = list(positions or [0.45, 0.80, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
        aligns = ["left", "left", "right"]
    else:
        default_length = 108
        positions = list(positions or [0.3, 0.56, 0.74, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        aligns = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        aligns.append("center")
    import shutil  # on use: `import r_bridge` stays lean

    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    if isinstance(line_length, bool) or not isinstance(line_length, int) or line_length < 1:
        raise ValueError(f"`line_length` must be a positive integer. Received: line_length={line_length}")
    if len(positions) < len(header):
        raise ValueError(
            f"`positions` must give {len(header)} column positions. Received: positions={positions}"
        )
    widths, current = [], 0
    for pos in positions[: len(header)]:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    # rich: each column's width plus 2 of padding, shrunk evenly to fit
    # line_length minus the borders.
    padded = [w + 2 for w in widths]
    excess = sum(padded) - (line_length - (len(widths) + 1))
    if excess > 0:
        padded = _ratio_reduce(excess, padded)
    widths = [max(p - 2, 1) for p in padded]

    layers = model._operations if _is_graph(model) else model.layers
    rows: list[list[str]] = []
    first, last = _layer_range(layers, layer_range)
    columns = (not sequential_like, show_trainable, expand_nested)
    for layer in layers[first:last]:
        _add_rows(rows, model, layer, 0, columns)

    trainable, frozen = model.trainable_weights, model.non_trainable_weights
    t_count, t_bytes = sum(w.size for w in trainable), sum(w.nbytes for w in trainable)
    n_count, n_bytes = sum(w.size for w in frozen), sum(w.nbytes for w in frozen)

    lines = [f'Model: "{model.name}"', _rule(widths, "┏", "┳", "┓", "━")]
    lines += _render_row(header, widths, aligns, bottom=True, bar="┃")
    lines.append(_rule(widths, "┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule(widths, "├", "┼", "┤", "─"))
        lines += _render_row(row, widths, aligns)
    lines.append(_rule(widths, "└", "┴", "┘", "─"))
    lines.append(f" Total params: {t_count + n_count:,} ({_readable_size(t_bytes + n_bytes)})")
    lines.append(f" Trainable params: {t_count:,} ({_readable_size(t_bytes)})")
    lines.append(f" Non-trainable params: {n_count:,} ({_readable_size(n_bytes)})")
    return "\n".join(lines)


def print_summary(
    model: Model,
    line_length: int | None = None,
    positions: Sequence[float] | None = None,
    print_fn: Callable[[str], object] | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
    layer_range: Sequence[str] | None = None,
) -> None:
    """Keras's ``summary_utils.print_summary``: :func:`summary_text` shown
    through :func:`show_summary` (``Model.summary`` calls the two itself)."""
    show_summary(
        summary_text(
            model,
            line_length=line_length,
            positions=positions,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        ),
        print_fn,
    )
