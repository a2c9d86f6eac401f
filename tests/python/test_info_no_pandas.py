"""r_bridge.session_info() without pandas (an optional extra): an ImportError
that says how to get it under the distribution's real name."""

import sys

import pytest

import r_bridge


def test_session_info_without_pandas_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now raises ImportError
    with pytest.raises(ImportError) as err:
        r_bridge.session_info()
    msg = str(err.value)
    assert "pip install 'rbridge[pandas]'" in msg
    assert "pip install pandas" in msg
    assert err.value.name == "pandas"


def test_import_r_bridge_does_not_need_pandas(monkeypatch):
    for mod in [m for m in sys.modules if m == "r_bridge" or m.startswith("r_bridge.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "pandas", None)
    import r_bridge as fresh

    assert fresh.layers.Dense(1).name.startswith("dense")
