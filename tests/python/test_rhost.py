"""Python hosting R in one process (``r_bridge.attach_r()``, through rpy2).

Every test that starts R runs it in a child Python process, so an abort
(SIGABRT, ``Fatal Python error``) is seen as an exit code instead of
killing pytest. Children print one JSON document on their last stdout line;
the test checks the exit code (0 unless the test documents an abort), that
nothing fatal reached stderr, and the values.

Skipped, with the reason, when R, rpy2 or the R package rbridge is missing
(the package is looked for where ``attach_r()`` looks: ``R_LIBS``,
``R_LIBS_USER``, the checkout's ``.Rlib``, R's libraries).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120

# Run first in every child: start R with rbridge attached through attach_r().
PRELUDE = """
import json, sys
import numpy as np
import r_bridge
from r_bridge.bridge import rhost
pkg = r_bridge.attach_r()
import rpy2.rinterface as ri
from rpy2.rinterface_lib.embedded import RRuntimeError
R = lambda code: ri.evalr(code)
R1 = lambda code: ri.evalr(code)[0]
def emit(**kw):
    print(json.dumps(kw, default=str))
"""


def run_child(code: str, prelude: bool = True, env: dict | None = None):
    """Run ``code`` in a fresh Python; returns the CompletedProcess."""
    source = (PRELUDE if prelude else "") + textwrap.dedent(code)
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full_env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", source],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def result_of(proc) -> dict:
    """Assert a clean exit and return the child's JSON (its last stdout line)."""
    assert proc.returncode == 0, (
        f"exit code {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    assert "Fatal Python error" not in proc.stderr, proc.stderr
    # R may print warnings on stdout (rpy2's reticulate notice) around it.
    lines = [
        ln[ln.index("{") :] for ln in proc.stdout.splitlines() if ln.rstrip().endswith("}") and "{" in ln
    ]
    assert lines, f"no JSON output\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return json.loads(lines[-1])


@functools.cache
def _missing() -> str | None:
    """Why R-hosting tests can't run here, or None."""
    if shutil.which("R") is None:
        return "R is not installed (no `R` on PATH)"
    try:
        import rpy2  # noqa: F401
    except ImportError:
        return "rpy2 is not installed (pip install rpy2==3.5.17)"
    probe = run_child(
        """
        import json
        try:
            import r_bridge
            r_bridge.attach_r()
            print(json.dumps({"ok": True}))
        except Exception as e:
            print(json.dumps({"ok": False, "type": type(e).__name__, "msg": str(e)}))
        """,
        prelude=False,
    )
    if probe.returncode != 0:
        return f"rpy2 can't start R here (exit {probe.returncode}): {probe.stderr.strip()[-300:]}"
    out = json.loads(probe.stdout.strip().splitlines()[-1])
    if not out["ok"]:
        if out["type"] == "PackageNotInstalledError":
            return (
                "the R package rbridge is not installed "
                "(cd repo && mkdir -p .Rlib && R CMD INSTALL --library=.Rlib .)"
            )
        return f"attach_r() failed: {out['type']}: {out['msg']}"
    return None


@pytest.fixture
def needs_r():
    reason = _missing()
    if reason:
        pytest.skip(reason)


# ------------------------------------------------------------ no R needed
def test_attach_r_without_rpy2_raises_import_error():
    proc = run_child(
        """
        import sys, json
        sys.modules["rpy2"] = None  # as if rpy2 were not installed
        import r_bridge
        try:
            r_bridge.attach_r()
        except ImportError as e:
            print(json.dumps({"type": type(e).__name__, "msg": str(e)}))
        """,
        prelude=False,
    )
    out = result_of(proc)
    from r_bridge.bridge.rhost import RPY2_MISSING

    assert out["msg"] == RPY2_MISSING and "r_bridge[" not in out["msg"]


def test_rpy2_is_3_5():
    """Fact: rpy2 3.6.x does not load with R 4.2 (``undefined symbol:
    R_getVar``, an R 4.5 API), so the ``r`` extra pins 3.5.17. Installing 3.6
    here is not possible without breaking the environment, so this only
    checks the pin holds."""
    rpy2 = pytest.importorskip("rpy2", reason="rpy2 is not installed")
    assert rpy2.__version__.startswith("3.5"), rpy2.__version__


# ------------------------------------------------------------ conversions
def test_conversions_r_to_python(needs_r):
    out = result_of(
        run_child("""
        f = lambda code: rhost.from_r(R(code))
        m = f("matrix(1:6, nrow = 2)")                 # column-major: [1,3,5 / 2,4,6]
        a = f("array(as.double(1:24), c(2, 3, 4))")
        emit(
            null=f("NULL"), t=f("TRUE"), i=f("3L"), d=f("2.5"), s=f("'x'"),
            na=[f("NA"), f("NA_integer_"), f("NA_real_"), f("NA_character_")],
            nan_is_float=isinstance(f("NaN"), float),
            vec=f("c(1L, 2L, NA)"), empty=f("list()"), named=f("list(a = 1L, b = list(2, NULL))"),
            factor=f("factor(c('u', 'v'))"),
            m=m.tolist(), m_dtype=str(m.dtype), m_shape=list(m.shape),
            a_ok=bool((a == np.arange(1, 25, dtype=float).reshape((2, 3, 4), order="F")).all()),
            a121=float(a[1, 2, 1]), a121_r=R1("array(as.double(1:24), c(2, 3, 4))[2, 3, 2]"),
            one_d=f("array(5, 1)").tolist(),
            int_na_matrix=str(f("matrix(c(1L, NA), 1)").dtype),
            types=[type(f(x)).__name__ for x in ("TRUE", "1L", "1", "'a'")],
        )
    """)
    )
    assert out["null"] is None and out["t"] is True and out["i"] == 3 and out["d"] == 2.5 and out["s"] == "x"
    assert out["na"] == [None, None, None, None] and out["nan_is_float"]
    assert out["types"] == ["bool", "int", "float", "str"]
    assert out["vec"] == [1, 2, None]
    assert out["empty"] == [] and out["named"] == {"a": 1, "b": [2.0, None]}
    assert out["factor"] == ["u", "v"]
    assert out["m"] == [[1, 3, 5], [2, 4, 6]] and out["m_dtype"] == "int64" and out["m_shape"] == [2, 3]
    assert out["a_ok"] and out["a121"] == out["a121_r"] == 12.0
    assert out["one_d"] == [5.0] and out["int_na_matrix"] == "float64"


def test_conversions_python_to_r(needs_r):
    out = result_of(
        run_child("""
        def same(value, r_code):
            ri.globalenv["got"] = rhost.to_r(value)
            return bool(R1(f"identical(got, {r_code})"))
        try:
            rhost.to_r(object())
            bad = None
        except TypeError as e:
            bad = str(e)
        x = R("matrix(rnorm(12), 3)")
        ri.globalenv["x"] = x
        ri.globalenv["back"] = rhost.to_r(rhost.from_r(x))
        roundtrip = bool(R1("identical(x, back)"))
        emit(bad=bad, roundtrip=roundtrip, checks={
            "none": same(None, "NULL"), "bool": same(True, "TRUE"), "int": same(3, "3L"),
            "np_int": same(np.int64(3), "3L"), "big_int": same(2**40, "2^40"),
            "float": same(1.5, "1.5"), "np_float32": same(np.float32(1.5), "1.5"),
            "str": same("x", "'x'"),
            "list": same([1, None, "a"], "list(1L, NULL, 'a')"),
            "dict": same({"a": 1, "b": [True]}, "list(a = 1L, b = list(TRUE))"),
            "empty_dict": same({}, "structure(list(), names = character(0))"),
            "matrix": same(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
                           "matrix(c(1, 2, 3, 4, 5, 6), nrow = 2, byrow = TRUE)"),
            "matrix_f32": same(np.arange(6, dtype=np.float32).reshape(3, 2),
                               "matrix(c(0, 1, 2, 3, 4, 5), nrow = 3, byrow = TRUE)"),
            "int_matrix": same(np.arange(6).reshape(2, 3), "matrix(0:5, nrow = 2, byrow = TRUE)"),
            "array3": same(np.arange(24.0).reshape(2, 3, 4), "aperm(array(as.double(0:23), c(4, 3, 2)))"),
            "one_d": same(np.array([1.0, 2.0]), "array(c(1, 2), 2)"),
            "zero_d": same(np.array(2.0), "2"),
            "bool_array": same(np.array([True, False]), "array(c(TRUE, FALSE), 2)"),
        })
    """)
    )
    assert out["bad"] == "Can't pass a Python object to R"
    assert out["roundtrip"]
    failed = [k for k, ok in out["checks"].items() if not ok]
    assert not failed, failed


# ------------------------------------------------------------ attaching
def test_attach_r_returns_the_package_once_and_leaves_reticulate_alone(needs_r):
    out = result_of(
        run_child("""
        from rpy2.robjects.packages import Package
        again = r_bridge.attach_r()
        emit(
            is_package=isinstance(pkg._package, Package), rname=pkg.__rname__,
            same=again is pkg and rhost.attach_r() is pkg,
            transport_is_function=bool(R1('is.function(getOption("rbridge.transport"))')),
            api_version=R1("rbridge_python()$api_version"),
            python_is_na=bool(R1("is.na(rbridge_python()$python)")),
            reticulate_loaded=bool(R1('isNamespaceLoaded("reticulate")')),
        )
    """)
    )
    assert out["is_package"] and out["rname"] == "rbridge" and out["same"]
    assert out["transport_is_function"]
    from r_bridge import api

    assert out["api_version"] == api.API_VERSION
    assert out["python_is_na"]
    assert out["reticulate_loaded"] is False


def test_host_stays_wired_when_r_code_resets_the_transport(needs_r):
    """After attach_r(), R code resetting options(rbridge.transport) changes
    nothing (rbridge connected at attach time), and anything asking
    reticulate to start Python gets an R error instead of a later abort."""
    proc = run_child("""
        R('options(rbridge.transport = NULL)')
        name = R1('rbridge::layer_dense(units = 2)$name')
        try:
            R('reticulate::py_run_string("x = 1")')
            refused = None
        except RRuntimeError as e:
            refused = str(e)
        R("invisible(gc())")
        emit(name=name, refused=refused, same_session=r_bridge.naming.uid_counts().get("dense"))
    """)
    out = result_of(proc)
    assert out["name"] == "dense" and out["same_session"] == 1
    assert "reticulate can't start Python in this R" in out["refused"]


def test_attach_r_refuses_a_python_reticulate_already_started(needs_r):
    """reticulate started before attach_r() is an error, not a warning and a later abort."""
    proc = run_child(
        """
        import json
        import r_bridge
        import rpy2.rinterface as ri
        ri.initr_simple()
        try:
            ri.evalr('invisible(reticulate::py_config())')
            r_bridge.attach_r()
            print("attached")
        except RuntimeError as e:
            print(json.dumps({"error": str(e)}))
        import os
        os._exit(0)  # R's collector would abort now (the reason for the error)
    """,
        prelude=False,
        env={"RETICULATE_PYTHON": sys.executable},
    )
    assert "attached" not in proc.stdout
    out = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1])
    assert "reticulate has already started Python inside this R" in out["error"]


