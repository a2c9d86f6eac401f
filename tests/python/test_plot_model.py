"""r_bridge.utils.plot_model / model_to_dot: files, formats, errors, and
that pydot stays optional (the graph itself is compared with Keras's in
test_plot_model_keras.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import types

import numpy as np
import pytest

import r_bridge
from r_bridge import api, layers
from r_bridge.utils import model_to_dot, plot_model
from r_bridge.utils import model_visualization as mv

needs_pydot = pytest.mark.skipif(not mv.check_pydot(), reason="pydot not installed (pip install pydot)")
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None or not mv.check_pydot(),
    reason="Graphviz's dot or pydot missing (apt-get install graphviz; pip install pydot)",
)

PNG = b"\x89PNG\r\n\x1a\n"


def small_model():
    return r_bridge.Sequential([r_bridge.Input((4,)), layers.Dense(3, activation="relu"), layers.Dense(1)])


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_import_r_bridge_loads_no_pydot():
    code = "import sys, r_bridge, r_bridge.utils; print(sorted(m for m in sys.modules if 'pydot' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@needs_dot
def test_plot_model_writes_a_png_whose_size_follows_dpi(tmp_path):
    model = small_model()
    assert plot_model(model, to_file=tmp_path / "m.png") is None or True  # an IPython Image where installed
    w, h = png_size(tmp_path / "m.png")
    plot_model(model, to_file=str(tmp_path / "m2.png"), dpi=50)
    w2, h2 = png_size(tmp_path / "m2.png")
    assert h > w  # top to bottom
    assert abs(w / w2 - 4) < 0.5 and abs(h / h2 - 4) < 0.5
    plot_model(model, to_file=str(tmp_path / "lr.png"), rankdir="LR", dpi=50)
    w3, h3 = png_size(tmp_path / "lr.png")
    assert w3 > h3  # left to right


@needs_dot
def test_extension_says_the_format(tmp_path):
    model = small_model()
    plot_model(model, to_file=str(tmp_path / "m.svg"), show_shapes=True)
    svg = (tmp_path / "m.svg").read_text()
    assert "<svg" in svg and "Output shape" in svg and "(None, 3)" in svg
    plot_model(model, to_file=str(tmp_path / "m.pdf"))
    assert (tmp_path / "m.pdf").read_bytes()[:5] == b"%PDF-"
    plot_model(model, to_file=str(tmp_path / "noext"))
    assert (tmp_path / "noext").read_bytes()[:8] == PNG


@needs_dot
def test_returns_an_ipython_image_when_ipython_is_there(tmp_path, monkeypatch):
    images = []
    display = types.SimpleNamespace(Image=lambda filename: images.append(filename) or ("image", filename))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(display=display))
    monkeypatch.setitem(sys.modules, "IPython.display", display)
    out = plot_model(small_model(), to_file=str(tmp_path / "m.png"))
    assert out == ("image", str(tmp_path / "m.png")) and images == [str(tmp_path / "m.png")]
    assert plot_model(small_model(), to_file=str(tmp_path / "m.pdf")) is None  # no Image of a PDF
    monkeypatch.setitem(sys.modules, "IPython", None)
    assert plot_model(small_model(), to_file=str(tmp_path / "m3.png")) is None


@needs_pydot
def test_without_graphviz_the_error_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on it
    assert mv.check_pydot() and not mv.check_graphviz()
    with pytest.raises(
        ImportError, match=r"You must install graphviz \(see instructions at https://graphviz"
    ):
        plot_model(small_model(), to_file=str(tmp_path / "m.png"))
    assert not (tmp_path / "m.png").exists()


def test_without_pydot_the_errors_are_keras(monkeypatch, tmp_path):
    for name in ("pydot", "pydot_ng", "pydotplus"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails
    assert not mv.check_pydot() and not mv.check_graphviz()
    with pytest.raises(
        ImportError, match=r"^You must install pydot \(`pip install pydot`\) for `plot_model` to work\.$"
    ):
        plot_model(small_model(), to_file=str(tmp_path / "m.png"))
    with pytest.raises(
        ImportError, match=r"^You must install pydot \(`pip install pydot`\) for model_to_dot to work\.$"
    ):
        model_to_dot(small_model())


@needs_pydot
def test_an_unbuilt_model_is_refused():
    message = r"^This model has not yet been built\. Build the model first by calling `build\(\)`"
    with pytest.raises(ValueError, match=message):
        model_to_dot(r_bridge.Sequential([layers.Dense(2)]))
    with pytest.raises(ValueError, match=message):
        plot_model(r_bridge.Sequential())


@needs_dot
@pytest.mark.parametrize("fn", [model_to_dot, plot_model])
def test_unknown_arguments_are_refused(fn, tmp_path):
    kw = {"to_file": str(tmp_path / "m.png")} if fn is plot_model else {}
    with pytest.raises(ValueError, match=r"^Argument `layer_range` is no longer supported\.$"):
        fn(small_model(), layer_range=["a", "b"], **kw)
    with pytest.raises(ValueError, match=r"^Unrecognized keyword arguments: \{'colour': 'red'\}$"):
        fn(small_model(), colour="red", **kw)
    assert not (tmp_path / "m.png").exists()


class TwoStep(r_bridge.Model):
    def __init__(self):
        super().__init__(name="two_step")
        self.first = layers.Dense(3)
        self.second = layers.Dense(1)

    def call(self, x):
        return self.second(self.first(x))


@needs_pydot
def test_a_subclassed_model_is_one_node():
    model = TwoStep()
    model(np.ones((2, 4)))
    dot = model_to_dot(model, show_shapes=True)
    (node,) = dot.get_nodes()[1:]  # after the node defaults
    assert node.get_name() == str(id(model))
    assert "<b>two_step</b> (TwoStep)" in node.get("label")
    assert "Output shape: <b>?</b>" in node.get("label")  # never called on symbolic tensors
    assert dot.get_edges() == []


@needs_pydot
def test_activation_names_as_keras_reads_them():
    class Named:
        name = "named_fn"

        def __call__(self, x):
            return x

    class Anonymous:
        def __call__(self, x):
            return x

        def __str__(self):
            return "anonymous"

    d = layers.Dense(2)
    d.activation = Named()
    assert mv._activation_name(d) == "named_fn"
    d.activation = Anonymous()
    assert mv._activation_name(d) == "anonymous"
    d.activation = np.tanh
    assert mv._activation_name(d) == "tanh"


@needs_pydot
def test_shapes_of_a_layer_never_called_show_a_question_mark():
    label = mv._layer_label(
        layers.Dense(2),
        show_layer_names=False,
        show_layer_activations=False,
        show_dtype=True,
        show_shapes=True,
        show_trainable=True,
    )
    assert "<b>Dense</b>" in label
    assert label.count("<b>?</b>") == 3  # input and output shape, dtype
    assert "Trainable" not in label  # no weights yet


def test_dict_shapes_are_written_as_keras_writes_them():
    assert mv._format_shape({"a": (None, 2), "b": (None, 3)}) == "a: (None, 2), b: (None, 3)"
    assert mv._format_shape(None) == "?"
    assert mv._format_shape([(None, 2), (None, 3)]) == "[(None, 2), (None, 3)]"


@needs_dot
def test_api_plot_model_writes_the_file_and_refuses_a_layer(tmp_path):
    m = api.make_sequential(input={"shape": [4]})
    api.make_layer("dense", {"units": 2}, object=m["handle"])
    assert api.plot_model(m["handle"], to_file=str(tmp_path / "m.png"), show_shapes=True) is None
    assert png_size(tmp_path / "m.png")[0] > 0
    d = api.make_layer("dense", {"units": 2})
    with pytest.raises(TypeError, match=r"^`object` must be a model, not a Dense\.$"):
        api.plot_model(d["handle"], to_file=str(tmp_path / "d.png"))
    assert "plot_model" in api.FUNCTIONS


@needs_pydot
def test_graph_structure_of_the_golden_models():
    """What the Keras comparison (test_plot_model_keras.py) checks edge for
    edge, stated here for the suite that runs without Keras."""
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
    import plot_models

    g = plot_models.graphs(plot_models.r_bridge_namespace())

    def edges(case):
        return [tuple(e[:2]) for e in g[case]["edges"]]

    assert edges("seq/default") == [("hidden", "drop"), ("drop", "act"), ("act", "out")]
    assert edges("branched/default") == [
        ("b", "proj"),
        ("a", "shared"),
        ("proj", "shared"),
        ("shared", "head1"),
        ("shared", "head2"),
    ]
    assert edges("nested/default") == [
        ("outer_in", "flat"),
        ("flat", "inner_seq"),
        ("inner_seq", "inner_fun"),
        ("inner_fun", "last"),
    ]
    assert edges("nested/nested") == [
        ("outer_in", "flat"),
        ("flat", "s1"),
        ("s2", "f_in"),
        ("f1", "last"),
        ("s1", "s2"),
        ("f_in", "f1"),
    ]
    clusters = {n[1]: n[0] for n in g["nested/nested"]["nodes"]}
    assert clusters["s1"] == "/cluster_inner_seq" and clusters["f1"] == "/cluster_inner_fun"
    labels = {n[1]: n[2] for n in g["branched/everything"]["nodes"]}
    assert "Activation: <b>relu</b>" in labels["shared"]
    assert "Input shape: <b>(None, 4)</b>" in labels["shared"]  # its first call's
    assert "Input shape" not in labels["a"] and "Output shape: <b>(None, 4)</b>" in labels["a"]
    assert "Non-trainable" in "".join(n[2] for n in g["frozen/everything"]["nodes"])
    assert g["seq/names_off_lr"]["attributes"]["rankdir"] == "LR"
    inner = {n[1]: n[2] for n in g["dict_nested/everything"]["nodes"]}["dict_inner"]
    assert "Input shape: <b>x: (None, 4), y: (None, 2)</b>" in inner  # dict inputs
    assert "Output shape: <b>[(None, 1), (None, 1)]</b>" in inner  # two outputs
    assert "Output dtype: <b>['float32', 'float32']</b>" in inner
    assert edges("dict_nested/nested") == [("o1", "x"), ("o2", "y"), ("x", "dx"), ("y", "dy")]


@needs_pydot
def test_expand_nested_sequential_inside_sequential():
    inner = r_bridge.Sequential(
        [r_bridge.Input((4,)), layers.Dense(3, name="i1"), layers.Dense(2, name="i2")]
    )
    outer = r_bridge.Sequential([r_bridge.Input((4,)), inner, layers.Dense(1, name="o1")])
    dot = model_to_dot(outer, expand_nested=True)
    names = {str(id(x)): x.name for x in (*outer.layers, *inner.layers)}
    top = [(names[e.get_source()], names[e.get_destination()]) for e in dot.get_edges()]
    sub = [
        (names[e.get_source()], names[e.get_destination()])
        for s in dot.get_subgraphs()
        for e in s.get_edges()
    ]
    assert top == [("i2", "o1")] and sub == [("i1", "i2")]
