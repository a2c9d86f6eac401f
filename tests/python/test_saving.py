"""Keras's formats in r_bridge alone: .keras files, weights files, JSON,
clone_model, and the errors for what the formats cannot hold.

Files exchanged with the real Keras are tested in tests/interop/test_files_keras.py
and configs against Keras's own in test_config_golden_keras.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import r_bridge
from r_bridge import initializers, layers
from r_bridge.naming import uid_counts
from r_bridge.saving import (
    deserialize_keras_object,
    load_model,
    load_weights,
    save_model,
    save_weights,
    serialize_keras_object,
)

h5py = pytest.importorskip("h5py", reason="h5py (the 'keras' extra) is needed for weights")


def _mimo():
    a = r_bridge.Input((4,), name="a")
    b = r_bridge.Input((4,), name="b")
    shared = layers.Dense(3, activation="relu", name="shared")
    z = layers.Dense(2, name="out1")(shared(a))
    w = layers.Dropout(0.2)(shared(b))
    return r_bridge.Model([a, b], [z, w], name="mimo")


def _sequential():
    return r_bridge.Sequential(
        [r_bridge.Input((4,)), layers.Dense(3, activation="tanh"), layers.Flatten(), layers.Dense(2)],
        name="seq",
    )


def _inputs(n=2, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.random((5, 4), dtype=np.float32) for _ in range(n)]


def test_keras_file_layout(tmp_path):
    model = _sequential()
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert json.loads(zf.read("config.json")) == json.loads(json.dumps(serialize_keras_object(model)))
        meta = json.loads(zf.read("metadata.json"))
        assert set(meta) >= {"keras_version", "date_saved"}
        zf.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as f:
        kernel = f["layers/dense/vars/0"][()]
        assert np.array_equal(kernel, model.layers[0].get_weights()[0])
        assert np.array_equal(f["layers/dense_1/vars/1"][()], model.layers[2].get_weights()[1])
        assert len(f["layers/flatten/vars"]) == 0
        assert f["layers/dense/vars"].attrs["name"] == model.layers[0].name


@pytest.mark.parametrize("build", [_sequential, _mimo])
def test_save_load_round_trip(tmp_path, build):
    model = build()
    x = _inputs(1 if isinstance(model, r_bridge.Sequential) else 2)
    x = x[0] if len(x) == 1 else x
    path = tmp_path / "m.keras"
    save_model(model, path)
    loaded = load_model(path)
    assert type(loaded) is type(model)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    assert loaded.name == model.name
    before, after = model.predict(x), loaded.predict(x)
    for u, v in zip(
        before if isinstance(before, list) else [before], after if isinstance(after, list) else [after]
    ):
        np.testing.assert_array_equal(u, v)
    assert serialize_keras_object(loaded) == serialize_keras_object(model)


def test_shared_layer_weights_saved_once(tmp_path):
    model = _mimo()
    save_model(model, tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        zf.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as f:
        groups = sorted(f["layers"])
    # input layers, the shared Dense once, out1, dropout: addressed by class, not by name
    assert groups == ["dense", "dense_1", "dropout", "input_layer", "input_layer_1"]


def test_to_json_and_model_from_json_give_fresh_weights():
    model = _mimo()
    text = model.to_json()
    assert json.loads(text) == json.loads(json.dumps(serialize_keras_object(model)))
    again = r_bridge.models.model_from_json(text)
    assert again is not model
    assert json.loads(again.to_json()) == json.loads(text)
    assert not np.array_equal(
        again.get_layer("shared").get_weights()[0], model.get_layer("shared").get_weights()[0]
    )


def test_clone_model_same_config_fresh_weights():
    model = _sequential()
    weights = model.get_weights()
    clone = r_bridge.models.clone_model(model)
    assert clone is not model and clone.name == model.name
    assert [la.name for la in clone.layers] == [la.name for la in model.layers]
    assert clone.get_config() == model.get_config()
    assert not any(clone.layers[0].kernel is w for w in model.weights)
    assert not np.array_equal(clone.get_weights()[0], weights[0])
    for u, v in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(u, v)


def test_clone_model_refuses_what_it_does_not_support():
    with pytest.raises(ValueError, match="clone_function"):
        r_bridge.models.clone_model(_sequential(), clone_function=lambda la: la)


def test_save_and_load_weights(tmp_path):
    model = _mimo()
    path = tmp_path / "w.weights.h5"
    save_weights(model, path)
    other = r_bridge.models.clone_model(model)
    load_weights(other, path)
    for u, v in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(u, v)
    # the weights of a .keras file load too
    model.save(tmp_path / "m.keras")
    third = r_bridge.models.clone_model(model)
    third.load_weights(tmp_path / "m.keras")
    np.testing.assert_array_equal(third.get_weights()[0], model.get_weights()[0])


def test_load_weights_mismatch_changes_nothing(tmp_path):
    model = _sequential()
    model.save_weights(tmp_path / "w.weights.h5")
    other = r_bridge.Sequential([r_bridge.Input((4,)), layers.Dense(3), layers.Flatten(), layers.Dense(5)])
    before = other.get_weights()
    with pytest.raises(ValueError, match="dense"):
        other.load_weights(tmp_path / "w.weights.h5")
    for u, v in zip(other.get_weights(), before):
        np.testing.assert_array_equal(u, v)


def test_file_extensions_and_overwrite(tmp_path):
    model = _sequential()
    with pytest.raises(ValueError, match="extension"):
        save_model(model, tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        save_weights(model, tmp_path / "w.h5")
    save_model(model, tmp_path / "m.keras")
    with pytest.raises(FileExistsError, match="overwrite"):
        save_model(model, tmp_path / "m.keras", overwrite=False)
    with pytest.raises(ValueError, match="not found"):
        load_model(tmp_path / "missing.keras")
    with pytest.raises(ValueError, match="not supported"):
        load_model(tmp_path / "m.h5")


class MyLayer(layers.Layer):
    def call(self, x):
        return x


def test_custom_layer_cannot_be_saved(tmp_path):
    model = r_bridge.Sequential([r_bridge.Input((2,)), MyLayer(name="mine")])
    with pytest.raises(ValueError, match="'mine'.*custom object"):
        save_model(model, tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_custom_activation_and_initializer_cannot_be_saved(tmp_path):
    model = r_bridge.Sequential([r_bridge.Input((2,)), layers.Dense(2, activation=np.tanh, name="act")])
    with pytest.raises(ValueError, match="layer 'act'.*custom activation"):
        model.to_json()
    dense = layers.Dense(2, kernel_initializer=lambda shape: np.ones(shape), name="init")
    with pytest.raises(ValueError, match="layer 'init'.*custom initializer"):
        serialize_keras_object(dense)
    assert not list(tmp_path.iterdir())


def _dense_config(**extra):
    config = serialize_keras_object(r_bridge.Sequential([r_bridge.Input((3,)), layers.Dense(2, name="d")]))
    config["config"]["layers"][1]["config"].update(extra)
    return config


@pytest.mark.parametrize(
    ("extra", "feature"),
    [
        (
            {"kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {}}},
            "regularizers",
        ),
        (
            {"bias_constraint": {"module": "keras.constraints", "class_name": "NonNeg", "config": {}}},
            "constraints",
        ),
        ({"quantization_config": {"mode": "int8"}}, "quantization"),
        ({"lora_rank": 4}, "LoRA"),
        (
            {"dtype": {"module": "keras", "class_name": "QuantizedDTypePolicy", "config": {"name": "int8"}}},
            "quantiz",
        ),
    ],
)
def test_unrepresentable_features_refused_and_nothing_consumed(extra, feature):
    config = _dense_config(**extra)
    r_bridge.clear_session()
    before = uid_counts()
    with pytest.raises(ValueError, match=feature):
        deserialize_keras_object(config)
    with pytest.raises(ValueError, match=feature):
        r_bridge.models.model_from_json(json.dumps(config))
    assert uid_counts() == before


def test_unknown_and_custom_classes_refused(tmp_path):
    config = _dense_config()
    config["config"]["layers"][1]["class_name"] = "Conv2D"
    with pytest.raises(ValueError, match="layer 'd'.*Conv2D.*r_bridge does not have"):
        deserialize_keras_object(config)
    config = _dense_config()
    config["config"]["layers"][1].update(module="my_package", registered_name="my_package>Dense")
    with pytest.raises(ValueError, match="layer 'd'.*custom object"):
        deserialize_keras_object(config)


def test_unsupported_initializer_names_the_layer():
    config = _dense_config(
        kernel_initializer={"module": "keras.initializers", "class_name": "Orthogonal", "config": {}}
    )
    with pytest.raises(ValueError, match="layer 'd' \\(Dense\\).*Orthogonal"):
        deserialize_keras_object(config)


def test_failed_load_consumes_no_names_and_makes_no_model(tmp_path):
    model = _mimo()
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(parts["config.json"])
    config["config"]["layers"][-1]["class_name"] = "SpatialDropout1D"
    parts["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(tmp_path / "bad.keras", "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    r_bridge.clear_session()
    before = uid_counts()
    with pytest.raises(ValueError, match="layer 'dropout'.*SpatialDropout1D"):
        load_model(tmp_path / "bad.keras")
    assert uid_counts() == before


def test_without_h5py_saving_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match="pip install"):
        save_model(_sequential(), tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()
    # JSON needs no h5py
    assert json.loads(_sequential().to_json())["class_name"] == "Sequential"


def test_import_r_bridge_imports_no_h5py():
    code = "import sys, r_bridge; print(sorted(m for m in ('h5py', 'keras', 'zipfile') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", sorted(initializers._NAMES))
def test_initializers_serialize_and_get_back(name):
    init = initializers.get(name)
    config = initializers.serialize(init)
    assert config["module"] == "keras.initializers"
    again = initializers.get(config)
    assert again == init
    assert initializers.get(config["class_name"]) == init


def test_seeded_initializer_is_deterministic_and_uses_keras_fans():
    init = initializers.get({"class_name": "GlorotUniform", "config": {"seed": 3}})
    a, b = init((3, 3, 4, 5)), init((3, 3, 4, 5))
    np.testing.assert_array_equal(a, b)
    limit = np.sqrt(6 / ((4 + 5) * 9))  # receptive field counts, as in Keras
    assert np.abs(a).max() <= limit and np.abs(a).max() > limit / 2
    assert abs(initializers.get("he_normal")((2000, 50)).std() - np.sqrt(2 / 2000)) < 0.003
