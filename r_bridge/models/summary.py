"""The Keras-style ``summary()`` table."""

from __future__ import annotations

_WIDTHS = (33, 24, 15)


def _readable_size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def _cell(text, width, right=False):
    text = str(text)
    if len(text) > width - 2:
        text = text[: width - 3] + "…"
    return " " + (text.rjust(width - 2) if right else text.ljust(width - 2)) + " "


def _row(cells, sep="│"):
    return sep + sep.join(_cell(c, w, right=(i == 2)) for i, (c, w) in enumerate(zip(cells, _WIDTHS))) + sep


def _rule(left, mid, right, fill):
    return left + mid.join(fill * w for w in _WIDTHS) + right


def _shape(shape) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def summary_text(model) -> str:
    """Rows of ``name (Class) | output shape | params`` and the totals."""
    layers = list(getattr(model, "_summary_layers", model.layers))
    lines = [
        f'Model: "{model.name}"',
        _rule("┏", "┳", "┓", "━"),
        "┃" + "┃".join(_cell(c, w, right=(i == 2)) for i, (c, w) in enumerate(zip(("Layer (type)", "Output Shape", "Param #"), _WIDTHS))) + "┃",
        _rule("┡", "╇", "┩", "━"),
    ]
    total = trainable = 0
    nbytes = tbytes = 0
    for i, layer in enumerate(layers):
        if layer.built:
            n = sum(w.size for w in layer.weights)
            b = sum(w.nbytes for w in layer.weights)
            params = f"{n:,}"
            total += n
            nbytes += b
            if layer.trainable:
                trainable += n
                tbytes += b
        else:
            params = "0 (unbuilt)"
        if i:
            lines.append(_rule("├", "┼", "┤", "─"))
        lines.append(_row((f"{layer.name} ({type(layer).__name__})", _shape(layer._output_shape), params)))
    lines.append(_rule("└", "┴", "┘", "─"))
    lines.append(f" Total params: {total:,} ({_readable_size(nbytes)})")
    lines.append(f" Trainable params: {trainable:,} ({_readable_size(tbytes)})")
    lines.append(f" Non-trainable params: {total - trainable:,} ({_readable_size(nbytes - tbytes)})")
    return "\n".join(lines)
