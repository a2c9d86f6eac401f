"""The shared scenarios (tests/scenarios/*.json) against r_bridge.

Each scenario runs twice: through r_bridge's Keras-like Python API
(``r_bridge.layers.Dense(...)``, ``r_bridge.Sequential(...)``) and through
``r_bridge.api``, the plain-value bridge the R package uses. Both must give
exactly the values recorded in the JSON (generated from real Keras, or
hand-written for ``"source": "rbridge"`` scenarios; see tests/scenarios/README.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario_runner as sr  # noqa: E402

SCENARIOS = sr.load_scenarios()
IDS = [f"{stem}/{sc['id']}" for stem, sc in SCENARIOS]

BACKENDS = {"python": sr.RBridgeBackend, "api": sr.ApiBackend}

#: r_bridge gaps found by these scenarios, still to fix in r_bridge (strict
#: xfail: once fixed, the XPASS fails the run -- then delete the entry).
KNOWN_GAPS = {}


def _platforms(sc):
    return sc.get("platforms", ["python", "api", "r"])


@pytest.fixture(params=sorted(BACKENDS), scope="module")
def backend(request):
    return BACKENDS[request.param]()


def _param(sc):
    gap = KNOWN_GAPS.get(sc["id"])
    marks = [pytest.mark.xfail(reason=f"known r_bridge gap: {gap}", strict=True)] if gap else []
    return pytest.param(sc, marks=marks)


@pytest.mark.parametrize("scenario", [_param(sc) for _, sc in SCENARIOS], ids=IDS)
def test_scenario(scenario, backend):
    plat = "api" if isinstance(backend, sr.ApiBackend) else "python"
    if plat not in _platforms(scenario) or sr.scenario_ops(scenario) & backend.unsupported:
        pytest.skip(f"scenario uses ops the {backend.name} backend cannot express")
    sr.check_scenario(scenario, backend)


def test_scenario_files_are_well_formed():
    assert len(SCENARIOS) >= 55
    ids = [sc["id"] for _, sc in SCENARIOS]
    assert len(ids) == len(set(ids)), "duplicate scenario ids"
    for _, sc in SCENARIOS:
        assert sc["source"] in ("keras", "rbridge"), sc["id"]
        assert sc.get("description"), sc["id"]
        assert not (sr.scenario_ops(sc) - sr.ALL_OPS), sc["id"]
        for step in sc["steps"]:
            if step["op"] in sr.VALUE_OPS:
                assert "expect" in step, f"{sc['id']}: {step} has no expectation (run generate.py)"
            if step["op"] == "error":
                assert step.get("expect_error"), sc["id"]
    # every committed file is in generate.py's layout (i.e. it was regenerated)
    sys.path.insert(0, str(sr.SCENARIO_DIR))
    import generate

    for path in sorted(sr.SCENARIO_DIR.glob("*.json")):
        text = path.read_text()
        assert generate.dump(json.loads(text)) == text, f"{path.name}: not in generate.py's layout"


def test_api_scenarios_release_their_handles():
    """Running the scenarios through the bridge leaves no handle behind."""
    from r_bridge import api

    before = api.live_handles()
    b = sr.ApiBackend()
    for _, sc in SCENARIOS[:10]:
        if "api" in _platforms(sc) and not (sr.scenario_ops(sc) & b.unsupported):
            sr.run_scenario(sc, b)
    assert api.live_handles() == before
