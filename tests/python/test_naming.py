"""r_bridge.naming: snake case, unique names, uid counters, name scopes, atomic()."""

import pytest

import r_bridge
from r_bridge import naming
from r_bridge.layers import Dense, Layer


@pytest.mark.parametrize(
    "cls, expected",
    [
        ("MyCustomLayer", "my_custom_layer"),
        ("HTTPLayer2D", "http_layer2d"),
        ("Dense", "dense"),
        ("KerasTensor", "keras_tensor"),
        ("InputLayer", "input_layer"),
        ("SeedGenerator", "seed_generator"),
        ("Conv2D", "conv2d"),
        ("already_snake", "already_snake"),
        ("My Layer!", "my_layer"),  # non-word characters are dropped
    ],
)
def test_to_snake_case(cls, expected):
    assert naming.to_snake_case(cls) == expected


def test_uniquify_sequence():
    assert [naming.uniquify("x") for _ in range(4)] == ["x", "x_1", "x_2", "x_3"]
    assert naming.uniquify("y") == "y"
    assert naming.uid_counts() == {"x": 4, "y": 1}


def test_auto_name_uses_snake_case_prefix():
    assert naming.auto_name("MyCustomLayer") == "my_custom_layer"
    assert naming.auto_name("MyCustomLayer") == "my_custom_layer_1"
    assert naming.auto_name("my_custom_layer") == "my_custom_layer_2"


def test_get_uid_shares_counters_with_auto_names():
    assert naming.get_uid("dense") == 1
    assert Dense(2).name == "dense_1"
    assert naming.get_uid("dense") == 3
    assert Dense(2).name == "dense_3"
    assert r_bridge.get_uid("dense") == 5


def test_get_uid_default_prefix_and_independent_prefixes():
    assert [naming.get_uid() for _ in range(3)] == [1, 2, 3]
    assert naming.get_uid("a") == 1
    assert naming.get_uid("b") == 1
    assert naming.get_uid("a") == 2
    assert naming.uid_counts() == {"": 3, "a": 2, "b": 1}


@pytest.mark.parametrize("bad", [1, None, b"dense"])
def test_get_uid_prefix_must_be_string(bad):
    with pytest.raises(TypeError, match="`prefix` must be a string"):
        naming.get_uid(bad)
    assert naming.uid_counts() == {}


def test_reset_uids_resets_counters_only():
    Dense(2)
    naming.get_uid("x")
    r_bridge.config.disable_interactive_logging()
    with naming.name_scope("kept"):
        assert r_bridge.reset_uids() is None
        assert naming.current_path() == "kept"
    assert naming.uid_counts() == {}
    assert Dense(2).name == "dense"
    assert naming.get_uid("x") == 1
    assert r_bridge.config.is_interactive_logging_enabled() is False


def test_uid_counts_is_a_copy_in_first_use_order():
    naming.uniquify("b")
    naming.uniquify("a")
    counts = naming.uid_counts()
    assert list(counts) == ["b", "a"]
    counts["b"] = 100
    assert naming.uniquify("b") == "b_1"


def test_set_uid_counts():
    naming.set_uid_counts({"dense": 5})
    assert Dense(2).name == "dense_5"
    for bad in ({"x": -1}, {"x": 1.5}, {"x": True}, {1: 1}):
        with pytest.raises(ValueError, match="Invalid counter"):
            naming.set_uid_counts(bad)
    assert naming.uid_counts() == {"dense": 6}


SLASH_MESSAGE = (
    "Argument `name` must be a string and cannot contain character `/`. "
    "Received: name=a/b (of type <class 'str'>)"
)


def test_names_with_slash_are_rejected_with_keras_message():
    with pytest.raises(ValueError) as err:
        Dense(2, name="a/b")
    assert str(err.value) == SLASH_MESSAGE
    with pytest.raises(ValueError) as err:
        naming.validate_name("a/b")
    assert str(err.value) == SLASH_MESSAGE
    assert naming.uid_counts() == {}


def test_non_string_name_is_rejected():
    with pytest.raises(ValueError) as err:
        Dense(2, name=3)
    assert str(err.value).endswith("Received: name=3 (of type <class 'int'>)")
    assert naming.uid_counts() == {}


def test_validate_name_returns_name():
    assert naming.validate_name("ok_name") == "ok_name"