def test_interrupts_in_python_called_from_r_arrive_as_themselves(needs_r):
    """KeyboardInterrupt / SystemExit raised in Python during a call from R
    reach the Python caller as themselves, not as RRuntimeError."""
    out = result_of(
        run_child("""
        from r_bridge.bridge import registry
        pkg.get_uid("warm")  # the dispatcher has loaded its function table
        got = {}
        for exc in (KeyboardInterrupt(), SystemExit(3)):
            def boom(prefix="", exc=exc):
                raise exc
            saved, registry.functions["get_uid"] = registry.functions["get_uid"], boom
            try:
                pkg.get_uid("x")
                got[type(exc).__name__] = "nothing"
            except BaseException as e:
                got[type(exc).__name__] = type(e).__name__
            finally:
                registry.functions["get_uid"] = saved
        got["after"] = int(pkg.get_uid("y")[0])
        emit(**got)
    """)
    )
    assert out == {"KeyboardInterrupt": "KeyboardInterrupt", "SystemExit": "SystemExit", "after": 1}


def test_lib_loc_is_searched_first(needs_r, tmp_path):
    """An explicit lib_loc ends up first in .libPaths() (R normalizes the path)."""
    out = result_of(
        run_child(
            f"""
        import json
        from r_bridge.bridge import rhost
        rhost.attach_r(lib_loc={str(tmp_path)!r})
        import rpy2.rinterface as ri
        print(json.dumps({{"first": ri.evalr(".libPaths()[1]")[0]}}))
    """,
            prelude=False,
        )
    )
    assert Path(out["first"]).resolve() == tmp_path.resolve()


