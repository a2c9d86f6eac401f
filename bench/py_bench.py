"""Python-side figures for bench/run: speed, memory, scaling, profile.

Runs with either implementation (separate venvs, same interpreter version):

    .venv/bin/python       bench/py_bench.py speed   --impl rbridge
    .venv-keras/bin/python bench/py_bench.py speed   --impl keras   (KERAS_BACKEND=numpy)

and prints one JSON object on stdout. ``bench/run`` alternates the two
processes and computes ratios per round.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import threading
import time
import tracemalloc


def load(impl):
    if impl == "rbridge":
        import r_bridge as k

        return k.Sequential, k.layers.Dense, k.clear_session
    import keras as k

    return k.Sequential, k.layers.Dense, k.utils.clear_session


def per_call(fn, repeats=7, min_time=0.05):
    """Median seconds per call of ``fn()`` (timeit-style: number chosen so that
    one repeat lasts at least ``min_time``)."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time:
            break
        number *= 2 if dt * 4 > min_time else 10
    times = [dt / number]
    for _ in range(repeats - 1):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def speed(impl):
    Sequential, Dense, clear_session = load(impl)

    def dense():
        Dense(10)

    def example1():
        model = Sequential()
        for _ in range(10):
            model.add(Dense(10))

    def clear_false():
        clear_session(free_memory=False)

    def clear_true():
        clear_session(free_memory=True)

    for _ in range(20):  # warm caches, lazy imports
        example1()
    out = {
        "dense_us": per_call(dense) * 1e6,
        "example1_us": per_call(example1) * 1e6,
        "clear_false_us": per_call(clear_false) * 1e6,
    }
    example1()
    out["clear_true_us"] = per_call(clear_true, repeats=5, min_time=0.2) * 1e6
    return out


def link(impl):
    """r_bridge with real Keras in one process (run with .venv-keras; issue 17):
    ``Dense(10)`` before Keras is imported, then linked and opted out in
    alternate rounds; ``clear_session(True)`` of r_bridge (linked: it calls
    Keras's) against ``keras.utils.clear_session(True)``, alternating, as
    they are and after ``gc.freeze()`` (what R does after starting Python)."""
    import r_bridge
    from r_bridge import keras_link

    def dense():
        r_bridge.layers.Dense(10)

    def rounds(variants, n=7, **kw):
        # Alternating rounds; the best round of each (the least disturbed by
        # other load: the two differ by a few attribute reads at most).
        out = {name: [] for name in variants}
        for _ in range(n):
            for name, (setup, fn) in variants.items():
                setup()
                out[name].append(per_call(fn, **kw) * 1e6)
        return {name: min(v) for name, v in out.items()}

    def nothing():
        pass

    res = rounds({"dense_us_without_keras": (nothing, dense)})
    import keras

    res["linked"] = keras_link.status()["linked"]
    res.update(
        rounds(
            {
                "dense_us_linked": (lambda: keras_link.set_enabled(True), dense),
                "dense_us_opted_out": (lambda: keras_link.set_enabled(False), dense),
            }
        )
    )
    keras_link.set_enabled(True)

    def model():
        keras.Sequential([keras.Input((4,)), keras.layers.Dense(10)])
        r_bridge.Sequential([r_bridge.Input((4,)), r_bridge.layers.Dense(10)])

    clears = {
        "clear_true_us_rbridge": (model, lambda: r_bridge.clear_session(True)),
        "clear_true_us_keras": (model, lambda: keras.utils.clear_session(True)),
    }
    res.update(rounds(clears, n=3, repeats=3, min_time=0.2))
    gc.freeze()
    res.update({k + "_frozen": v for k, v in rounds(clears, n=3, repeats=5, min_time=0.1).items()})
    return res


def memory(impl, n, warmup=100):
    """Example 1 (first loop: no clear_session) ``n`` times with the cycle
    collector off: how much stays allocated, and how much is cyclic garbage."""
    Sequential, Dense, clear_session = load(impl)

    def example1():
        model = Sequential()
        for _ in range(10):
            model.add(Dense(10))

    for _ in range(5):
        example1()
    clear_session(free_memory=True)
    example1()  # counters exist for every prefix used
    gc.collect()
    gc.disable()
    tracemalloc.start()
    for _ in range(warmup):  # one-off allocations (tracemalloc's own, caches)
        example1()
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    t0 = time.perf_counter()
    for _ in range(n):
        example1()
    dt = time.perf_counter() - t0
    grown = tracemalloc.get_traced_memory()[0] - base
    collected = gc.collect()
    after = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    gc.enable()
    return {
        "iterations": n,
        "gc_collected": collected,
        "gc_collected_per_iter": collected / n,
        "traced_growth_bytes": grown,
        "traced_growth_per_iter": grown / n,
        "traced_after_collect_bytes": after,
        "seconds": dt,
    }