def test_name_scope_nesting():
    assert naming.current_path() == ""
    with naming.name_scope("outer") as scope:
        assert scope.name == "outer"
        assert naming.current_path() == "outer"
        with r_bridge.name_scope("inner"):
            assert naming.current_path() == "outer/inner"
        assert naming.current_path() == "outer"
    assert naming.current_path() == ""


def test_name_scope_pops_on_exception():
    with pytest.raises(RuntimeError), naming.name_scope("a"):
        raise RuntimeError("boom")
    assert naming.current_path() == ""


def test_name_scope_does_not_touch_layer_names():
    with naming.name_scope("block"):
        assert Dense(2).name == "dense"


@pytest.mark.parametrize("bad", ["a/b", 3, None])
def test_name_scope_rejects_bad_names(bad):
    with pytest.raises(ValueError, match="cannot contain character `/`"):
        naming.name_scope(bad)


def test_atomic_rolls_back_counters_on_error():
    naming.uniquify("x")
    with pytest.raises(RuntimeError), naming.atomic():
        naming.uniquify("x")
        naming.uniquify("y")
        naming.get_uid("z")
        raise RuntimeError("fail")
    assert naming.uid_counts() == {"x": 1}
    assert naming.uniquify("x") == "x_1"


def test_atomic_rolls_back_from_empty_session():
    with pytest.raises(ValueError), naming.atomic():
        naming.uniquify("x")
        raise ValueError
    assert naming.uid_counts() == {}


def test_atomic_keeps_counters_on_success():
    with naming.atomic():
        naming.uniquify("x")
    assert naming.uid_counts() == {"x": 1}


def test_atomic_nested_blocks_restore_only_at_the_outermost():
    # Re-entrant (issue 18 item 1): an inner block neither snapshots nor
    # restores; the outermost block restores everything its block dealt.
    naming.uniquify("before")
    with pytest.raises(KeyError), naming.atomic() as outer:
        naming.uniquify("outer")
        with naming.atomic() as inner, naming.atomic() as innermost:
            naming.uniquify("inner")
            assert inner._saved is None and innermost._saved is None  # no snapshot taken
            assert outer._saved is not None
        raise KeyError
    assert naming.uid_counts() == {"before": 1}


def test_atomic_nested_failure_caught_inside_the_outer_block_keeps_its_names():
    # Only the outermost block restores: a failure the block itself catches
    # is not the block failing (Keras never restores anything).
    with naming.atomic():
        naming.uniquify("outer")
        with pytest.raises(KeyError), naming.atomic():
            naming.uniquify("inner")
            raise KeyError
        naming.uniquify("after")
    assert naming.uid_counts() == {"outer": 1, "inner": 1, "after": 1}


def test_atomic_nested_in_a_called_function_is_covered_by_the_outer_block():
    def inner_fails():
        with naming.atomic() as inner:
            naming.uniquify("inner")
            assert inner._saved is None
            raise ValueError("bad input")

    with pytest.raises(ValueError), naming.atomic():
        naming.uniquify("outer")
        inner_fails()
    assert naming.uid_counts() == {}
    with naming.atomic() as again:  # the outer block released the session
        assert again._saved is not None


def test_atomic_mark_left_by_a_block_never_exited_is_stale_once_its_frame_is_gone():
    # An interrupt on entry to __exit__ (or a block entered by hand and
    # dropped) leaves the session marked; a later block must not take it
    # for an open outer block, or failures would consume names.
    def enter_and_drop():
        naming.atomic().__enter__()

    enter_and_drop()
    assert naming.state.get_global_attribute(naming._ATOMIC) is not None  # the mark is left
    naming.uniquify("x")
    with pytest.raises(ValueError), naming.atomic() as block:
        assert block._saved is not None  # outermost, not nested in the dead one
        naming.uniquify("x")
        raise ValueError
    assert naming.uid_counts() == {"x": 1}
    assert naming.state.get_global_attribute(naming._ATOMIC) is None


def test_atomic_interrupted_on_exit_entry_leaves_no_cover_behind():
    # The with statement drops the block when the interrupt unwinds it.
    def interrupted():
        with naming.atomic():
            naming.uniquify("y")
            raise KeyboardInterrupt  # (what a signal on entry to __exit__ leaves: no exit ran)

    original_exit = naming.atomic.__exit__
    naming.atomic.__exit__ = lambda self, *exc: False  # an __exit__ that does nothing
    try:
        with pytest.raises(KeyboardInterrupt):
            interrupted()
    finally:
        naming.atomic.__exit__ = original_exit
    with pytest.raises(ValueError), naming.atomic() as block:
        assert block._saved is not None
        naming.uniquify("y")
        raise ValueError
    assert naming.uid_counts() == {"y": 1}


