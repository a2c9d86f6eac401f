"""plot_model's graph against Keras's own model_to_dot (golden values made
by the Keras installed now, in another process so the two sessions never
meet): the same nodes (name, cluster, HTML label), the same edges and the
same graph attributes, for a Sequential, a branched Functional with two
inputs, two outputs and a shared layer, nested models (collapsed and
expanded) and a frozen layer, under several option sets.

Needs Keras and pydot (the Keras venv: .venv-keras)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

for _module in ("keras", "pydot"):
    if importlib.util.find_spec(_module) is None:
        pytest.skip(
            f"{_module} not installed: run with .venv-keras (make test does)", allow_module_level=True
        )

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import plot_models  # noqa: E402


@pytest.fixture(scope="module")
def keras_graphs():
    env = dict(os.environ, KERAS_BACKEND="numpy", RBRIDGE_KERAS_LINK="0")
    out = subprocess.run(
        [sys.executable, str(HERE / "plot_models.py"), "keras"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def our_graphs():
    return plot_models.graphs(plot_models.r_bridge_namespace())


CASES = [
    f"{m}/{o}"
    for m in ("seq", "branched", "nested", "frozen", "seq_in_seq", "dict_nested")
    for o in plot_models.OPTIONS
]


@pytest.mark.parametrize("case", CASES)
def test_same_graph_as_keras(case, keras_graphs, our_graphs):
    ours, theirs = our_graphs[case], keras_graphs[case]
    assert ours["nodes"] == theirs["nodes"]
    assert ours["edges"] == theirs["edges"]
    assert ours["attributes"] == theirs["attributes"]
    assert ours["node_defaults"] == theirs["node_defaults"]


def test_the_cases_cover_what_they_claim(keras_graphs):
    edges = {tuple(e[:2]) for e in keras_graphs["branched/default"]["edges"]}
    assert {("a", "shared"), ("proj", "shared"), ("shared", "head1"), ("shared", "head2")} <= edges
    clusters = {n[0] for n in keras_graphs["nested/nested"]["nodes"]}
    assert clusters == {"", "/cluster_inner_seq", "/cluster_inner_fun"}
    frozen = "".join(n[2] for n in keras_graphs["frozen/everything"]["nodes"])
    assert "Non-trainable" in frozen and ">Trainable<" in frozen


def test_unbuilt_model_message_is_keras(tmp_path):
    import keras

    from r_bridge import Sequential, layers
    from r_bridge.utils import plot_model

    with pytest.raises(ValueError) as theirs:
        keras.utils.plot_model(keras.Sequential([keras.layers.Dense(2)]), to_file=str(tmp_path / "k.png"))
    with pytest.raises(ValueError) as ours:
        plot_model(Sequential([layers.Dense(2)]), to_file=str(tmp_path / "r.png"))
    assert str(ours.value) == str(theirs.value)
