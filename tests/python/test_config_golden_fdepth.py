"""get_config() and serialize_keras_object() of the issue-19 layers equal Keras 3's own.

Golden values are computed now, by the real Keras in a separate process
(so its session and r_bridge's never mix, linked or not), for the cases of
golden_cases_fdepth.py built the same way on both sides. Needs Keras: run with
.venv-keras (the module skips where Keras is not installed).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras not installed: run with .venv-keras (make test does)", allow_module_level=True)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import golden_cases_fdepth as golden_cases  # noqa: E402

import r_bridge  # noqa: E402

KERAS_SCRIPT = """
import json, sys
import keras
sys.path.insert(0, sys.argv[1])
from golden_cases_fdepth import CASES
out = {}
for name, build in CASES.items():
    keras.utils.clear_session()
    obj = build(keras)
    out[name] = {"config": obj.get_config(), "serialized": keras.saving.serialize_keras_object(obj)}
print(json.dumps(out))
"""


def _normalize(x):
    """As JSON would write it (tuples are lists); Keras's serialization-only
    ``shared_object_id`` markers dropped."""
    x = json.loads(json.dumps(x))

    def strip(v):
        if isinstance(v, dict):
            return {k: strip(w) for k, w in v.items() if k != "shared_object_id"}
        if isinstance(v, list):
            return [strip(w) for w in v]
        return v

    return strip(x)


@pytest.fixture(scope="module")
def keras_golden():
    env = {**os.environ, "KERAS_BACKEND": "numpy"}
    proc = subprocess.run(
        [sys.executable, "-c", KERAS_SCRIPT, str(HERE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("case", sorted(golden_cases.CASES))
def test_config_equals_keras(case, keras_golden):
    r_bridge.clear_session(free_memory=False)
    obj = golden_cases.CASES[case](r_bridge)
    expected = keras_golden[case]
    assert _normalize(obj.get_config()) == _normalize(expected["config"])
    assert _normalize(r_bridge.saving.serialize_keras_object(obj)) == _normalize(expected["serialized"])


@pytest.mark.parametrize("case", sorted(golden_cases.CASES))
def test_keras_config_round_trips_through_r_bridge(case, keras_golden):
    """Keras's serialized config, deserialized by r_bridge, serializes back to itself."""
    r_bridge.clear_session(free_memory=False)
    expected = _normalize(keras_golden[case]["serialized"])
    obj = r_bridge.saving.deserialize_keras_object(expected)
    assert _normalize(r_bridge.saving.serialize_keras_object(obj)) == expected