# ------------------------------------------------------------ shared session
def test_names_continue_across_languages(needs_r):
    out = result_of(
        run_child("""
        a = r_bridge.layers.Dense(2).name
        b = R1("layer_dense(units = 3)$name")
        c = r_bridge.layers.Dense(2).name
        d = R1("get_uid('dense')")
        e = r_bridge.get_uid("dense")
        f = R("function(x) x$name")(pkg.layer_dense(units=1))[0]   # through the rpy2 package object (an R function)
        emit(names=[a, b, c, f], uids=[d, e])
    """)
    )
    assert out["names"] == ["dense", "dense_1", "dense_2", "dense_5"]
    assert out["uids"] == [4, 5]


def test_clear_session_both_ways(needs_r):
    out = result_of(
        run_child("""
        r_bridge.layers.Dense(2); R("layer_dense(units = 3)")
        R("clear_session()")
        after_r_clear = r_bridge.layers.Dense(2).name
        R("layer_dense(units = 3)")
        r_bridge.clear_session()
        after_py_clear = R1("layer_dense(units = 3)$name")
        emit(names=[after_r_clear, after_py_clear])
    """)
    )
    assert out["names"] == ["dense", "dense"]


def test_config_both_ways(needs_r):
    out = result_of(
        run_child("""
        R('config_set_floatx("float64")')
        py = r_bridge.config.floatx()
        r_bridge.config.set_epsilon(1e-3)
        r_eps = R1("config_epsilon()")
        r_bridge.config.set_floatx("float16")
        r_floatx = R1("config_floatx()")
        emit(py=py, r_eps=r_eps, r_floatx=r_floatx)
    """)
    )
    assert out == {"py": "float64", "r_eps": 1e-3, "r_floatx": "float16"}


