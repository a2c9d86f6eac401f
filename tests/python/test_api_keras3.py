"""r_bridge.api functions and arguments that keras3's R functions need
(Model.input/output, Input's full signature, Model kwargs, summary width)."""

import pytest

from r_bridge import api


def obj(rec):
    return api.table.get(rec["handle"], "object")


def test_make_input_takes_list_shapes_and_a_batch_shape():
    assert api.make_input(batch_shape=[4, 2])["shape"] == [4, 2]
    assert api.make_input(shape=[None, 3])["shape"] == [None, None, 3]


def test_model_input_and_output_are_keras_model_input_output():
    x = api.make_input(shape=[3])
    y = api.make_layer("dense", {"units": 2}, x["handle"])
    m = api.make_model(x["handle"], y["handle"])
    assert api.get(m["handle"], "input")["handle"] == x["handle"]
    assert api.get(m["handle"], "output")["handle"] == y["handle"]
    y2 = api.make_layer("dense", {"units": 1}, x["handle"])
    m2 = api.make_model(x["handle"], [y["handle"], y2["handle"]])
    outs = api.get(m2["handle"], "output")
    assert [o["handle"] for o in outs] == [y["handle"], y2["handle"]]


def test_unbuilt_sequential_input_raises_the_core_message():
    s = api.make_sequential()
    with pytest.raises(AttributeError, match="input"):
        api.get(s["handle"], "input")


def test_a_layer_output_is_its_first_call_output():
    x = api.make_input(shape=[3])
    d = api.make_layer("dense", {"units": 2})
    y = api.call(d["handle"], [x["handle"]])
    assert api.get(d["handle"], "output")["handle"] == y["handle"]


def test_make_model_passes_model_keyword_arguments():
    x = api.make_input(shape=[3])
    y = api.make_layer("dense", {"units": 2}, x["handle"])
    m = api.make_model(x["handle"], y["handle"], name="net", trainable=False)
    assert obj(m).name == "net"
    assert obj(m).trainable is False


def test_summary_takes_line_length():
    s = api.make_sequential(input={"shape": [4]})
    api.add(s["handle"], api.make_layer("dense", {"units": 2})["handle"])
    text = api.summary(s["handle"], line_length=50)
    assert "Total params: 10" in text
    assert max(len(line) for line in text.splitlines()) == 50


def test_make_layer_on_an_array_computes_eagerly_in_one_atomic_step():
    import numpy as np

    out = api.make_layer("activation", {"activation": "relu"}, np.array([[-1.0, 2.0]]))
    assert out.tolist() == [[0.0, 2.0]]
    uids = api.session_snapshot()["uids"]
    with pytest.raises(ValueError):
        api.make_layer("dense", {"units": 2}, np.array([1.0, 2.0]))  # 1-d: Keras's rank error
    assert api.session_snapshot()["uids"] == uids
