"""`.keras` and `.weights.h5` files exchanged with the real Keras 3, both ways.

Keras runs in its own process (KERAS_BACKEND=numpy), so its session never
mixes with r_bridge's; the files and the predictions cross on disk. Needs
Keras and h5py: run with .venv-keras (skips where Keras is missing).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras not installed: run with .venv-keras (make test does)", allow_module_level=True)
pytest.importorskip("h5py", reason="h5py (the 'keras' extra) is needed for weights")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))

import golden_cases  # noqa: E402

import r_bridge  # noqa: E402

MODELS = [
    "sequential",
    "sequential_built_later",
    "functional_mimo",
    "functional_shared_depths",
    "functional_shared_out_of_order",
    "functional_nested_sequential",
    "functional_dict_io",
    "functional_nested_functional_two_outputs",
    "functional_from_intermediate",
]

KERAS = r"""
import json, sys
import numpy as np
import keras
sys.path.insert(0, sys.argv[1])
from golden_cases import CASES
job = json.loads(sys.argv[2])
out = {}
for case, path in job["save"].items():
    keras.utils.clear_session()
    keras.utils.set_random_seed(1)
    model = CASES[case](keras)
    model.save(path)
for case, path in job["load"].items():
    model = keras.saving.load_model(path)
    if job.get("resave"):
        model.save(path.replace(".keras", "_again.keras"))
for case, path in {**job["save"], **job["load"]}.items():
    model = keras.saving.load_model(path)
    x = np.load(job["inputs"][case], allow_pickle=True).item()
    y = model.predict(x["x"], verbose=0)
    out[case] = keras.tree.map_structure(lambda a: {"array": np.asarray(a).tolist()}, y)
    if job.get("weights"):
        model.save_weights(path.replace(".keras", ".weights.h5"))
print(json.dumps(out))
"""


def _inputs(model, seed=0):
    """Inputs in the structure the model takes."""
    rng = np.random.default_rng(seed)
    return r_bridge.tree.map_structure(lambda t: rng.random((6, *t.shape[1:]), dtype=np.float32), model.input)


def _keras(tmp_path, job):
    job = {k: ({c: str(p) for c, p in v.items()} if isinstance(v, dict) else v) for k, v in job.items()}
    proc = subprocess.run(
        [sys.executable, "-c", KERAS, str(Path(__file__).resolve().parents[1] / "python"), json.dumps(job)],
        capture_output=True,
        text=True,
        env={**os.environ, "KERAS_BACKEND": "numpy"},
        timeout=600,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _flat(y):
    """The arrays of an output structure (r_bridge's, or Keras's as JSON), in Keras's flat order."""
    if isinstance(y, dict) and set(y) == {"array"}:
        return [np.asarray(y["array"], dtype=np.float32)]
    if isinstance(y, dict):
        return [a for k in sorted(y) for a in _flat(y[k])]
    if isinstance(y, (list, tuple)):
        return [a for v in y for a in _flat(v)]
    return [np.asarray(y, dtype=np.float32)]


def _save_inputs(tmp_path, case, model):
    x = _inputs(model)
    path = tmp_path / f"{case}_x.npy"
    np.save(path, {"x": x}, allow_pickle=True)
    return x, path


def test_keras_files_load_into_r_bridge(tmp_path):
    """Keras saves; r_bridge loads the files and predicts what Keras predicts."""
    files = {case: tmp_path / f"{case}.keras" for case in MODELS}
    # Keras needs the inputs before it predicts: build the same architecture
    # in r_bridge (same config) to know the input structure.
    inputs = {}
    for case in MODELS:
        r_bridge.clear_session()
        _, inputs[case] = _save_inputs(tmp_path, case, golden_cases.CASES[case](r_bridge))
    predictions = _keras(tmp_path, {"save": files, "load": {}, "inputs": inputs, "weights": True})
    for case in MODELS:
        r_bridge.clear_session()
        model = r_bridge.saving.load_model(files[case])
        x = np.load(inputs[case], allow_pickle=True).item()["x"]
        ours = _flat(model.predict(x))
        theirs = _flat(predictions[case])
        assert len(ours) == len(theirs), case
        for u, v in zip(ours, theirs):
            np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6, err_msg=case)
        # Keras's weights file loads into the r_bridge model too
        clone = r_bridge.models.clone_model(model)
        clone.load_weights(str(files[case]).replace(".keras", ".weights.h5"))
        for u, v in zip(clone.get_weights(), model.get_weights()):
            np.testing.assert_array_equal(u, v)


def test_r_bridge_files_load_into_keras(tmp_path):
    """r_bridge saves; Keras loads the files (and saves them again); both predict the same."""
    files, inputs, ours = {}, {}, {}
    for case in MODELS:
        r_bridge.clear_session()
        model = golden_cases.CASES[case](r_bridge)
        x, inputs[case] = _save_inputs(tmp_path, case, model)
        files[case] = tmp_path / f"{case}.keras"
        if not model.built:  # an unbuilt Sequential has no weights to save yet
            model.predict(x)
        model.save(files[case])
        ours[case] = _flat(model.predict(x))
    predictions = _keras(tmp_path, {"save": {}, "load": files, "inputs": inputs, "resave": True})
    for case in MODELS:
        for u, v in zip(ours[case], _flat(predictions[case])):
            np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6, err_msg=case)
        # and back: the file Keras saved again loads into r_bridge with the same weights
        again = r_bridge.saving.load_model(str(files[case]).replace(".keras", "_again.keras"))
        x = np.load(inputs[case], allow_pickle=True).item()["x"]
        for u, v in zip(ours[case], _flat(again.predict(x))):
            np.testing.assert_array_equal(u, v)
