"""r_bridge.bridge: the handle table, the dispatcher and the buffer codec."""

import struct

import numpy as np
import pytest

from r_bridge import api, naming
from r_bridge.bridge import arrays
from r_bridge.bridge.dispatch import ERROR, MAX_MESSAGE, dispatch, dispatch_buffers, error_record
from r_bridge.bridge.handles import HandleError, HandleTable


# ---------------------------------------------------------------- handles
def test_handles_are_opaque_per_table_and_refcounted():
    a, b = HandleTable(), HandleTable()
    assert a.token != b.token
    obj = object()
    h = a.add(obj)
    assert h.startswith(a.token + ":") and a.add(obj) == h
    assert a.get(h) is obj
    with pytest.raises(HandleError, match="`x` is not from this session") as e:
        b.get(h, "x")
    assert e.value.argument == "x"
    assert a.release(h) == 1  # one of two references given back
    assert a.release([h]) == 0
    with pytest.raises(HandleError, match="has been released"):
        a.get(h)
    assert a.release([h, h, "junk", 3, None]) == 0  # late or bogus releases are ignored


def test_a_handle_never_reaches_another_object():
    table = HandleTable()
    first = table.add(object())
    table.release(first)
    second_obj = object()
    second = table.add(second_obj)
    assert second != first  # numbers are not reused
    with pytest.raises(HandleError):
        table.get(first)


# ---------------------------------------------------------------- dispatch
def test_dispatch_returns_values_and_error_records():
    rec = dispatch("make_layer", {"kind": "dense", "args": {"units": 2}})
    assert rec["name"] == "dense"
    err = dispatch("make_layer", {"kind": "dense", "args": {"units": 0}})
    assert list(err)[0] == ERROR and err[ERROR] == "ValueError"
    assert err["message"].startswith("Received an invalid value for `units`")
    assert err["classes"] == ["ValueError", "Exception"]
    err = dispatch("count_params", {"object": "0123456789ab:1"})
    assert err[ERROR] == "HandleError" and err["argument"] == "object"
    assert dispatch("no_such_function", {})[ERROR] == "AttributeError"
    assert dispatch("get_uid", ["unnamed"])[ERROR] == "TypeError"
    assert dispatch("api_version", []) == api.API_VERSION  # an empty R list is no arguments


def test_dispatch_releases_before_the_call_and_rolls_back_failed_calls():
    rec = dispatch("make_layer", {"kind": "dense", "args": {"units": 2}})
    held = api.live_handles()
    assert dispatch("live_handles", {}, [rec["handle"]]) == held - 1
    m = dispatch("make_sequential", {})
    held = api.live_handles()
    counters = naming.uid_counts()
    # make_layer adds to the model, then fails: the model's reference it would
    # have returned is given back, and no name is consumed.
    err = dispatch(
        "make_layer", {"kind": "dense", "args": {"units": 2, "name": "a/b"}, "object": m["handle"]}
    )
    assert err[ERROR] == "ValueError"
    assert api.live_handles() == held and api.table._refs[m["handle"]] == 1
    assert naming.uid_counts() == counters


def test_interrupts_and_exits_come_back_as_records():
    for exc in (KeyboardInterrupt(), SystemExit(3)):
        rec = error_record(exc)
        assert rec[ERROR] == type(exc).__name__ and "Exception" not in rec["classes"]


def test_messages_are_cut_and_keyerrors_unquoted():
    assert error_record(KeyError("plain"))["message"] == "plain"
    long = error_record(ValueError("x" * 10**6))["message"]
    assert len(long) <= MAX_MESSAGE and "characters cut" in long


class _Opaque:
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize("releases", [True, False, 1.5, -1, 0, _Opaque(), {"a": 1}, {1, 2}])
def test_malformed_releases_give_an_error_record_and_change_nothing(releases):
    # Issue 21 item 5: dispatch never raises, whatever it is given.
    rec = dispatch("make_layer", {"kind": "dense", "args": {"units": 2}})
    held, counters = api.live_handles(), naming.uid_counts()
    out = dispatch("make_layer", {"kind": "dense", "args": {"units": 2}}, releases)
    assert out[ERROR] == "TypeError" and out["argument"] == "releases"
    assert out["message"].startswith("`releases` must be a handle or a list of handles.")
    assert api.live_handles() == held and naming.uid_counts() == counters
    api.release(rec["handle"])


@pytest.mark.parametrize("fn", [["get_uid"], {"a": 1}, {1}, None, 3, _Opaque()])
def test_a_function_name_of_any_type_gives_an_error_record(fn):
    counters = naming.uid_counts()
    out = dispatch(fn, {"prefix": "x"})
    assert out[ERROR] == "AttributeError" and out["message"].startswith("r_bridge.api has no function")
    assert naming.uid_counts() == counters


