"""r_bridge.config: settings, Keras's validation messages, random seeds."""

import ast
import math
import random

import numpy as np
import pytest

import r_bridge
from r_bridge import config, naming, state
from r_bridge import random as rb_random
from r_bridge.layers import Dense, Dropout


def test_defaults():
    assert config.floatx() == "float32"
    assert config.epsilon() == 1e-7
    assert config.image_data_format() == "channels_last"
    assert config.backend() == "numpy"
    assert config.dtype_policy() == "float32"
    assert config.is_interactive_logging_enabled() is True
    assert config.is_traceback_filtering_enabled() is True


@pytest.mark.parametrize("value", ["bfloat16", "float16", "float32", "float64"])
def test_set_floatx(value):
    assert config.set_floatx(value) is None
    assert config.floatx() == value
    assert type(config.floatx()) is str


@pytest.mark.parametrize("bad", ["float8", "int32", None, 32])
def test_set_floatx_invalid_keras_message(bad):
    with pytest.raises(ValueError) as err:
        config.set_floatx(bad)
    msg = str(err.value)
    prefix = f"Unknown `floatx` value: {bad}. Expected one of "
    assert msg.startswith(prefix)
    # Keras prints a set (its order depends on hashing); compare as sets.
    assert ast.literal_eval(msg[len(prefix) :]) == {"bfloat16", "float16", "float32", "float64"}
    assert config.floatx() == "float32"


@pytest.mark.parametrize("value", [1e-3, 0, 0.0, 1, np.float64(1e-5)])
def test_set_epsilon(value):
    config.set_epsilon(value)
    assert config.epsilon() == value
    assert type(config.epsilon()) is float


@pytest.mark.parametrize("bad", [-1e-7, math.inf, math.nan, "1e-7", None, True])
def test_set_epsilon_invalid(bad):
    with pytest.raises(TypeError, match="`value` must be a finite, non-negative number"):
        config.set_epsilon(bad)
    assert config.epsilon() == 1e-7


@pytest.mark.parametrize("value", ["channels_first", "channels_last"])
def test_set_image_data_format(value):
    config.set_image_data_format(value)
    assert config.image_data_format() == value


def test_set_image_data_format_is_case_insensitive_like_keras():
    config.set_image_data_format("Channels_First")
    assert config.image_data_format() == "channels_first"


def test_set_image_data_format_invalid_keras_message():
    with pytest.raises(ValueError) as err:
        config.set_image_data_format("channels_middle")
    assert str(err.value) == (
        "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
        "Received: data_format=channels_middle"
    )
    assert config.image_data_format() == "channels_last"


def test_dtype_policy():
    config.set_dtype_policy("float64")
    assert config.dtype_policy() == "float64"
    assert Dense(2).dtype == "float64"
    config.set_dtype_policy("mixed_float16")
    assert Dense(2).dtype == "float32"
    with pytest.raises(ValueError, match="Invalid dtype policy"):
        config.set_dtype_policy("int8")
    assert config.dtype_policy() == "mixed_float16"


def test_floatx_drives_new_weights_dtype():
    config.set_floatx("float64")
    layer = Dense(3)
    out = layer(np.ones((1, 2)))
    assert layer.get_weights()[0].dtype == np.float64
    assert out.dtype == np.float64


def test_flags_toggle():
    config.disable_interactive_logging()
    assert config.is_interactive_logging_enabled() is False
    config.enable_interactive_logging()
    assert config.is_interactive_logging_enabled() is True
    config.disable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is False
    config.enable_traceback_filtering()
    assert config.is_traceback_filtering_enabled() is True


def kernel_after_seed(seed):
    rb_random.set_random_seed(seed)
    layer = Dense(4)
    layer(np.ones((1, 3)))
    return layer.get_weights()[0]


def test_set_random_seed_reproducible():
    a = kernel_after_seed(42)
    b = kernel_after_seed(42)
    c = kernel_after_seed(43)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # Glorot uniform limits.
    limit = math.sqrt(6 / (3 + 4))
    assert np.all(np.abs(a) <= limit)


def test_set_random_seed_seeds_python_and_numpy():
    r_bridge.set_random_seed(5)
    first = (random.random(), np.random.rand())
    r_bridge.set_random_seed(5)
    assert (random.random(), np.random.rand()) == first


def test_set_random_seed_reproducible_across_clear_session():
    a = kernel_after_seed(1)
    r_bridge.clear_session(free_memory=False)
    b = kernel_after_seed(1)
    np.testing.assert_array_equal(a, b)


def test_set_random_seed_consumes_no_names():
    rb_random.set_random_seed(42)
    assert naming.uid_counts() == {}
    Dropout(0.5)
    assert naming.uid_counts() == {"dropout": 1, "seed_generator": 1}


