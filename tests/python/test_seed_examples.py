"""The examples of the clear_session() reference page, in Python."""

import gc
import tracemalloc

import r_bridge
from r_bridge import naming
from r_bridge.layers import Dense
from r_bridge.models import Sequential


def build_model():
    model = Sequential()
    for _ in range(10):
        model.add(Dense(10))
    return model


def test_example_2_layer_name_counter():
    layers = [Dense(10) for _ in range(10)]
    assert [layer.name for layer in layers] == ["dense"] + [f"dense_{i}" for i in range(1, 10)]
    assert Dense(10).name == "dense_10"
    r_bridge.clear_session()
    assert Dense(10).name == "dense"


def test_example_1_without_clear_session_counters_grow():
    for _ in range(100):
        model = build_model()
    assert model.name == "sequential_99"
    assert model.layers[-1].name == "dense_999"
    assert naming.uid_counts() == {"sequential": 100, "dense": 1000}


def test_example_1_with_clear_session_names_restart():
    # free_memory=False: a full gc.collect() per iteration only costs time here
    # (the reference page suggests skipping it in short loops); the default is
    # tested in test_state.py.
    for _ in range(100):
        r_bridge.clear_session(free_memory=False)
        model = build_model()
        assert model.name == "sequential"
        assert [layer.name for layer in model.layers] == ["dense"] + [f"dense_{i}" for i in range(1, 10)]
    assert naming.uid_counts() == {"sequential": 1, "dense": 10}


def build_input_model():
    model = Sequential([r_bridge.Input((10,))])
    for _ in range(10):
        model.add(Dense(10))
    return model


def test_example_1_memory_flat_with_clear_session():
    """Memory does not grow between iteration 200 and 400 (with an Input, so
    every add also builds a functional model and symbolic tensors)."""
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(400):
            r_bridge.clear_session(free_memory=False)
            model = build_input_model()
            del model
            if i == 199:
                gc.collect()
                at_200 = tracemalloc.get_traced_memory()[0]
        gc.collect()
        at_400 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert at_400 - at_200 < 64 * 1024, (at_200, at_400)


def test_example_1_without_clear_session_no_objects_leak():
    """Counters grow, but dropped models leave nothing for the cycle collector."""
    gc.collect()
    gc.disable()
    try:
        for _ in range(100):
            model = build_input_model()
        del model
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0
    assert naming.uid_counts()["dense"] == 1000
    assert naming.uid_counts()["functional"] == 1000
    assert naming.uid_counts()["sequential"] == 100