def test_model_built_in_r_is_visible_from_python(needs_r):
    out = result_of(
        run_child("""
        from r_bridge import api
        R('''model <- keras_model_sequential(input_shape = 4) |>
                layer_dense(units = 8, activation = "relu") |>
                layer_dropout(rate = 0.5) |>
                layer_dense(units = 1)''')
        r_names = list(R("vapply(model$layers, function(l) l$name, '')"))
        model = api.table.get(R1("model$handle"))
        info = r_bridge.session_info()
        emit(
            r_names=r_names, r_model=R1("model$name"),
            py_names=[l.name for l in model.layers], py_model=model.name,
            uids=dict(zip(info["prefix"], info["count"].tolist())),
            handles=int(info.attrs["handles"]), next_dense=r_bridge.get_uid("dense"),
        )
    """)
    )
    assert out["r_names"] == out["py_names"] == ["dense", "dropout", "dense_1"]
    assert out["r_model"] == out["py_model"] == "sequential"
    assert out["uids"]["dense"] == 2 and out["uids"]["sequential"] == 1 and out["uids"]["dropout"] == 1
    assert out["handles"] >= 1
    assert out["next_dense"] == 3


def test_predict_through_r_matches_python(needs_r):
    """Same weights, same inputs: R's predict() on an R matrix equals Python's
    predict and x @ W + b. The matrices are not symmetric, so a row/column
    mix-up in the conversions would show."""
    out = result_of(
        run_child("""
        from r_bridge import api
        R('''model <- keras_model_sequential(input_shape = 3) |> layer_dense(units = 2)
             kernel <- matrix(1:6, nrow = 3, byrow = TRUE) / 10   # [[.1,.2],[.3,.4],[.5,.6]]
             set_weights(model, list(kernel, c(0.5, -0.5)))
             x <- matrix(as.double(1:12), nrow = 4, byrow = TRUE)   # rows 1:3, 4:6, ...
             p <- predict(model, x)''')
        p_r = np.array(list(R("as.vector(t(p))"))).reshape(4, 2)   # row-major
        x = np.arange(1.0, 13.0).reshape(4, 3)
        w = np.arange(1.0, 7.0).reshape(3, 2) / 10
        b = np.array([0.5, -0.5])
        model = api.table.get(R1("model$handle"))
        p_py = model.predict(x)
        weights_r = R("get_weights(model)")
        k = rhost.from_r(weights_r[0])
        emit(p_r=p_r.tolist(), p_py=np.asarray(p_py).tolist(), expected=(x @ w + b).tolist(),
             dim_p=list(R("dim(p)")), kernel=k.tolist(), kernel_r_12=R1("get_weights(model)[[1]][1, 2]"),
             bias_dim=list(R("dim(get_weights(model)[[2]])")))
    """)
    )
    np = pytest.importorskip("numpy")
    np.testing.assert_allclose(out["p_r"], out["expected"], rtol=1e-6)
    np.testing.assert_allclose(out["p_py"], out["expected"], rtol=1e-6)
    assert out["dim_p"] == [4, 2]
    np.testing.assert_allclose(out["kernel"], [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], rtol=1e-6)
    assert out["kernel_r_12"] == pytest.approx(0.2)
    assert out["bias_dim"] == [2]


