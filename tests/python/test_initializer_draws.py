"""r_bridge.initializers' draws and checks: fans by kernel rank (Keras's
compute_fans), the bounds and spread each distribution implies, seeds,
equality, and the errors for bad arguments and custom objects."""

from __future__ import annotations

import math

import numpy as np
import pytest

from r_bridge import initializers as ini


@pytest.mark.parametrize(
    "shape,fans",
    [((), (1, 1)), ((7,), (7, 7)), ((3, 5), (3, 5)), ((2, 3, 4, 5), (24, 30))],
)
def test_fans_by_rank(shape, fans):
    assert ini._fans(shape) == fans


@pytest.mark.parametrize(
    "mode,scale,shape",
    [("fan_in", 1.0, (3, 3, 4, 8)), ("fan_out", 2.0, (50, 20)), ("fan_avg", 0.5, (30, 70))],
)
def test_variance_scaling_uniform_bound_follows_mode(mode, scale, shape):
    fan_in, fan_out = ini._fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    limit = math.sqrt(3 * scale / n)
    w = ini.VarianceScaling(scale=scale, mode=mode, distribution="uniform", seed=1)(shape)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.9 * limit


def test_normal_distributions_spread():
    shape = (400, 100)  # fan_in 400: variance 1/400
    untrunc = ini.VarianceScaling(distribution="untruncated_normal", seed=2)(shape)
    assert abs(untrunc.std() - math.sqrt(1 / 400)) < 0.002
    trunc = ini.VarianceScaling(distribution="normal", seed=2)(shape)
    # truncated at two of its own standard deviations (stddev / 0.8796...)
    stddev = math.sqrt(1 / 400) / 0.87962566103423978
    assert np.abs(trunc).max() <= 2 * stddev
    assert abs(trunc.std() - math.sqrt(1 / 400)) < 0.002
    tn = ini.TruncatedNormal(mean=1.0, stddev=0.1, seed=3)((1000,))
    assert np.all(np.abs(tn - 1.0) <= 0.2) and abs(tn.mean() - 1.0) < 0.01
    rn = ini.RandomNormal(mean=-2.0, stddev=0.5, seed=3)((5000,))
    assert abs(rn.mean() + 2.0) < 0.05 and abs(rn.std() - 0.5) < 0.05


def test_seeded_initializers_repeat_and_dtype_is_applied():
    a = ini.RandomUniform(minval=0, maxval=1, seed=5)
    assert np.array_equal(a((3, 2)), a((3, 2)))
    assert a((3, 2), dtype="float16").dtype == np.float16
    c = ini.Constant(value=2.5)((2,), dtype="float32")
    assert c.dtype == np.float32 and c.tolist() == [2.5, 2.5]
    assert ini.Ones()((2,)).tolist() == [1.0, 1.0]


def test_equality_hash_and_repr():
    assert ini.RandomUniform(seed=1) == ini.RandomUniform(seed=1)
    assert ini.RandomUniform(seed=1) != ini.RandomUniform(seed=2)
    assert ini.RandomNormal() != ini.TruncatedNormal()
    assert ini.Zeros() != "zeros"
    assert len({ini.Ones(), ini.Ones()}) == 1
    assert repr(ini.Constant(value=3)) == "<Constant {'value': 3}>"


@pytest.mark.parametrize(
    "make,match",
    [
        (
            lambda: ini.RandomUniform(low=1),
            r"Unrecognized arguments for initializer RandomUniform: \['low'\]",
        ),
        (lambda: ini.RandomNormal(seed=1.5), "`seed` of initializer RandomNormal must be an integer or None"),
        (lambda: ini.RandomNormal(seed=True), "must be an integer or None"),
        (lambda: ini.VarianceScaling(mode="fan"), "Invalid `mode` argument"),
        (lambda: ini.VarianceScaling(distribution="cauchy"), "Invalid `distribution` argument"),
        (lambda: ini.VarianceScaling(input_axes=[0]), "`input_axes`/`output_axes` is not supported"),
        (lambda: ini.get("no_such_initializer"), "Could not interpret initializer identifier"),
        (lambda: ini.get(3), "Could not interpret initializer identifier: 3"),
        (lambda: ini.serialize(lambda shape: np.zeros(shape)), "Cannot serialize the custom initializer"),
        (lambda: ini.deserialize({"class_name": "Nope", "config": {}}), "Could not interpret initializer"),
        (
            lambda: ini.deserialize({"class_name": "Zeros", "module": "my.pkg", "config": {}}),
            "custom objects are not supported",
        ),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_get_and_serialize_round_trip():
    assert ini.get(None) is None and ini.serialize(None) is None
    fn = lambda shape: np.zeros(shape)  # noqa: E731
    assert ini.get(fn) is fn
    he = ini.get("he_normal")
    assert he is ini.get("he_normal")  # the default instance, made once
    rec = ini.serialize(ini.HeUniform(seed=4))
    assert rec["class_name"] == "HeUniform" and rec["config"]["seed"] == 4
    assert ini.get(rec) == ini.HeUniform(seed=4)
    assert ini.deserialize({"class_name": "Zeros", "config": None}) == ini.Zeros()
