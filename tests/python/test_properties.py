"""Property-based tests (hypothesis) of naming invariants."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

import r_bridge
from r_bridge import naming
from r_bridge.layers import Activation, Dense, Dropout, Flatten

LAYERS = {
    "dense": lambda name: Dense(2, name=name),
    "dropout": lambda name: Dropout(0.5, name=name),
    "activation": lambda name: Activation("relu", name=name),
    "flatten": lambda name: Flatten(name=name),
}
AUTO_PREFIXES = set(LAYERS) | {"seed_generator"}

explicit_names = st.one_of(
    st.none(),
    st.sampled_from(["dense", "dense_1", "dropout", "x", "flatten_2"]),
    st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True),
)
ops = st.one_of(
    st.tuples(st.just("layer"), st.sampled_from(sorted(LAYERS)), explicit_names),
    st.tuples(st.just("get_uid"), st.sampled_from(["dense", "dropout", "custom", ""])),
    st.tuples(st.just("reset_uids")),
    st.tuples(st.just("clear_session")),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ops, max_size=40))
def test_auto_names_unique_and_counters_monotonic(sequence):
    r_bridge.clear_session(free_memory=False)
    auto_names = set()
    prev = naming.uid_counts()
    for op in sequence:
        kind = op[0]
        if kind == "layer":
            _, layer_kind, name = op
            layer = LAYERS[layer_kind](name)
            if name is None:
                assert layer.name not in auto_names
                assert re.fullmatch(rf"{layer_kind}(_[1-9][0-9]*)?", layer.name)
                auto_names.add(layer.name)
            else:
                assert layer.name == name
        elif kind == "get_uid":
            before = naming.uid_counts().get(op[1], 0)
            assert naming.get_uid(op[1]) == before + 1
            # a name this counter would have produced is now taken
            if op[1] in AUTO_PREFIXES:
                auto_names.add(op[1] if before == 0 else f"{op[1]}_{before}")
        else:
            (
                naming.reset_uids
                if kind == "reset_uids"
                else lambda: r_bridge.clear_session(free_memory=False)
            )()
            assert naming.uid_counts() == {}
            auto_names = set()
            prev = {}
            continue
        now = naming.uid_counts()
        for prefix, count in prev.items():
            assert now.get(prefix, 0) >= count
        if kind == "layer" and op[2] is not None:
            # explicit names never touch counters (a Dropout still names its seed generator)
            assert {k: v for k, v in now.items() if k != "seed_generator"} == {
                k: v for k, v in prev.items() if k != "seed_generator"
            }
        prev = now


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(sorted(LAYERS)), max_size=30))
def test_auto_names_follow_counts(kinds):
    r_bridge.clear_session(free_memory=False)
    seen = {}
    for kind in kinds:
        layer = LAYERS[kind](None)
        n = seen.get(kind, 0)
        assert layer.name == (kind if n == 0 else f"{kind}_{n}")
        seen[kind] = n + 1
    assert {k: v for k, v in naming.uid_counts().items() if k != "seed_generator"} == seen


# to_snake_case: its output has no upper-case ASCII letters and no non-word
# characters, so applying it again changes nothing (checked on ASCII; for
# arbitrary Unicode, str.lower() can produce combining marks that the
# second pass removes, so idempotence is not claimed there).
ascii_identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ascii_identifiers, st.text(alphabet=st.characters(max_codepoint=127), max_size=20)))
def test_to_snake_case_idempotent_on_ascii(name):
    once = naming.to_snake_case(name)
    assert naming.to_snake_case(once) == once
    assert once == once.lower()
    assert re.fullmatch(r"\w*", once)


@settings(max_examples=200, deadline=None)
@given(ascii_identifiers)
def test_to_snake_case_keeps_word_characters(name):
    once = naming.to_snake_case(name)
    assert once.replace("_", "") == name.replace("_", "").lower()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=30))
def test_uniquify_never_repeats(prefixes):
    r_bridge.clear_session(free_memory=False)
    names = [naming.uniquify(p) for p in prefixes]
    assert len(names) == len(set(names))