def test_errors_surface_in_python_as_rruntimeerror(needs_r):
    out = result_of(
        run_child("""
        def err(code):
            try:
                R(code)
            except RRuntimeError as e:
                return str(e)
            return None
        r_side = err("layer_dense(units = 1.5)")           # rejected by R's checks
        py_side = err('config_set_floatx("float8")')        # ValueError raised in Python
        missing = err('rbridge:::rb_call("get", object = "0123456789ab:1", attr = "name")')  # KeyError
        unknown = err('rbridge:::rb_call("no_such_function")')
        r_msg = R1('tryCatch(config_set_floatx("float8"), error = function(e) conditionMessage(e))')
        emit(r_side=r_side, py_side=py_side, missing=missing, unknown=unknown, r_msg=r_msg,
             floatx=r_bridge.config.floatx(), next_dense=r_bridge.layers.Dense(1).name)
    """)
    )
    assert "`units` must be a whole number" in out["r_side"]
    assert "Unknown `floatx` value: float8" in out["py_side"]
    assert "`object` is not from this session" in out["missing"]
    assert "r_bridge.api has no function 'no_such_function'" in out["unknown"]
    assert out["r_msg"].startswith("Unknown `floatx` value: float8")  # no "ValueError: " prefix
    assert out["floatx"] == "float32"
    assert out["next_dense"] == "dense"  # failed calls named nothing


def test_hosted_r_prints_nothing_on_success(needs_r):
    """Calls that return nothing (clear_session, reset_uids, set_random_seed,
    config setters, set_weights) and calls that return values write nothing
    to stderr: rpy2 logged "ValueError: rternalized <NULLType ...>" for
    every Python result that was R's NULL."""
    proc = run_child("""
        R("clear_session()"); pkg.clear_session()
        R("reset_uids()"); R("set_random_seed(1)")
        R('config_set_floatx("float32")')
        R("m <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 2)")
        R("w <- get_weights(m); set_weights(m, w)")
        R("p <- predict(m, matrix(1, 3, 2), verbose = 0)")
        R("clear_session(free_memory = TRUE)")
        emit(ok=True, dims=list(R("dim(p)")), null=R("clear_session()") is ri.NULL)
    """)
    out = result_of(proc)
    assert out == {"ok": True, "dims": [3, 2], "null": True}
    assert proc.stderr == "", proc.stderr


def test_hosted_r_errors_print_nothing(needs_r):
    """An rbridge error caught in R prints nothing (rlang printed every
    error, caught or not); one nothing catches reaches Python as
    RRuntimeError with its message, printed nowhere."""
    proc = run_child("""
        caught = R1('tryCatch(layer_dense(units = -1), error = function(e) "caught")')
        R("d <- layer_dense(units = 2)")
        caught2 = R1('tryCatch(d(list()), error = function(e) conditionMessage(e))')
        try:
            R("layer_dense(units = -1)")
            uncaught = None
        except RRuntimeError as e:
            uncaught = str(e)
        emit(caught=caught, caught2=caught2, uncaught=uncaught)
    """)
    out = result_of(proc)
    assert out["caught"] == "caught"
    assert out["caught2"].startswith('Layer "dense" expects 1 input(s), but it received 0 input tensors.')
    assert "Received an invalid value for `units`" in out["uncaught"]
    assert proc.stderr == "", proc.stderr
    printed = [ln for ln in proc.stdout.splitlines() if not ln.startswith("{")]  # but the JSON
    assert not any("Received an invalid value" in ln or "expects 1 input" in ln for ln in printed), printed