def test_well_formed_releases_of_every_shape_are_given_back():
    for shape in (str, lambda h: [h], lambda h: (h,)):
        rec = dispatch("make_layer", {"kind": "dense", "args": {"units": 2}})
        held = api.live_handles()
        assert dispatch("live_handles", None, shape(rec["handle"])) == held - 1
    assert dispatch("live_handles", None, "") == dispatch("live_handles", None, [])


def test_an_exception_whose_text_fails_still_gives_a_record():
    class Hostile(ValueError):
        def __str__(self):
            raise RuntimeError("no text")

    rec = error_record(Hostile())
    assert rec[ERROR] == "Hostile" and rec["message"] == "<Hostile object>" and "ValueError" in rec["classes"]


def test_the_dispatcher_does_not_import_the_api():
    # The arrows point one way: api -> dispatch -> registry. A host imports
    # r_bridge.api, which registers its functions.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from r_bridge.bridge import dispatch, registry\n"
        "assert 'r_bridge.api' not in sys.modules and not registry.functions\n"
        "print(dispatch.dispatch('api_version', {})[dispatch.ERROR])\n"
        "import r_bridge.api as api\n"
        "print(dispatch.dispatch('api_version', {}) == api.API_VERSION)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["AttributeError", "True"]


# ---------------------------------------------------------------- buffers
def r_bytes(values):
    """What R's writeBin(as.vector(x), raw(), endian = "little") gives."""
    return bytearray(struct.pack(f"<{len(values)}d", *values))


def test_buffers_are_column_major_like_r():
    # R: matrix(1:6, 2, 3) is column-major: 1 2 / 3 4 / 5 6 down the columns.
    x = arrays.decode({arrays.ARRAY: r_bytes([1, 2, 3, 4, 5, 6]), "dim": [2, 3]})
    assert x.tolist() == [[1, 3, 5], [2, 4, 6]]
    back = arrays.encode(x)
    assert bytes(back[arrays.ARRAY]) == bytes(r_bytes([1, 2, 3, 4, 5, 6])) and back["dim"] == [2, 3]


def test_buffers_keep_na_nan_inf_bit_for_bit_and_odd_shapes():
    na = struct.unpack("<d", struct.pack("<Q", 0x7FF00000000007A2))[0]  # R's NA_real_
    values = [na, float("nan"), float("inf"), -float("inf"), 0.0, -0.0]
    x = arrays.decode({arrays.ARRAY: r_bytes(values), "dim": [3, 2]})
    assert bytes(arrays.encode(x)[arrays.ARRAY]) == bytes(r_bytes(values))
    for dims in ([0, 4], [5, 1], [2, 3, 4], 7, [4]):
        n = int(np.prod(dims))
        a = arrays.decode({arrays.ARRAY: r_bytes(list(range(n))), "dim": dims})
        assert a.shape == (tuple(dims) if isinstance(dims, list) else (dims,))
        assert arrays.decode(arrays.encode(a)).tolist() == a.tolist()
    cube = arrays.decode({arrays.ARRAY: r_bytes(list(range(24))), "dim": [2, 3, 4]})
    assert cube[1, 2, 3] == 1 + 2 * 2 + 3 * 6  # R: x[2, 3, 4] is element 24


def test_decode_does_not_copy():
    buf = r_bytes([1.0, 2.0])
    a = arrays.decode({arrays.ARRAY: buf, "dim": [2]})
    buf[0:8] = struct.pack("<d", 9.0)
    assert a[0] == 9.0


def _ndarrays(value):
    """The ndarrays anywhere in ``value`` (dicts, lists, tuples)."""
    out, stack = [], [value]
    while stack:
        v = stack.pop()
        if isinstance(v, np.ndarray):
            out.append(v)
        elif isinstance(v, (dict, list, tuple)):
            stack += list(v.values() if isinstance(v, dict) else v)
    return out


def test_buffers_found_at_every_depth_the_shortcut_looks_at():
    """Plain values (a layer's arguments, a record) skip the walk; an array
    anywhere, even under the depth the shortcut checks, is still found."""
    enc = {arrays.ARRAY: r_bytes([1.0, 2.0]), "dim": [2]}
    plain = {"kind": "dense", "args": {"units": 10, "name": None}, "object": ["a", 1.5, True]}
    assert arrays.decode(plain) is plain and arrays.encode(plain) is plain
    for value in (enc, [enc], {"x": enc}, {"args": {"x": enc}}, {"args": [[enc]]}, ({"x": enc},)):
        assert [a.tolist() for a in _ndarrays(arrays.decode(value))] == [[1.0, 2.0]], value
    x = np.ones(2)
    for value in (x, [x], {"x": x}, {"a": {"x": x}}, {"a": [[x]]}, (x,)):
        out = arrays.encode(value)
        assert _ndarrays(out) == [] and _ndarrays(arrays.decode(out))[0].tolist() == [1.0, 1.0], value


