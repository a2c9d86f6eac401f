"""r_bridge.saving's checks without Keras: weights loaded all or nothing
(a count or shape mismatch changes nothing, or is skipped with
skip_mismatch), unsupported arguments, a .keras file without a config, and
a file holding a layer where a model is expected."""

from __future__ import annotations

import importlib.util
import json
import zipfile

import numpy as np
import pytest

import r_bridge
from r_bridge import layers, saving

pytestmark = pytest.mark.skipif(importlib.util.find_spec("h5py") is None, reason="h5py not installed")


def _model(units_a=3, units_b=2):
    x = r_bridge.Input(shape=(4,))
    h = layers.Dense(units_a, name="a")(x)
    return r_bridge.Model(x, layers.Dense(units_b, name="b")(h), name="m")


def test_shape_mismatch_changes_nothing_or_is_skipped(tmp_path):
    r_bridge.clear_session()
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(_model(), path)
    other = _model(units_b=5)  # layer b's kernel is (3, 5), not (3, 2)
    before = [w.copy() for w in other.get_weights()]
    with pytest.raises(ValueError, match=r"Layer 'b' weight shape \(3, 5\) is not compatible"):
        saving.load_weights(other, path)
    assert all(np.array_equal(a, b) for a, b in zip(other.get_weights(), before))
    saving.load_weights(other, path, skip_mismatch=True)
    source = _model()
    saving.load_weights(source, path)
    # layer a loaded, layer b skipped
    np.testing.assert_array_equal(
        other.get_layer("a").get_weights()[0], source.get_layer("a").get_weights()[0]
    )
    np.testing.assert_array_equal(other.get_layer("b").get_weights()[0], before[2])


def test_count_mismatch(tmp_path):
    r_bridge.clear_session()
    path = str(tmp_path / "w.weights.h5")
    saving.save_weights(_model(), path)
    x = r_bridge.Input(shape=(4,))
    h = layers.Dense(3, name="a", use_bias=False)(x)
    fewer = r_bridge.Model(x, layers.Dense(2, name="b")(h))
    with pytest.raises(ValueError, match="Layer 'a' expected 1 variables, but received 2 variables"):
        saving.load_weights(fewer, path)
    saving.load_weights(fewer, path, skip_mismatch=True)


def test_argument_checks(tmp_path):
    r_bridge.clear_session()
    model = _model()
    with pytest.raises(ValueError, match="Invalid `model` argument: expected a model"):
        saving.save_weights("not a model", str(tmp_path / "x.weights.h5"))
    with pytest.raises(ValueError, match=r"argument\(s\) are not supported: \['include_optimizer'\]"):
        saving.save_model(model, str(tmp_path / "m.keras"), include_optimizer=False)
    with pytest.raises(ValueError, match="custom_objects"):
        saving.load_model(str(tmp_path / "m.keras"), custom_objects={"A": object})


def test_bad_keras_files(tmp_path):
    r_bridge.clear_session()
    empty = tmp_path / "empty.keras"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("metadata.json", "{}")
    with pytest.raises(ValueError, match="it has no config.json"):
        saving.load_model(str(empty))
    layer_file = tmp_path / "layer.keras"
    cfg = {"module": "keras.layers", "class_name": "Dense", "config": {"units": 2, "name": "d"}}
    with zipfile.ZipFile(layer_file, "w") as zf:
        zf.writestr("config.json", json.dumps(cfg))
        zf.writestr("metadata.json", "{}")
    with pytest.raises(ValueError, match="The file holds a Dense, not a model"):
        saving.load_model(str(layer_file))