def test_a_checkout_finds_its_own_rlib():
    """attach_r() searches the checkout's .Rlib (where `make` installs the R
    package): the path is the repository's, not the Python package's."""
    from r_bridge.bridge import rhost

    if not (REPO / ".Rlib").is_dir():
        pytest.skip("this checkout has no .Rlib (mkdir -p .Rlib && R CMD INSTALL --library=.Rlib .)")
    assert rhost._repo_rlib() == str(REPO / ".Rlib")


def test_exit_is_clean_after_r_garbage_collection(needs_r):
    proc = run_child("""
        for i in range(50):
            R("m <- keras_model_sequential(input_shape = 2) |> layer_dense(units = 2); rm(m)")
            r_bridge.layers.Dense(1)
        R("invisible(gc()); clear_session(); invisible(gc(full = TRUE))")
        import gc; gc.collect()
        # The last gc may have queued handles; clear_session() gives them back.
        R("invisible(gc(full = TRUE)); clear_session()")
        emit(handles=int(r_bridge.session_info().attrs["handles"]),
             outstanding=int(R1("rbridge:::rb_outstanding()")), ok=True)
        R("invisible(gc())")
    """)
    out = result_of(proc)  # exit code 0, no "Fatal Python error"
    assert out["ok"]
    assert out["handles"] == out["outstanding"] == 0, out


# ------------------------------------------------------------ facts
def test_fact_rternalized_python_functions_exit_cleanly(needs_r):
    """Fact: a function rpy2 exposes to R (rternalize) can be called from R,
    survive R's gc and let the process exit with 0."""
    proc = run_child(
        """
        import json
        import rpy2.rinterface as ri
        ri.initr_simple()
        f = ri.rternalize(lambda x: ri.IntSexpVector([x[0] * 2]))
        ri.globalenv["f"] = f
        v = ri.evalr("f(21L)")[0]
        ri.evalr("invisible(gc())")
        print(json.dumps({"v": v}))
    """,
        prelude=False,
    )
    assert result_of(proc)["v"] == 42


def test_fact_rpy2_cannot_return_null_from_an_rternalized_function(needs_r):
    """Fact: an rternalized function that returns rpy2's NULL makes rpy2 log
    "ValueError: rternalized <NULLType ...>" to stderr (R gets NULL anyway);
    a list is handed over as it is. Hence the transport wraps every result
    in a list of length 1."""
    proc = run_child(
        """
        import json
        import rpy2.rinterface as ri
        ri.initr_simple()
        null = ri.rternalize(lambda: ri.NULL)  # kept alive: R calls them through handles
        wrapped = ri.rternalize(lambda: ri.ListSexpVector([ri.NULL]))
        ri.globalenv["null"], ri.globalenv["wrapped"] = null, wrapped
        a = ri.evalr("is.null(null())")[0]
        b = ri.evalr("is.null(wrapped()[[1L]])")[0]
        print(json.dumps({"a": a, "b": b}))
    """,
        prelude=False,
    )
    assert result_of(proc) == {"a": True, "b": True}
    assert "rternalized" in proc.stderr and "NULLType" in proc.stderr
    assert proc.stderr.count("rternalized") == 1  # from null() only


