"""No reference cycles, no strong references from the session to user objects."""

import gc
import weakref

import numpy as np
import pytest

import r_bridge
from r_bridge import api
from r_bridge.layers import Activation, Dense, Dropout, Flatten
from r_bridge.models import Input, Model, Sequential


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def seq_plain():
    return Sequential([Dense(4), Dropout(0.5), Dense(2)])


def seq_input():
    m = Sequential([Input((3,))])
    for layer in (Dense(4), Dropout(0.2), Activation("relu"), Dense(2)):
        m.add(layer)
    return m


def seq_predicted():
    m = Sequential([Flatten(), Dense(4), Dropout(0.5), Dense(1)])
    m.predict(np.ones((2, 3, 2)))
    return m


def seq_legacy_input_shape():
    with pytest.warns(UserWarning):
        first = Dense(4, input_shape=(3,))
    m = Sequential([first, Dense(2)])
    m.pop()
    return m


def functional_branches():
    i = Input((3,))
    j = Input((2,))
    a = Dense(4, activation="relu")(i)
    b = Dropout(0.3)(Dense(4)(i))
    shared = Dense(2)
    out1 = shared(a)
    out2 = shared(b)
    out3 = Dense(1)(j)
    m = Model([i, j], [out1, out2, out3])
    m.predict([np.ones((2, 3)), np.ones((2, 2))])
    m.summary_text()
    return m


BUILDERS = [seq_plain, seq_input, seq_predicted, seq_legacy_input_shape, functional_branches]


def refs_of(model):
    """Weak references to the model, its layers and every tensor and node reachable."""
    objs = [model] + list(model.layers) + list(getattr(model, "_layers", []))
    for f in (model, getattr(model, "_functional", None)):
        if f is None or not hasattr(f, "inputs"):
            continue
        stack = list(f.inputs) + list(f.outputs)
        while stack:
            t = stack.pop()
            objs.append(t)
            if t._node is not None:
                objs.append(t._node)
                stack.extend(t._node.inputs)
    return [weakref.ref(o) for o in objs]


@pytest.mark.parametrize("build", BUILDERS, ids=lambda f: f.__name__)
def test_dropped_model_freed_by_refcount(build, no_gc):
    model = build()
    refs = refs_of(model)
    assert len(refs) > 3
    del model
    assert [r for r in refs if r() is not None] == []
    assert gc.collect() == 0


def test_many_models_of_every_kind_leave_no_garbage(no_gc):
    for _ in range(20):
        for build in BUILDERS:
            m = build()
            del m
    assert gc.collect() == 0


def test_session_keeps_no_strong_reference_without_clear():
    i = Input((3,))
    layer = Dense(2)
    out = layer(i)
    model = Model(i, out)
    refs = [weakref.ref(o) for o in (i, layer, out, model)]
    del i, layer, out, model
    assert all(r() is None for r in refs)
    # the names they took are still counted (no clear_session)
    assert r_bridge.naming.uid_counts()["dense"] == 1


def test_input_layer_tensor_is_recreated_with_same_name():
    i = Input((3,))
    layer = i._keras_history[0]
    counts = r_bridge.naming.uid_counts()
    ref = weakref.ref(i)
    del i
    assert ref() is None
    again = layer.output
    assert again.name == "keras_tensor"
    assert r_bridge.naming.uid_counts() == counts


def test_api_release_frees_object(no_gc):
    rec = api.make_sequential(input={"shape": [3]})
    api.make_layer("dense", {"units": 2}, object=rec["handle"])
    ref = weakref.ref(api.table.get(rec["handle"]))
    assert ref() is not None
    # two records were returned for the model (make_sequential, make_layer with target)
    api.release(rec["handle"])
    assert ref() is not None  # one reference left
    api.release(rec["handle"])
    assert ref() is None
    assert gc.collect() == 0


def test_dispatch_releases_free_objects():
    from r_bridge.bridge.dispatch import dispatch

    rec = api.make_layer("dense", {"units": 2})
    ref = weakref.ref(api.table.get(rec["handle"]))
    dispatch("clear_session", {"free_memory": False}, [rec["handle"]])
    assert ref() is None


def test_clear_session_does_not_free_objects_the_user_holds():
    model = seq_input()
    r_bridge.clear_session(free_memory=True)
    assert model.predict(np.ones((1, 3))).shape == (1, 2)
    assert model.layers[0].name == "dense"
