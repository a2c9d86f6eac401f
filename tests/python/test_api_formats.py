"""r_bridge.api's format entry points (configs, JSON, .keras and .weights.h5
files, clone) and field access, as R calls them: plain values in and out,
and each bad input an error tagged with the R argument it names."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from r_bridge import api

needs_h5py = pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py not installed")


@pytest.fixture
def model():
    api.clear_session()
    inp = api.make_input(shape=[3])
    dense = api.make_layer("dense", {"units": 2, "name": "d"})
    out = api.call(dense["handle"], [inp["handle"]])
    return api.make_model(inp["handle"], out["handle"], name="m"), dense


def _config_of(handle):
    return api.get_config(handle)["config"]


def test_get_config_round_trips_through_from_config(model):
    m, _ = model
    cfg = api.get_config(m["handle"])
    assert set(cfg) == {"module", "class_name", "registered_name", "config"}
    assert json.loads(json.dumps(cfg)) == cfg  # JSON values only
    again = api.from_config(cfg["config"], cfg["class_name"], cfg["module"], cfg["registered_name"])
    assert again["kind"] == "model" and again["handle"] != m["handle"]
    assert _config_of(again["handle"]) == cfg["config"]


def test_from_config_accepts_rs_empty_list_for_a_dict():
    # R sends an empty named list as an empty list: under a dict key it is {}
    assert api._from_host([], "config") == {} and api._from_host([], "units") == []
    assert api._from_host({"config": [], "a": [1, {"dtype": []}]}) == {"config": {}, "a": [1, {"dtype": {}}]}


def test_from_config_errors_name_config():
    with pytest.raises(ValueError, match="`config` must be a dict") as e:
        api.from_config([1], "Dense")
    assert e.value.argument == "config"
    with pytest.raises(ValueError) as e:
        api.from_config({"units": 2}, "NoSuchLayer", "keras.layers")
    assert e.value.argument == "config"


def test_to_json_and_model_from_json(model):
    m, dense = model
    text = api.to_json(m["handle"])
    assert json.loads(text)["config"] == _config_of(m["handle"])
    back = api.model_from_json(text)
    assert api.to_json(back["handle"]) == text
    with pytest.raises(TypeError, match="`model` must be a model, not a Dense") as e:
        api.to_json(dense["handle"])
    assert e.value.argument == "model"
    with pytest.raises(ValueError, match="must hold a model's JSON config") as e:
        api.model_from_json(3)
    assert e.value.argument == "filepath"


def test_clone_model_same_config_fresh_weights(model):
    m, dense = model
    clone = api.clone_model(m["handle"])
    assert clone["handle"] != m["handle"]
    assert _config_of(clone["handle"]) == _config_of(m["handle"])
    old, new = api.get_weights(m["handle"])[0], api.get_weights(clone["handle"])[0]
    assert old.shape == new.shape and not np.array_equal(old, new)
    with pytest.raises(ValueError, match="Expected `model` argument to be a `Model` instance") as e:
        api.clone_model(dense["handle"])
    assert e.value.argument == "model"


def test_get_weights_trainable_selects(model):
    m, dense = model
    every = api.get_weights(m["handle"])
    assert len(every) == 2
    trainable = api.get_weights(m["handle"], trainable=True)
    assert all(np.array_equal(a, b) for a, b in zip(trainable, every))
    assert api.get_weights(m["handle"], trainable=False) == []
    api.set(dense["handle"], "trainable", False)
    assert api.get_weights(m["handle"], trainable=True) == []
    assert len(api.get_weights(m["handle"], trainable=False)) == 2


def test_get_layer_and_set(model):
    m, dense = model
    assert api.get_layer(m["handle"], name="d")["handle"] == dense["handle"]
    assert api.get_layer(m["handle"], index=1)["handle"] == dense["handle"]
    with pytest.raises(AttributeError, match="`units` of Dense can't be set"):
        api.set(dense["handle"], "units", 3)
    with pytest.raises(ValueError, match="`trainable` must be TRUE or FALSE. Received: 1"):
        api.set(dense["handle"], "trainable", 1)
    api.set(dense["handle"], "name", "renamed")
    assert api.get(dense["handle"], "name") == "renamed"
    assert api.get(dense["handle"], "trainable") is True


@needs_h5py
def test_save_and_load_keras_and_weights_files(model, tmp_path):
    m, _ = model
    path = str(tmp_path / "m.keras")
    api.save_model(m["handle"], path)
    loaded = api.load_model(path)
    assert _config_of(loaded["handle"]) == _config_of(m["handle"])
    for a, b in zip(api.get_weights(loaded["handle"]), api.get_weights(m["handle"])):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileExistsError):
        api.save_model(m["handle"], path, overwrite=False)
    wpath = str(tmp_path / "m.weights.h5")
    api.save_weights(m["handle"], wpath)
    fresh = api.clone_model(m["handle"])
    api.load_weights(fresh["handle"], wpath)
    for a, b in zip(api.get_weights(fresh["handle"]), api.get_weights(m["handle"])):
        np.testing.assert_array_equal(a, b)


@needs_h5py
@pytest.mark.parametrize(
    "call,match,argument",
    [
        (lambda m, d: api.save_model(m, str(d / "m.txt")), "Invalid filepath extension", "filepath"),
        (lambda m, d: api.load_model(str(d / "none.keras")), "File not found", "model"),
        (lambda m, d: api.save_weights(m, str(d / "m.h5")), "must end in `.weights.h5`", "filepath"),
        (lambda m, d: api.load_weights(m, str(d / "m.txt")), "File format not supported", "filepath"),
    ],
)
def test_file_errors_name_their_argument(model, tmp_path, call, match, argument):
    m, _ = model
    with pytest.raises(ValueError, match=match) as e:
        call(m["handle"], tmp_path)
    assert e.value.argument == argument
