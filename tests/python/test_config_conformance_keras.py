"""Random programs (test_conformance_keras's generator) run in Keras 3 and
in r_bridge side by side: every layer and model they leave has the same
serialized config on both sides, and Keras's config read back by r_bridge
serializes to itself.

Needs Keras (skips without it): run with .venv-keras.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras not installed: run with .venv-keras (make test does)", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_runner as sr  # noqa: E402
import test_conformance_keras as conformance  # noqa: E402

import r_bridge  # noqa: E402

SEEDS = range(int(os.environ.get("RBRIDGE_CONFIG_CONFORMANCE_SEEDS", "25")))


def _json(x):
    return json.loads(json.dumps(x))


def _run(program):
    """Run ``program`` on Keras and r_bridge; the objects both made, by variable."""
    keras_backend, ours = sr.KerasBackend(), sr.RBridgeBackend()
    kenv, oenv = {}, {}
    keras_backend.begin()
    ours.begin()
    for i, step in enumerate(program):
        refs = conformance._refs(step)
        if any(r not in kenv or r not in oenv for r in refs):
            continue
        outcomes = []
        for backend, env in ((keras_backend, kenv), (ours, oenv)):
            try:
                sr.run_step(step, backend, env, f"step {i}")
                outcomes.append(True)
            except sr.ScenarioError:
                raise
            except Exception:  # noqa: BLE001 - both fail alike (test_conformance_keras checks that)
                outcomes.append(False)
        if outcomes == [False, False]:
            r_bridge.naming.set_uid_counts(keras_backend.uids())
        assert outcomes[0] == outcomes[1], (
            f"step {i} {step}: keras ok={outcomes[0]}, r_bridge ok={outcomes[1]}"
        )
    return kenv, oenv


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_configs_match_keras(seed):
    import keras

    program = conformance.ProgramGenerator(seed).program(conformance.N_OPS)
    kenv, oenv = _run(program)
    compared = 0
    for var in sorted(set(kenv) & set(oenv)):
        theirs, ours = kenv[var], oenv[var]
        if not isinstance(ours, r_bridge.layers.Layer):
            continue
        expected = _json(keras.saving.serialize_keras_object(theirs))
        assert _json(r_bridge.saving.serialize_keras_object(ours)) == expected, f"seed {seed}: {var}"
        revived = r_bridge.saving.deserialize_keras_object(expected)
        assert _json(r_bridge.saving.serialize_keras_object(revived)) == expected, (
            f"seed {seed}: {var} (revived)"
        )
        compared += 1
    r_bridge.clear_session(free_memory=False)
    keras.utils.clear_session()
    assert compared or not kenv


def _inputs(model, rng):

    return r_bridge.tree.map_structure(
        lambda t: rng.random((3, *[2 if d is None else d for d in t.shape[1:]])).astype("float32"),
        model.input,
    )


def _flat(y):
    import numpy as np

    if isinstance(y, dict):
        return [a for k in sorted(y) for a in _flat(y[k])]
    if isinstance(y, (list, tuple)):
        return [a for v in y for a in _flat(v)]
    return [np.asarray(y)]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_program_models_cross_as_files(seed, tmp_path):
    """Each built model of the program: r_bridge's .keras file loads into
    Keras, Keras's loads into r_bridge, and all four predict the same."""
    pytest.importorskip("h5py")
    import keras
    import numpy as np

    program = conformance.ProgramGenerator(seed).program(conformance.N_OPS)
    kenv, oenv = _run(program)
    rng = np.random.default_rng(seed)
    for var in sorted(set(kenv) & set(oenv)):
        theirs, ours = kenv[var], oenv[var]
        if not isinstance(ours, r_bridge.models.Model) or not ours.built:
            continue
        ours.set_weights([rng.standard_normal(w.shape).astype(w.dtype) for w in ours.get_weights()])
        theirs.set_weights(ours.get_weights())
        x = _inputs(ours, rng)
        expected = _flat(ours.predict(x, verbose=0))
        ours.save(tmp_path / f"{var}_ours.keras")
        theirs.save(tmp_path / f"{var}_theirs.keras")
        in_keras = keras.saving.load_model(tmp_path / f"{var}_ours.keras")
        in_ours = r_bridge.saving.load_model(tmp_path / f"{var}_theirs.keras")
        for got in (
            theirs.predict(x, verbose=0),
            in_keras.predict(x, verbose=0),
            in_ours.predict(x, verbose=0),
        ):
            for u, v in zip(_flat(got), expected, strict=True):
                np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-5, err_msg=f"seed {seed}: {var}")
    r_bridge.clear_session(free_memory=False)
    keras.utils.clear_session()