def test_atomic_block_whose_exit_was_interrupted_covers_nothing_while_its_traceback_lives():
    # What the sigalrm stress part found with a weak-reference mark: a
    # signal on entry to __exit__ leaves the block alive in that frame of
    # the traceback (as `self`), and R or a debugger keeps the traceback.
    def exit_interrupted(self, *exc):
        raise KeyboardInterrupt  # (raised where a signal on entry would be)

    def block():  # (as r_bridge's blocks are: in a function that the interrupt leaves)
        with naming.atomic():
            naming.uniquify("z")

    original_exit = naming.atomic.__exit__
    naming.atomic.__exit__ = exit_interrupted
    try:
        try:
            block()
        except KeyboardInterrupt as e:
            kept = e
    finally:
        naming.atomic.__exit__ = original_exit
    with pytest.raises(ValueError), naming.atomic() as block:
        assert block._saved is not None  # outermost: the interrupted block is not open
        naming.uniquify("z")
        raise ValueError
    assert naming.uid_counts() == {"z": 1}
    assert kept.__traceback__ is not None


def test_atomic_block_opened_after_a_clear_inside_the_outer_one_is_outermost_in_the_new_session():
    import r_bridge

    naming.uniquify("old")
    with pytest.raises(RuntimeError), naming.atomic():
        r_bridge.clear_session(free_memory=False)
        naming.uniquify("kept")
        with pytest.raises(ValueError), naming.atomic() as inner:
            assert inner._saved is not None
            naming.uniquify("given_back")
            raise ValueError
        raise RuntimeError  # the outer block does not undo the new session
    assert naming.uid_counts() == {"kept": 1}


def test_atomic_blocks_in_other_threads_are_their_own_outermost():
    import threading

    seen = []

    def worker():
        with pytest.raises(ValueError), naming.atomic() as block:
            seen.append(block._saved is not None)
            naming.uniquify("t")
            raise ValueError
        seen.append(naming.uid_counts())

    with naming.atomic():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
    assert seen == [True, {}]


def test_custom_layer_auto_named_from_class():
    class MyCustomLayer(Layer):
        pass

    class HTTPLayer2D(Layer):
        pass

    assert [MyCustomLayer().name, MyCustomLayer().name] == ["my_custom_layer", "my_custom_layer_1"]
    assert HTTPLayer2D().name == "http_layer2d"
    assert Layer().name == "layer"


def test_name_scope_deduplicates_same_caller_and_name():
    owner = object()
    with naming.name_scope("block", caller=owner):
        with naming.name_scope("block", caller=owner):
            assert naming.current_path() == "block"
        with naming.name_scope("block", caller=owner, deduplicate=False):
            assert naming.current_path() == "block/block"
        with naming.name_scope("block"):  # no caller: a new level
            assert naming.current_path() == "block/block"
    assert naming.current_path() == ""


def test_name_scope_override_parent_and_caller_parent_path():
    with naming.name_scope("outer"):
        with naming.name_scope("mid", override_parent="/abs/path"), naming.name_scope("inner"):
            assert naming.current_path() == "abs/path/mid/inner"
        assert naming.current_path() == "outer"

        class Owner:
            _parent_path = "p/q"

        with naming.name_scope("x", caller=Owner()):
            assert naming.current_path() == "p/q/x"
        with naming.name_scope("x", caller=Owner(), deduplicate=False):
            assert naming.current_path() == "outer/x"


def test_name_scope_exit_without_enter_pops_nothing():
    with naming.name_scope("kept"):
        naming.name_scope("other").__exit__(None, None, None)
        assert naming.current_path() == "kept"


def test_name_scope_exit_after_clear_session_leaves_new_session_alone():
    scope = naming.name_scope("old")
    scope.__enter__()
    r_bridge.clear_session()
    with naming.name_scope("new"):
        scope.__exit__(None, None, None)
        assert naming.current_path() == "new"
    assert naming.current_path() == ""


def test_get_object_name():
    class Named:
        name = "given"

    class NoName:
        pass

    def my_function():
        pass

    assert naming.get_object_name(Named()) == "given"
    assert naming.get_object_name(my_function) == "my_function"
    assert naming.get_object_name(NoName()) == "no_name"
    assert naming.get_object_name(Dense) == "dense"
    assert naming.get_object_name(Dense(2, name="d")) == "d"