@pytest.mark.parametrize("then", ['ri.evalr("invisible(gc())")', "pass"], ids=["at-gc", "at-exit"])
def test_fact_reticulate_inside_rpy2_aborts(needs_r, then):
    """Known limitation (documents why attach_r() never uses reticulate):
    rpy2 hosts R, R starts Python through reticulate 1.28, then R collects
    garbage (or the process exits) -> ``Fatal Python error: PyThreadState_Get
    ... GIL is released`` and SIGABRT (exit 134 in a shell, -6 here). If this test fails because
    the child exits with 0, the limitation is gone (newer reticulate/rpy2)."""
    proc = run_child(
        """
        import rpy2.rinterface as ri
        ri.initr_simple()
        ri.evalr('reticulate::py_run_string("x = 1")')
        print("call returned", flush=True)
        {then}
    """.replace("{then}", then),
        prelude=False,
        env={"RETICULATE_PYTHON": sys.executable},
    )
    if proc.returncode == 0:
        pytest.fail("reticulate inside rpy2 no longer aborts: " + proc.stdout + proc.stderr)
    assert proc.returncode in (-signal.SIGABRT, 128 + signal.SIGABRT), (proc.returncode, proc.stderr)
    assert "Fatal Python error" in proc.stderr and "GIL" in proc.stderr
    assert "call returned" in proc.stdout  # the call itself works; the abort comes later


# ------------------------------------------------------------ the R suite, embedded
_SCENARIOS_R = REPO / "tests" / "testthat" / "test-scenarios.R"
_RUN_SCENARIOS = (
    "suppressPackageStartupMessages(library(testthat)); "
    'r <- as.data.frame(test_file("test-scenarios.R", reporter = "silent")); '
    'cat(sprintf("\\n{\\"failed\\": %d, \\"passed\\": %d, \\"skipped\\": %d}\\n", '
    "sum(r$failed), sum(r$passed), sum(r$skipped)))"
)


def test_r_scenarios_give_the_same_results_through_the_rpy2_transport(needs_r):
    """The R package's scenario tests (tests/testthat/test-scenarios.R) run in
    R embedded in Python (rpy2 transport) and in plain R (reticulate): same
    numbers of passed/failed/skipped expectations, and reticulate never
    starts Python in the embedded run."""
    if not _SCENARIOS_R.exists():
        pytest.skip("tests/testthat/test-scenarios.R is missing")
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not on PATH")
    rlib = REPO / ".Rlib"
    libs = os.pathsep.join(filter(None, [str(rlib) if rlib.is_dir() else "", os.environ.get("R_LIBS", "")]))
    plain = subprocess.run(
        ["Rscript", "-e", "library(rbridge); " + _RUN_SCENARIOS],
        cwd=_SCENARIOS_R.parent,
        env={**os.environ, "R_LIBS": libs},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if "there is no package called" in plain.stderr and "testthat" in plain.stderr:
        pytest.skip("the R package testthat is not installed")
    plain_out = result_of(plain)
    embedded = run_child(f"""
        import os
        os.chdir({str(_SCENARIOS_R.parent)!r})
        R({_RUN_SCENARIOS!r})
        print()
        emit(started=bool(R1('isNamespaceLoaded("reticulate")')))
        R("invisible(gc())")
    """)
    lines = [ln for ln in embedded.stdout.splitlines() if ln.startswith("{")]
    out = result_of(embedded)
    assert out["started"] is False
    assert json.loads(lines[0]) == plain_out


def test_ops_and_activations_from_r_hosted_by_python(needs_r):
    """keras3's op_*() and activation_*() over the rpy2 transport: results are
    R arrays of the op's dtype, symbolic ops build a model that runs."""
    out = result_of(
        run_child(
            """
            R("x <- keras_input(shape = 4); y <- x + layer_dense(x, 4, activation = activation_relu)")
            R("model <- keras_model(x, op_sum(y, axis = 2, keepdims = TRUE))")
            emit(
                add=list(R("op_add(array(1:4, c(2, 2)), 1L)")),
                add_mode=R1("storage.mode(op_add(array(1:4, c(2, 2)), 1L))"),
                colsums=list(R("op_sum(array(c(1, 2, 3, 4), c(2, 2)), axis = 1)")),
                bool=list(R("op_cast(array(c(0, 2)), 'bool')")),
                relu=list(R("activation_relu(c(-1, 2))")),
                predict_dim=list(R("dim(predict(model, matrix(1, 3, 4), verbose = 0))")),
            )
            """
        )
    )
    assert out["add"] == [2, 3, 4, 5] and out["add_mode"] == "integer"
    assert out["colsums"] == [3.0, 7.0]
    assert out["bool"] == [False, True]
    assert out["relu"] == [0.0, 2.0]
    assert out["predict_dim"] == [3, 1]