def scaling(impl, checkpoints):
    """µs per Dense(10) and per clear_session(False) after ``n`` layers were
    created (and dropped) since the last clear_session."""
    Sequential, Dense, clear_session = load(impl)
    pc = time.perf_counter_ns
    rows = []
    for n in checkpoints:
        dense_t, clear_t, control_t = [], [], []
        for rep in range(5):
            clear_session(free_memory=False)
            for _ in range(n):
                Dense(10)
            if rep == 0:  # naming cost at n layers: 200 single timings
                for _ in range(200):
                    t0 = pc()
                    Dense(10)
                    dense_t.append(pc() - t0)
            t0 = pc()
            clear_session(free_memory=False)
            clear_t.append(pc() - t0)
            # control: the same single-shot timing of an unrelated operation
            # of similar size after the same churn (cold caches, not r_bridge)
            for _ in range(n):
                Dense(10)
            t0 = pc()
            loc = threading.local()
            del loc
            control_t.append(pc() - t0)
        rows.append(
            {
                "layers": n,
                "dense_us": statistics.median(dense_t) / 1e3,
                "clear_false_us": statistics.median(clear_t) / 1e3,
                "control_us": statistics.median(control_t) / 1e3,
            }
        )
    return rows


def profile(impl, n):
    """cProfile of ``n`` Example 1 iterations: calls per iteration and the
    functions with the most own time."""
    import cProfile
    import io
    import pstats

    Sequential, Dense, clear_session = load(impl)

    def example1():
        model = Sequential()
        for _ in range(10):
            model.add(Dense(10))

    for _ in range(10):
        example1()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        example1()
    prof.disable()
    st = pstats.Stats(prof, stream=io.StringIO())
    buf = io.StringIO()
    st.stream = buf
    st.sort_stats("tottime").print_stats(14)
    text = buf.getvalue()
    text = text[text.find("ncalls") - 2 :] if "ncalls" in text else text
    return {
        "iterations": n,
        "calls_per_iter": st.total_calls / n,
        "primitive_calls_per_iter": st.prim_calls / n,
        "seconds_per_iter": st.total_tt / n,
        "top": text.rstrip(),
    }


def residual_bn(impl, rows=100_000, repeats=9):
    """predict() of a ``rows``-row batch through a residual MLP with
    BatchNormalization, side by side (alternated) with the same computation
    written directly in numpy on the same weights: median milliseconds and
    the ratio. r_bridge only (the reference is numpy, not Keras)."""
    import numpy as np

    if impl != "rbridge":
        raise SystemExit("residual_bn compares r_bridge with numpy: use --impl rbridge")
    import r_bridge
    from r_bridge import layers

    rng = np.random.default_rng(0)
    inputs = r_bridge.Input(shape=(100,))
    x = layers.Dense(64, activation="relu")(inputs)
    block = layers.BatchNormalization()(x)
    y = layers.Dense(64, activation="relu")(block)
    y = layers.BatchNormalization()(layers.add([y, block]))
    model = r_bridge.Model(inputs, layers.Dense(10)(y))
    # non-trivial moving statistics and scales
    model.set_weights([w + rng.random(w.shape).astype(w.dtype) for w in model.get_weights()])
    w1, b1, g1, be1, m1, v1, w2, b2, g2, be2, m2, v2, w3, b3 = model.get_weights()
    eps = 1e-3
    data = rng.random((rows, 100)).astype("float32")

    def bn(h, gamma, beta, mean, var):
        inv = gamma / np.sqrt(var + eps)
        return h * inv + (beta - mean * inv)

    def reference():
        h = bn(np.maximum(data @ w1 + b1, 0), g1, be1, m1, v1)
        return bn(np.maximum(h @ w2 + b2, 0) + h, g2, be2, m2, v2) @ w3 + b3

    def ours():
        return model.predict(data, batch_size=rows, verbose=0)

    np.testing.assert_allclose(ours(), reference(), rtol=1e-4, atol=1e-4)
    times = {"ours": [], "numpy": []}
    for _ in range(repeats):  # alternated, so both see the same machine load
        for name, fn in (("ours", ours), ("numpy", reference)):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    ours_ms = statistics.median(times["ours"]) * 1e3
    numpy_ms = statistics.median(times["numpy"]) * 1e3
    return {"rows": rows, "rbridge_ms": ours_ms, "numpy_ms": numpy_ms, "ratio": ours_ms / numpy_ms}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["speed", "memory", "scaling", "profile", "residual_bn", "link"])
    ap.add_argument("--impl", choices=["rbridge", "keras"], required=True)
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("--checkpoints", default="10,100,1000,10000,100000")
    a = ap.parse_args()
    if a.what == "speed":
        out = speed(a.impl)
    elif a.what == "memory":
        out = memory(a.impl, a.n, warmup=min(100, a.n))
    elif a.what == "residual_bn":
        out = residual_bn(a.impl)
    elif a.what == "link":
        out = link(a.impl)
    elif a.what == "scaling":
        out = scaling(a.impl, [int(x) for x in a.checkpoints.split(",")])
    else:
        out = profile(a.impl, a.n)
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main()
