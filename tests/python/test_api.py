"""r_bridge.api: the plain-value bridge R uses (records, handles, atomic naming)."""

import re

import numpy as np
import pytest

from r_bridge import api, config, naming
from r_bridge.layers import Dense
from r_bridge.models import Sequential

PLAIN = (str, int, float, bool, type(None), np.ndarray)


def assert_plain(value):
    """Only str/int/float/bool/None/list/dict (string keys)/ndarray, recursively."""
    if isinstance(value, list):
        for v in value:
            assert_plain(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            assert type(k) is str
            assert_plain(v)
    else:
        assert isinstance(value, PLAIN), f"not plain: {type(value)}"
        # no numpy scalars pretending to be plain
        assert type(value) in (str, int, float, bool, type(None), np.ndarray), type(value)


def dense(units=2, **kw):
    return api.make_layer("dense", {"units": units, **kw})


def test_api_version_is_semver():
    assert re.fullmatch(r"\d+\.\d+\.\d+", api.API_VERSION)
    assert api.api_version() == api.API_VERSION
    assert type(api.api_version()) is str


def test_make_layer_records():
    for kind, args, cls, name in [
        ("dense", {"units": 3}, "Dense", "dense"),
        ("dropout", {"rate": 0.5}, "Dropout", "dropout"),
        ("activation", {"activation": "relu"}, "Activation", "activation"),
        ("flatten", None, "Flatten", "flatten"),
        ("dense", {"units": 3, "name": "mine"}, "Dense", "mine"),
    ]:
        rec = api.make_layer(kind, args)
        assert_plain(rec)
        assert set(rec) == {"handle", "kind", "class", "name"}
        assert rec["kind"] == "layer" and rec["class"] == cls and rec["name"] == name
        assert type(rec["handle"]) is str and rec["handle"].startswith(api.table.token + ":")


def test_unknown_kind_error():
    # the kinds are every layer class r_bridge.layers exports, by snake-case name
    assert {"activation", "dense", "dropout", "flatten", "add", "concatenate"} <= set(api.LAYER_KINDS)
    assert "layer" not in api.LAYER_KINDS and "input_layer" not in api.LAYER_KINDS
    with pytest.raises(
        ValueError, match=r"Unknown layer kind: 'conv'\. Expected one of \['activation', 'add', "
    ):
        api.make_layer("conv", {})
    assert naming.uid_counts() == {}


def test_failing_make_layer_leaves_counters_unchanged():
    dense()
    before = naming.uid_counts()
    live = api.live_handles()
    with pytest.raises(ValueError, match="expected a positive integer"):
        api.make_layer("dense", {"units": 0})
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        api.make_layer("dense", {"units": 2, "nope": 1})
    with pytest.raises(ValueError, match="Invalid value received for argument `rate`"):
        api.make_layer("dropout", {"rate": 2})
    assert naming.uid_counts() == before
    assert api.live_handles() == live


def test_make_layer_with_model_target_adds():
    m = api.make_sequential()
    assert m["kind"] == "model" and m["class"] == "Sequential" and m["name"] == "sequential"
    rec = api.make_layer("dense", {"units": 3}, object=m["handle"])
    assert rec["handle"] == m["handle"]
    layers = api.get(m["handle"], "layers")
    assert [r["name"] for r in layers] == ["dense"]
    assert_plain(layers)


def test_make_layer_with_tensor_target_calls():
    x = api.make_input(shape=[4])
    assert x == {
        "handle": x["handle"],
        "kind": "tensor",
        "class": "KerasTensor",
        "name": "keras_tensor",
        "shape": [None, 4],
        "dtype": "float32",
    }
    y = api.make_layer("dense", {"units": 3}, object=x["handle"])
    assert y["kind"] == "tensor"
    assert y["shape"] == [None, 3]
    assert y["name"] == "keras_tensor_1"
    assert naming.uid_counts() == {"input_layer": 1, "keras_tensor": 2, "dense": 1}


def test_make_layer_with_layer_target_is_an_error():
    layer = dense()
    before = naming.uid_counts()
    with pytest.raises(
        TypeError, match="`object` must be a Sequential model, a symbolic tensor or an array, not a Dense"
    ):
        api.make_layer("dense", {"units": 2}, object=layer["handle"])
    assert naming.uid_counts() == before


def test_make_layer_failing_add_to_target_is_atomic():
    m = api.make_sequential()
    api.make_layer("dense", {"units": 3, "name": "a"}, object=m["handle"])
    before = naming.uid_counts()
    with pytest.raises(ValueError, match="unique names"):
        api.make_layer("dense", {"units": 3, "name": "a"}, object=m["handle"])
    assert naming.uid_counts() == before
    assert [r["name"] for r in api.get(m["handle"], "layers")] == ["a"]


def test_add_with_duplicate_name_is_atomic():
    x = api.make_input(shape=[4])
    m = api.make_sequential([x["handle"]])
    api.add(m["handle"], api.make_layer("dense", {"units": 2, "name": "d"})["handle"])
    before = naming.uid_counts()
    dup = api.make_layer("dense", {"units": 2, "name": "d"})
    with pytest.raises(ValueError, match="Name 'd' is already the name of a layer"):
        api.add(m["handle"], dup["handle"])
    assert naming.uid_counts() == before
    assert [r["name"] for r in api.get(m["handle"], "layers")] == ["d"]


def test_add_returns_model_record_and_checks_types():
    m = api.make_sequential(name="m")
    layer = dense()
    rec = api.add(m["handle"], layer["handle"])
    assert rec["handle"] == m["handle"] and rec["name"] == "m"
    with pytest.raises(TypeError, match="`object` must be a Sequential model, not a Dense"):
        api.add(layer["handle"], layer["handle"])


def test_make_model_and_duplicate_names_atomic():
    x = api.make_input(shape=[4], name="x")
    h = api.make_layer("dense", {"units": 3, "name": "a"}, object=x["handle"])
    out = api.make_layer("dense", {"units": 2, "name": "a"}, object=h["handle"])
    before = naming.uid_counts()
    with pytest.raises(ValueError, match='The name "a" is used 2 times in the model'):
        api.make_model(x["handle"], out["handle"])
    assert naming.uid_counts() == before
    good = api.make_layer("dense", {"units": 2}, object=h["handle"])
    m = api.make_model([x["handle"]], [good["handle"]], name="net")
    assert m == {"handle": m["handle"], "kind": "model", "class": "Functional", "name": "net"}
    assert [r["name"] for r in api.get(m["handle"], "layers")] == ["x", "a", "dense"]
    assert [r["name"] for r in api.get(m["handle"], "inputs")] == ["x"]
    assert api.get(m["handle"], "outputs")[0]["shape"] == [None, 2]
    assert api.make_model(x["handle"], good["handle"])["name"] == "functional"


def test_make_sequential_atomic_on_error():
    a = api.make_layer("dense", {"units": 2, "name": "same"})
    b = api.make_layer("dense", {"units": 2, "name": "same"})
    with pytest.raises(ValueError, match="unique names"):
        api.make_sequential([a["handle"], b["handle"]])
    assert naming.uid_counts() == {}


def test_refcounted_handles():
    x = api.make_input(shape=[3])
    layer = api.make_layer("dense", {"units": 2})
    live = api.live_handles()
    # the same object returned twice: same handle, two references
    r1 = api.get_source_inputs(x["handle"])[0]
    assert r1["handle"] == x["handle"]
    assert api.live_handles() == live
    assert api.release(x["handle"]) == live  # one reference left
    assert api.get(x["handle"], "name") == "keras_tensor"
    assert api.release([x["handle"]]) == live - 1
    with pytest.raises(LookupError, match="`object` has been released"):
        api.get(x["handle"], "name")
    assert api.get(layer["handle"], "name") == "dense"


def test_release_unknown_handle_ignored():
    live = api.live_handles()
    assert api.release("000000000000:1") == live
    assert api.release([f"{api.table.token}:{10**9}", 10**9, None]) == live
    assert api.release([]) == live
    assert api.release(None) == live


def test_live_count_in_session_snapshot():
    base = api.session_snapshot()["handles"]
    layer = dense()
    assert api.session_snapshot()["handles"] == base + 1
    api.release(layer["handle"])
    assert api.session_snapshot()["handles"] == base


def test_bad_handle_errors():
    with pytest.raises(LookupError, match="`object` is not an rbridge object"):
        api.get("x", "name")
    with pytest.raises(LookupError, match="`object` is not an rbridge object"):
        api.get(True, "name")
    with pytest.raises(LookupError, match="`object` is not from this session"):
        api.count_params("0123456789ab:1")
    with pytest.raises(LookupError, match="`object` has been released"):
        api.count_params(f"{api.table.token}:{10**9}")
    m = api.make_sequential()
    with pytest.raises(LookupError, match="`layer` is not from this session"):
        api.add(m["handle"], "0123456789ab:1")
    x = api.make_input(shape=[2])
    with pytest.raises(TypeError, match="`object` must be a layer or a model, not a KerasTensor"):
        api.count_params(x["handle"])


def test_get_attributes_plain():
    layer = api.make_layer("dense", {"units": 3, "activation": "relu", "use_bias": False})
    h = layer["handle"]
    values = {
        attr: api.get(h, attr)
        for attr in ("name", "class", "built", "trainable", "units", "activation", "use_bias", "dtype")
    }
    assert values == {
        "name": "dense",
        "class": "Dense",
        "built": False,
        "trainable": True,
        "units": 3,
        "activation": "relu",
        "use_bias": False,
        "dtype": "float32",
    }
    assert_plain(values)
    assert api.get(api.make_layer("dropout", {"rate": 0.25})["handle"], "rate") == 0.25
    x = api.make_input(shape=[2, 5])
    assert api.get(x["handle"], "shape") == [None, 2, 5]
    with pytest.raises(AttributeError, match="Dense has no attribute `layers`"):
        api.get(h, "layers")
    with pytest.raises(AttributeError, match="Dense has no attribute `_weights`"):
        api.get(h, "_weights")
    with pytest.raises(AttributeError, match="is a method, not a field"):
        api.get(h, "count_params")


def test_call_with_array_and_tensor():
    layer = dense(3)
    out = api.call(layer["handle"], [np.ones((2, 4))])
    assert type(out) is np.ndarray and out.shape == (2, 3)
    x = api.make_input(shape=[4])
    rec = api.call(layer["handle"], [x["handle"]])
    assert rec["kind"] == "tensor" and rec["shape"] == [None, 3]
    assert_plain(rec)


def test_failing_call_is_atomic():
    x = api.make_input(shape=[4])
    layer = api.make_layer("dense", {"units": 2})
    api.call(layer["handle"], [x["handle"]])
    y = api.make_input(shape=[None])
    before = naming.uid_counts()
    live = api.live_handles()
    with pytest.raises(ValueError, match="last dimension of the inputs to a Dense layer should be defined"):
        api.call(api.make_layer("dense", {"units": 2})["handle"], [y["handle"]])
    assert naming.uid_counts() == {**before, "dense": before["dense"] + 1}  # only the new layer
    assert api.live_handles() == live + 1
    with pytest.raises(ValueError, match="must be a KerasTensor|All `outputs`"):
        api.make_model(x["handle"], layer["handle"])
    assert naming.uid_counts() == {**before, "dense": before["dense"] + 1}


def test_weights_predict_count_params_summary():
    x = api.make_input(shape=[4])
    m = api.make_sequential([x["handle"]])
    api.make_layer("dense", {"units": 3}, object=m["handle"])
    api.make_layer("dense", {"units": 1, "activation": "sigmoid"}, object=m["handle"])
    h = m["handle"]
    assert api.count_params(h) == 19
    assert type(api.count_params(h)) is int
    weights = api.get_weights(h)
    assert_plain(weights)
    assert [w.shape for w in weights] == [(4, 3), (3,), (3, 1), (1,)]
    new = [np.full(w.shape, 0.1) for w in weights]
    assert api.set_weights(h, new) is None
    for a, b in zip(api.get_weights(h), new):
        np.testing.assert_allclose(a, b)
    data = np.arange(8.0).reshape(2, 4)
    y = api.predict(h, data)
    assert type(y) is np.ndarray and y.shape == (2, 1)
    hidden = data @ new[0] + new[1]
    np.testing.assert_allclose(y, 1 / (1 + np.exp(-(hidden @ new[2] + new[3]))), rtol=1e-5)
    text = api.summary(h)
    assert type(text) is str and 'Model: "sequential"' in text and "Total params: 19" in text
    with pytest.raises(ValueError, match="weight list of length 1"):
        api.set_weights(h, new[:1])
    with pytest.raises(ValueError, match="but the layer isn't built"):
        api.count_params(dense()["handle"])


def test_get_source_inputs_records():
    a = api.make_input(shape=[2])
    y = api.make_layer("dense", {"units": 1}, object=a["handle"])
    recs = api.get_source_inputs(y["handle"])
    assert [r["handle"] for r in recs] == [a["handle"]]
    assert_plain(recs)


def test_session_functions_plain():
    assert api.get_uid("p") == 1 and type(api.get_uid("p")) is int
    assert api.reset_uids() is None
    assert naming.uid_counts() == {}
    assert api.set_random_seed(1) is None
    snap = api.session_snapshot()
    assert_plain(snap)
    assert snap["api_version"] == api.API_VERSION
    assert set(snap) >= {"uids", "handles", "thread", "config", "name_scope", "api_version"}


def test_config_get_set_round_trip():
    assert api.config_get("floatx") == "float32"
    assert api.config_set("floatx", "float64") == "float32"
    assert api.config_get("floatx") == "float64"
    assert api.config_set("floatx", "float32") == "float64"
    assert api.config_set("epsilon", 1e-4) == 1e-7
    assert api.config_get("epsilon") == 1e-4
    assert api.config_set("image_data_format", "channels_first") == "channels_last"
    assert api.config_set("interactive_logging", False) is True
    assert api.config_get("backend") == "numpy"
    with pytest.raises(ValueError, match="read-only"):
        api.config_set("backend", "torch")
    with pytest.raises(ValueError, match="Unknown `floatx` value"):
        api.config_set("floatx", "float8")
    assert config.floatx() == "float32"


def test_clear_session_keeps_handles():
    layer = dense()
    assert api.clear_session(free_memory=False) is None
    assert naming.uid_counts() == {}
    assert api.get(layer["handle"], "name") == "dense"  # handles survive clear_session
    with pytest.raises(TypeError, match="`free_memory` must be a bool"):
        api.clear_session(free_memory="yes")


def test_session_save_restore_round_trip():
    dense()
    dense()
    api.get_uid("x")
    api.config_set("traceback_filtering", False)
    saved = api.session_save()
    assert_plain(saved)
    api.clear_session(free_memory=False)
    assert dense()["name"] == "dense"
    assert api.session_restore(saved) is None
    assert naming.uid_counts() == {"dense": 2, "x": 1}
    assert api.config_get("traceback_filtering") is False
    assert dense()["name"] == "dense_2"


def test_every_public_function_is_covered():
    documented = {
        "api_version",
        "clear_session",
        "get_uid",
        "reset_uids",
        "config_get",
        "config_set",
        "set_random_seed",
        "make_layer",
        "make_input",
        "make_sequential",
        "make_model",
        "add",
        "pop",
        "call",
        "get",
        "count_params",
        "get_weights",
        "set_weights",
        "predict",
        "summary",
        "get_source_inputs",
        "release",
        "session_snapshot",
        "session_save",
        "session_restore",
        "live_handles",
        "set",
        "get_layer",
    }
    assert set(api.FUNCTIONS) >= documented
    for name in api.FUNCTIONS:
        assert callable(getattr(api, name)) and getattr(api, name).__doc__, name


def test_api_keeps_one_python_object_per_handle():
    m = api.make_sequential()
    obj = api.table.get(m["handle"])
    assert isinstance(obj, Sequential)
    layer = Dense(2)
    r1, r2 = api.record(layer), api.record(layer)
    assert r1["handle"] == r2["handle"] and api.table._refs[r1["handle"]] == 2


def test_pop_returns_the_removed_layer():
    m = api.make_sequential(name="m")
    d = api.make_layer("dense", {"units": 2}, object=m["handle"])
    first = api.make_layer("dense", {"units": 3})
    api.add(m["handle"], first["handle"])
    popped = api.pop(m["handle"])
    assert popped["handle"] == first["handle"] and popped["name"] == "dense_1"
    assert [r["name"] for r in api.get(m["handle"], "layers")] == ["dense"]
    api.pop(m["handle"])
    with pytest.raises(ValueError, match="no layers"):
        api.pop(m["handle"])
    with pytest.raises(TypeError, match="must be a Sequential"):
        api.pop(first["handle"])
    assert d["kind"] == "model"


def test_layer_arguments_may_reference_held_objects():
    inner = api.make_layer("dense", {"units": 3, "kernel_initializer": "ones", "use_bias": False})
    ref = {api.OBJECT: inner["handle"]}
    out = api.make_layer(
        "dense",
        {"units": 2, "activation": ref, "kernel_initializer": "ones", "use_bias": False},
        object=np.ones((2, 4)),
    )
    np.testing.assert_allclose(out, np.full((2, 3), 8.0))  # Dense(2), then Dense(3) as its activation
    layer = api.table.get(api.make_layer("dense", {"units": 2, "activation": ref})["handle"])
    assert layer.activation is api.table.get(inner["handle"])
    with pytest.raises(Exception, match="`activation` is not an rbridge object"):
        api.make_layer("dense", {"units": 2, "activation": {api.OBJECT: "no-such-handle"}})


def test_get_weights_hands_the_host_the_layer_arrays():
    m = api.make_sequential(input={"shape": [3]})
    api.make_layer("dense", {"units": 2}, object=m["handle"])
    layer = api.table.get(m["handle"]).layers[0]
    assert all(a is b for a, b in zip(api.get_weights(m["handle"]), layer.weights))
