"""r_bridge.session_info(): the session as a pandas DataFrame."""

import threading

import pandas as pd

import r_bridge
from r_bridge import api, config
from r_bridge.layers import Dense, Dropout


def test_empty_session():
    df = r_bridge.session_info()
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == ["prefix", "count"]
    assert len(df) == 0
    assert df["count"].dtype == "int64"


def test_rows_match_counters_in_first_use_order():
    Dense(2)
    Dropout(0.5)
    Dense(2)
    r_bridge.get_uid("custom")
    df = r_bridge.session_info()
    assert df["prefix"].tolist() == ["dense", "dropout", "seed_generator", "custom"]
    assert df["count"].tolist() == [2, 1, 1, 1]
    assert dict(zip(df["prefix"], df["count"])) == r_bridge.naming.uid_counts()
    r_bridge.clear_session(free_memory=False)
    assert len(r_bridge.session_info()) == 0


def test_attrs():
    config.set_floatx("float64")
    rec = api.make_layer("dense", {"units": 1})
    with r_bridge.name_scope("outer"):
        df = r_bridge.session_info()
    assert df.attrs["thread"] == threading.current_thread().name
    assert df.attrs["handles"] == api.live_handles()
    assert df.attrs["config"] == config.as_dict()
    assert df.attrs["config"]["floatx"] == "float64"
    assert df.attrs["name_scope"] == "outer"
    assert df.attrs["api_version"] == api.API_VERSION
    api.release(rec["handle"])
    assert r_bridge.session_info().attrs["handles"] == api.live_handles()


def test_thread_attr_is_the_calling_thread():
    Dense(2)
    out = {}
    t = threading.Thread(target=lambda: out.update(df=r_bridge.session_info()), name="worker-x")
    t.start()
    t.join(10)
    assert out["df"].attrs["thread"] == "worker-x"
    assert len(out["df"]) == 0