def test_dispatch_buffers_round_trip_through_predict():
    m = dispatch("make_sequential", {"input": {"shape": [3]}})
    dispatch("make_layer", {"kind": "dense", "args": {"units": 2}, "object": m["handle"]})
    x = np.arange(12.0).reshape(4, 3)
    out = dispatch_buffers("predict", {"object": m["handle"], "x": arrays.encode(x)})
    got = arrays.decode(out)
    np.testing.assert_allclose(got, api.predict(m["handle"], x), rtol=1e-6)
    weights = arrays.decode(dispatch_buffers("get_weights", {"object": m["handle"]}))
    assert [w.shape for w in weights] == [(3, 2), (2,)]
    err = dispatch_buffers("predict", {"object": "bad", "x": 1})
    assert err[ERROR] == "HandleError"


def test_the_core_never_imports_the_bridge():
    """Using every core module (and Python's session_info) loads neither
    r_bridge.api nor r_bridge.bridge: arrows point down only."""
    import subprocess
    import sys

    code = """
import sys, numpy as np, r_bridge
from r_bridge import config, naming, random, session, state, layers, models, activations, initializers
m = r_bridge.Sequential([r_bridge.Input(shape=(3,)), layers.Dense(2), layers.Dropout(0.5), layers.Flatten()])
m.predict(np.ones((2, 3)), verbose=0)
r_bridge.clear_session()
session.save(); session.snapshot()
try:
    r_bridge.session_info()
except ImportError:
    pass
print(sorted(k for k in sys.modules if k.startswith(("r_bridge.api", "r_bridge.bridge"))))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_inbox_is_drained_by_the_next_call_even_one_that_fails():
    a = dispatch("make_layer", {"kind": "dense", "args": {"units": 2}})
    b = dispatch("make_layer", {"kind": "dense", "args": {"units": 2}})
    held = api.live_handles()
    api.table.inbox.extend([a["handle"], "0123456789ab:1", 7])  # junk is ignored
    err = dispatch("make_layer", {"kind": "dense", "args": {"units": 0}})
    assert err[ERROR] == "ValueError"
    assert api.table.inbox == [] and api.live_handles() == held - 1
    api.table.inbox.append(b["handle"])
    assert dispatch("live_handles", {}) == held - 2


def test_an_interrupt_on_entry_to_the_dispatcher_loses_no_queued_release(monkeypatch):
    """The case the stress suite found (73 handles at once): Python raises
    KeyboardInterrupt on entry to dispatch(), before its try. Releases
    handed over through the inbox are still given back by the next call."""
    from r_bridge.bridge import dispatch as dispatch_module

    recs = [dispatch("make_layer", {"kind": "dense", "args": {"units": 2}}) for _ in range(5)]
    held = api.live_handles()
    api.table.inbox.extend(r["handle"] for r in recs)  # what R does before the call

    def interrupted_on_entry(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(dispatch_module, "dispatch", interrupted_on_entry)
        with pytest.raises(KeyboardInterrupt):
            dispatch_module.dispatch("get_uid", {"prefix": "x"})
    assert api.live_handles() == held  # nothing given back yet, nothing lost
    assert dispatch("get_uid", {"prefix": "x"}) == 1
    assert api.live_handles() == held - 5


def test_one_cut_rule_for_echoed_values_and_messages():
    from r_bridge.messages import ECHO_LIMIT, cut, shown

    assert cut("abc", 3) == "abc"
    text = "a" * 50 + "b" * 60 + "c" * 50
    assert cut(text, 100) == "a" * 38 + " …[84 characters cut]… " + "c" * 38
    assert len(shown("x" * 10**5)) <= ECHO_LIMIT and shown("x" * 10**5).startswith("x" * 30 + "x")
    # The limit holds with the marker (the stress suite's 100,000-character
    # file name gave a 1,024-character message), and the marker's count is
    # what was left out.
    import re

    for n in (101, 1000, 1001, 10**5, 10**6 + 7):
        text = "".join(chr(65 + i % 26) for i in range(n))
        for limit in (40, 99, 100, 1000):
            out = cut(text, limit)
            if n <= limit:
                assert out == text
                continue
            head, count, tail = re.fullmatch(r"(.*) …\[(\d+) characters cut\]… (.*)", out).groups()
            assert len(out) <= limit and len(head) == len(tail) >= 1
            assert text.startswith(head) and text.endswith(tail) and len(head) + int(count) + len(tail) == n
    # A file path is echoed at half a message, so the message holds it, cut
    # once, and the dispatcher does not cut it again.
    for path in ("x" * 10**5, "x" * 10**5 + ".keras"):
        message = dispatch("load_model", {"filepath": path})["message"]
        assert len(message) <= MAX_MESSAGE and message.count("characters cut") == 1, message[:80]
        assert message.startswith("File ") and message.endswith(("file.", "files."))
    assert shown("it's", conversion="r") == '"it\'s"'
    assert error_record(ValueError("y" * 10**5))["message"] == cut("y" * 10**5, MAX_MESSAGE)