@pytest.mark.parametrize(
    "bad, shown",
    [
        (1.5, "1.5 (of type <class 'float'>)"),
        ("1", "1 (of type <class 'str'>)"),
        (True, "True (of type <class 'bool'>)"),
        (None, "None (of type <class 'NoneType'>)"),
    ],
)
def test_set_random_seed_invalid_message(bad, shown):
    with pytest.raises(ValueError) as err:
        rb_random.set_random_seed(bad)
    assert str(err.value) == f"Expected `seed` argument to be an integer. Received: seed={shown}"


def test_set_random_seed_accepts_numpy_int():
    rb_random.set_random_seed(np.int64(3))
    a = Dense(2)
    a(np.ones((1, 2)))
    rb_random.set_random_seed(3)
    b = Dense(2)
    b(np.ones((1, 2)))
    np.testing.assert_array_equal(a.get_weights()[0], b.get_weights()[0])


# ------------------------------------------------------- get / set by name
def test_get_by_name_matches_getters():
    assert config.get("floatx") == config.floatx()
    assert config.get("epsilon") == config.epsilon()
    assert config.get("image_data_format") == config.image_data_format()
    assert config.get("backend") == "numpy"
    assert config.get("interactive_logging") is True
    assert config.get("traceback_filtering") is True
    assert config.get("dtype_policy") == "float32"


def test_set_returns_previous_value():
    assert config.set("floatx", "float64") == "float32"
    assert config.set("floatx", "float16") == "float64"
    assert config.set("epsilon", 0.5) == 1e-7
    assert config.set("image_data_format", "channels_first") == "channels_last"
    assert config.set("interactive_logging", False) is True
    assert config.is_interactive_logging_enabled() is False
    assert config.set("traceback_filtering", False) is True
    assert config.set("dtype_policy", "mixed_bfloat16") == "float16"


def test_set_flag_must_be_bool():
    with pytest.raises(TypeError, match="must be a bool"):
        config.set("interactive_logging", 1)
    assert config.is_interactive_logging_enabled() is True


def test_set_invalid_value_keeps_setting():
    with pytest.raises(ValueError, match="Unknown `floatx` value"):
        config.set("floatx", "float8")
    assert config.floatx() == "float32"


def test_backend_is_read_only():
    with pytest.raises(ValueError, match="'backend' is read-only"):
        config.set("backend", "jax")
    assert config.backend() == "numpy"


def test_unknown_setting():
    with pytest.raises(ValueError, match="Unknown setting: 'nope'"):
        config.get("nope")
    with pytest.raises(ValueError, match="Unknown setting: 'nope'"):
        config.set("nope", 1)


def test_as_dict():
    d = config.as_dict()
    assert d == {
        "floatx": "float32",
        "epsilon": 1e-7,
        "image_data_format": "channels_last",
        "backend": "numpy",
        "interactive_logging": True,
        "traceback_filtering": True,
        "dtype_policy": "float32",
    }
    config.set_floatx("float64")
    assert config.as_dict()["floatx"] == "float64"


def test_set_image_data_format_message_shows_lowercased_value_like_keras():
    with pytest.raises(ValueError, match=r"Received: data_format=nchw$"):
        config.set_image_data_format("NCHW")
    assert config.image_data_format() == "channels_last"


def test_set_epsilon_huge_int_is_a_float_or_a_clear_error():
    config.set_epsilon(2**70)  # Keras accepts it too
    assert config.epsilon() == float(2**70)
    config.set_epsilon(1e-7)
    with pytest.raises(TypeError, match=r"^`value` must be a finite, non-negative number"):
        config.set_epsilon(10**400)  # beyond float: not numpy's or Python's message
    assert config.epsilon() == 1e-7


@pytest.mark.parametrize("bad", [-1, 2**32, 2**70])
def test_set_random_seed_out_of_range_is_clear(bad):
    with pytest.raises(ValueError) as err:
        rb_random.set_random_seed(bad)
    assert str(err.value) == (f"Argument `seed` must be between 0 and 2**32 - 1. Received: seed={bad}")
    assert state.get_global_attribute("global_random_seed") is None


def test_standardize_data_format_is_the_one_check():
    assert config.standardize_data_format(None) == config.image_data_format()
    assert config.standardize_data_format("Channels_First") == "channels_first"
    with pytest.raises(ValueError, match="The `data_format` argument must be one of"):
        config.standardize_data_format("nchw")


@pytest.mark.parametrize(
    "bad, message",
    [
        (
            True,
            "Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. Received: dtype=True",
        ),
        (
            3,
            "Cannot interpret `dtype` argument. Expected a string or an instance of DTypePolicy. Received: dtype=3",
        ),
        ("foo", "Cannot convert 'foo' to a mixed precision DTypePolicy."),
    ],
)
def test_standardize_dtype_keras_messages(bad, message):
    with pytest.raises(ValueError) as err:
        config.standardize_dtype(bad)
    assert str(err.value).startswith(message)


def test_set_image_data_format_rejects_none_as_keras():
    with pytest.raises(ValueError, match="Received: data_format=none"):
        config.set_image_data_format(None)
    assert config.image_data_format() == "channels_last"
