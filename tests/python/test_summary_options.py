"""summary_text's options without Keras: layer_range picks the rows between
two layers (in the model's layer order), show_trainable adds a Y/N/- column,
expand_nested indents the layers of a nested model; bad ranges are refused
with Keras's messages (the table itself is compared with Keras's in
test_summary_keras.py, in the Keras venv)."""

from __future__ import annotations

import re

import pytest

import r_bridge
from r_bridge import layers


@pytest.fixture
def model():
    r_bridge.clear_session()
    x = r_bridge.Input(shape=(3,), name="in")
    a = layers.Dense(4, name="a")(x)
    b = layers.Dense(2, name="b")(a)
    c = layers.Dense(2, name="c")(a)
    inner = r_bridge.Sequential([layers.Dense(2, name="i1")], name="inner")
    return r_bridge.Model(x, [b, inner(c)], name="m")


def _row_names(text: str) -> list[str]:
    return re.findall(r"^│ ((?:   └ )?\w+)", text, flags=re.M)


def test_layer_range_selects_rows_in_layer_order(model):
    names = [layer.name for layer in model.layers]
    text = model.summary_text(layer_range=["a", "b"])
    assert _row_names(text) == names[names.index("a") : names.index("b") + 1]
    # the range may be given backwards: it spans both ends
    assert _row_names(model.summary_text(layer_range=["b", "a"])) == _row_names(text)
    # totals are the whole model's
    assert "Total params: 42 " in text


@pytest.mark.parametrize(
    "layer_range,match",
    [
        (["a"], "layer_range must be a list or tuple of length 2"),
        (["a", 1], "layer_range should contain string type only"),
        (["a", "nope"], "Passed layer_names do not match the layer names in the model"),
    ],
)
def test_bad_layer_range(model, layer_range, match):
    with pytest.raises(ValueError, match=match):
        model.summary_text(layer_range=layer_range)


def test_show_trainable_and_expand_nested(model):
    model.get_layer("b").trainable = False
    text = model.summary_text(show_trainable=True, expand_nested=True, line_length=120)
    header = text.splitlines()[2]
    assert "Trainable" in header
    rows = {
        m.group(1): m.group(2) for m in re.finditer(r"^│ (\w+) \(\w+\) .*│\s+([YN-])\s+│$", text, flags=re.M)
    }
    assert rows == {"in": "-", "a": "Y", "b": "N", "c": "Y", "inner": "Y"}
    assert "   └ i1 (Dense)" in text
    assert "└ i1" not in model.summary_text(line_length=120)
    assert "Non-trainable params: 10 " in text


def test_unbuilt_layers_in_a_sequential(model):
    seq = r_bridge.Sequential([layers.Dense(2, name="u")], name="s")
    text = seq.summary_text(line_length=100)
    assert re.search(r"│ u \(Dense\)\s+│ \?\s+│\s+0 \(unbuilt\) │", text)
