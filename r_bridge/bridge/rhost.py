"""Python hosting R in one process: R (through rpy2) shares this session.

:func:`attach_r` starts R inside this Python process (or reuses the R that
rpy2 already started), loads the R package ``rbridge`` and wires it to *this*
Python session: names, counters, config and objects made from R are the ones
Python sees, and the other way round.

>>> import r_bridge
>>> rbridge = r_bridge.attach_r()  # doctest: +SKIP
>>> r_bridge.layers.Dense(2).name  # doctest: +SKIP
'dense'
>>> rbridge.layer_dense(units=3)["name"][0]  # doctest: +SKIP
'dense_1'

How R reaches Python
--------------------
The R package sends every Python call through one R function, its
*transport*. By default that is reticulate, which must not be used here:
reticulate 1.28 calls into Python without holding the GIL, which rpy2
releases while R runs, so the process aborts (``Fatal Python error:
PyThreadState_Get``) at the next R garbage collection or at exit.
:func:`attach_r` therefore sets the R option ``rbridge.transport`` to an R
function ``function(fn, args, releases)`` whose body calls a Python function exposed
through rpy2 itself (:func:`rpy2.rinterface.rternalize`, which rpy2 calls
with the GIL held). That Python function converts the R arguments to the
plain values of :mod:`r_bridge.api`, calls ``r_bridge.api.<fn>(**args)`` and
converts the result back. reticulate is never initialized (its namespace is
loaded, because rbridge imports it, but it never starts Python).

Values (the plain-value contract of :mod:`r_bridge.api`)
--------------------------------------------------------
=========================== =============================================
R                           Python
=========================== =============================================
``NULL``, ``NA`` (length 1) ``None``
logical/integer/double/     ``bool``/``int``/``float``/``str`` when of
character, length 1         length 1; a ``list`` of those otherwise
vector with ``dim``         ``numpy.ndarray`` (R's column-major order)
unnamed list                ``list``
named list                  ``dict``
factor                      its labels (``str`` or ``list`` of ``str``)
=========================== =============================================

Back to R: ``None`` -> ``NULL``, ``bool`` -> logical, ``int`` -> integer
(double beyond 32 bits), ``float`` -> double, ``str`` -> character, ``list``
/ ``tuple`` -> unnamed list, ``dict`` -> named list, ``numpy.ndarray`` ->
vector with ``dim`` (1-d arrays too, like reticulate), numpy scalars like
Python ones.

Errors
------
Nothing crosses as an exception: the dispatcher returns an error record
(Python class, message, argument), which rbridge raises as a classed R
error. Python code calling R through rpy2 gets
:class:`rpy2.rinterface_lib.embedded.RRuntimeError` with that message.
Hosted R prints nothing on success, and no error text either: an error R
code catches stays silent, one it does not is the RRuntimeError (rlang's
informational messages, ``rlang::inform()``, are not shown; ``message()``
and warnings are).

Limits: one R per process and rpy2 is not thread-safe, so call R from the
thread that attached it (the r_bridge session is per thread; R's calls into
Python run in the calling thread, hence share that thread's session).
"""

from __future__ import annotations

import atexit
import gc
import os
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

import r_bridge.api  # noqa: F401 - registers the host functions with the dispatcher
from r_bridge.bridge.dispatch import ERROR, dispatch, error_record

RPY2_MISSING = (
    "attach_r() needs rpy2 3.5.17 (for R 4.2): pip install rpy2==3.5.17, "
    "or install this package with its r extra from a checkout: pip install '.[r]'"
)
R_PACKAGE = "rbridge"
TRANSPORT_OPTION = "rbridge.transport"

# The R side of the transport: the rternalized dispatcher, bound as
# `.rbridge_py_call` in the function's environment. It never raises: it
# returns the value or an error record, which rbridge checks as it checks
# reticulate's results. The value comes wrapped in a list of length 1:
# rpy2 can't hand R its own NULL from an rternalized function (it logs
# "ValueError: rternalized <NULLType ...>" to stderr and returns NULL), and
# a list is always a value rpy2 hands over as it is.
_R_TRANSPORT = r"""
function(fn, args, releases) .rbridge_py_call(fn, args, releases)[[1L]]
"""

_attached = None  # the rbridge package object, once attached
_interrupted = None  # an interrupt a call from R raised, to raise again in Python
_transport = None  # the R transport closure
# The rternalized call_api. It must stay referenced from Python: rpy2 keeps
# the cffi handle R's external pointer points to only as long as this object
# lives, and R calling a dead handle is a fatal error ("ffi.from_handle()
# detected that the address passed points to garbage").
_py_call = None


def _rinterface():
    """Import rpy2's low-level interface, or raise the ImportError of this module."""
    try:
        import rpy2.rinterface as ri
    except ImportError as e:
        raise ImportError(RPY2_MISSING) from e
    return ri


# ------------------------------------------------------------- R -> Python
def _r_names(x):
    """The names of an R vector as a list of str, or None if it has none."""
    names = x.names
    if names is None or names.typeof == 0:  # NILSXP
        return None
    return list(names)


def _r_dims(x):
    """The ``dim`` attribute of an R vector as a tuple, or None."""
    try:
        return tuple(int(d) for d in x.do_slot("dim"))
    except LookupError:
        return None


def _is_factor(x) -> bool:
    """Whether ``x`` is an R factor (an integer vector with levels)."""
    return "factor" in tuple(x.rclass)


def _is_na_real(v: float) -> bool:
    """Whether the double ``v`` is R's ``NA_real_`` (a NaN whose low word is 1954), not NaN."""
    return v != v and struct.unpack("<Q", struct.pack("<d", v))[0] & 0xFFFFFFFF == 1954


def _from_r_scalar(v):
    """One element of an R atomic vector: NA -> None, else the Python value."""
    ri = _rinterface()
    if v is ri.NA_Logical or v is ri.NA_Integer or v is ri.NA_Character:
        return None
    if isinstance(v, float) and _is_na_real(v):
        return None
    return v


def _from_r_factor(x):
    """The labels of a factor (NA -> None)."""
    levels = list(x.do_slot("levels"))
    return [None if _from_r_scalar(i) is None else levels[i - 1] for i in x]


_DTYPE_OF = {10: np.bool_, 13: np.int64, 14: np.float64, 16: np.str_}  # LGL, INT, REAL, STR


def _from_r_array(x, dims):
    """An R vector with ``dim`` to a numpy array of that shape.

    R stores arrays column-major: element ``[i, j]`` of a 2 x 3 matrix is at
    ``i + 2 * j``, hence ``order="F"``. Integer arrays with NA become float
    arrays with NaN; NA in logical or character arrays is an error.
    """
    ri = _rinterface()
    typ = int(x.typeof)
    if typ not in _DTYPE_OF:
        raise TypeError(f"Can't pass an R array of type {x.typeof.name} to Python")
    if typ == 14:
        flat = np.array(x.memoryview()).ravel(order="F")
    elif typ == 13:
        flat = np.array(x.memoryview()).ravel(order="F").astype(np.int64)
        na = flat == -(2**31)
        if na.any():
            flat = flat.astype(np.float64)
            flat[na] = np.nan
    elif typ == 10:  # logical: int32 storage, NA is INT_MIN
        ints = np.array(x.memoryview()).ravel(order="F")
        if (ints == -(2**31)).any():
            raise ValueError("Can't pass an R logical array containing NA to Python")
        flat = ints.astype(np.bool_)
    else:
        vals = list(x)
        if any(v is ri.NA_Character for v in vals):
            raise ValueError("Can't pass an R character array containing NA to Python")
        flat = np.array(vals, dtype=_DTYPE_OF[typ])
    return flat.reshape(dims, order="F")


def _from_r_list(x):
    """An R list: named -> dict (str keys), unnamed -> list; elements converted."""
    values = [from_r(v) for v in x]
    names = _r_names(x)
    if names is None:
        return values
    return dict(zip(names, values))


def from_r(x: Any) -> Any:
    """Convert an R value (an rpy2.rinterface object) to a plain Python value."""
    typ = int(x.typeof)
    if typ == 0:  # NILSXP
        return None
    if typ == 19:  # VECSXP
        return _from_r_list(x)
    if typ not in _DTYPE_OF:
        raise TypeError(f"Can't pass an R value of type {x.typeof.name} to Python")
    if typ == 13 and _is_factor(x):
        labels = _from_r_factor(x)
        return labels[0] if len(labels) == 1 else labels
    dims = _r_dims(x)
    if dims is not None:
        return _from_r_array(x, dims)
    values = [_from_r_scalar(v) for v in x]
    return values[0] if len(values) == 1 else values


def _from_r_args(args) -> dict:
    """The ``args`` of a transport call (a named R list, or empty) to kwargs."""
    value = from_r(args)
    if value is None or value == []:
        return {}
    if not isinstance(value, dict) or "" in value:
        raise TypeError("The arguments of an r_bridge.api call must be a named list")
    return value


# ------------------------------------------------------------- Python -> R
_INT32 = (-(2**31) + 1, 2**31 - 1)  # R integers (-2^31 is NA_integer_)


def _fits_int32(v) -> bool:
    """Whether the int ``v`` is an R integer (else it becomes a double)."""
    return _INT32[0] <= v <= _INT32[1]


def _to_r_scalar(v):
    """A Python or numpy scalar to an R vector of length 1."""
    ri = _rinterface()
    if isinstance(v, (bool, np.bool_)):
        return ri.BoolSexpVector([bool(v)])
    if isinstance(v, (int, np.integer)):
        v = int(v)
        return ri.IntSexpVector([v]) if _fits_int32(v) else ri.FloatSexpVector([float(v)])
    if isinstance(v, (float, np.floating)):
        return ri.FloatSexpVector([float(v)])
    if isinstance(v, (str, np.str_)):
        return ri.StrSexpVector([str(v)])
    raise TypeError(f"Can't pass a Python {type(v).__name__} to R")


def _to_r_list(values, names=None):
    """A sequence to an R list (named when ``names`` is given); elements converted."""
    ri = _rinterface()
    out = ri.ListSexpVector([to_r(v) for v in values])
    if names is not None:
        out.do_slot_assign("names", ri.StrSexpVector([str(n) for n in names]))
    return out


def _to_r_array(a: np.ndarray):
    """A numpy array to an R vector with ``dim`` (column-major), like reticulate.

    0-d arrays become scalars; float32 and other real types become doubles.
    """
    ri = _rinterface()
    if a.ndim == 0:
        return _to_r_scalar(a[()])
    flat = a.ravel(order="F")
    kind = a.dtype.kind
    if kind == "b":
        out = ri.BoolSexpVector.from_memoryview(np.ascontiguousarray(flat, dtype=np.int32).data)
    elif kind in "iu" and (a.size == 0 or (_fits_int32(int(flat.min())) and _fits_int32(int(flat.max())))):
        out = ri.IntSexpVector.from_memoryview(np.ascontiguousarray(flat, dtype=np.int32).data)
    elif kind in "iuf":
        out = ri.FloatSexpVector.from_memoryview(np.ascontiguousarray(flat, dtype=np.float64).data)
    elif kind in "UO" and all(isinstance(v, str) for v in flat):
        out = ri.StrSexpVector([str(v) for v in flat])
    else:
        raise TypeError(f"Can't pass a numpy array of dtype {a.dtype} to R")
    out.do_slot_assign("dim", ri.IntSexpVector([int(d) for d in a.shape]))
    return out


def to_r(v: object) -> Any:
    """Convert a plain Python value (see the module's table) to an R value."""
    ri = _rinterface()
    if v is None:
        return ri.NULL
    if isinstance(v, dict):
        return _to_r_list(list(v.values()), names=list(v.keys()))
    if isinstance(v, (list, tuple)):
        return _to_r_list(v)
    if isinstance(v, np.ndarray):
        return _to_r_array(v)
    return _to_r_scalar(v)


# ------------------------------------------------------------- transport
def call_api(fn: Any, args: Any, releases: Any) -> Any:
    """The rternalized transport: :func:`r_bridge.bridge.dispatch.dispatch` for R.

    ``fn``, ``args`` and ``releases`` are rpy2.rinterface objects (an R
    string, a named R list, a character vector). Never raises (rpy2 would
    only log it): returns the value or an error record, converted to R and
    wrapped in an R list of length 1 (the R transport unwraps it).
    """
    global _interrupted
    try:
        released = from_r(releases)
        out = dispatch(from_r(fn), _from_r_args(args), [released] if isinstance(released, str) else released)
    except BaseException as e:  # noqa: BLE001 - every error must reach R as an R value
        out = error_record(e)
    if isinstance(out, dict) and out.get(ERROR) in ("KeyboardInterrupt", "SystemExit"):
        # R raises it as an error (rpy2 would swallow an R interrupt); the
        # package object attach_r() returns raises it again as itself.
        _interrupted = (
            KeyboardInterrupt() if out[ERROR] == "KeyboardInterrupt" else SystemExit(out["message"])
        )
    try:
        return _to_r_list([out])
    except BaseException as e:  # noqa: BLE001
        return _to_r_list([error_record(e)])


def _make_transport(ri):
    """The R function ``function(fn, args, releases)`` for the ``rbridge.transport`` option."""
    global _py_call
    _py_call = ri.rternalize(call_api)
    env = ri.baseenv["new.env"](parent=ri.baseenv)
    env[".rbridge_py_call"] = _py_call
    return ri.evalr(_R_TRANSPORT, envir=env)


# ------------------------------------------------------------- attaching
def _start_r(ri):
    """Start the embedded R unless rpy2 already did."""
    if not ri.embedded.isinitialized():
        ri.initr_simple()


def _repo_rlib():
    """The ``.Rlib`` next to this package's source checkout (if it is one), or None."""
    root = Path(__file__).resolve().parents[2]  # r_bridge/bridge/rhost.py -> the checkout
    desc = root / "DESCRIPTION"
    rlib = root / ".Rlib"
    if rlib.is_dir() and desc.is_file() and f"Package: {R_PACKAGE}" in desc.read_text(errors="replace"):
        return str(rlib)
    return None


def _library_dirs(lib_loc=None) -> list:
    """R libraries to search first: ``lib_loc``, ``R_LIBS``, ``R_LIBS_USER``, the repo's ``.Rlib``."""
    dirs = []
    if lib_loc is not None:
        dirs += [str(lib_loc)] if isinstance(lib_loc, (str, os.PathLike)) else [str(d) for d in lib_loc]
    for var in ("R_LIBS", "R_LIBS_USER"):
        dirs += [d for d in os.environ.get(var, "").split(os.pathsep) if d]
    rlib = _repo_rlib()
    if rlib:
        dirs.append(rlib)
    return [os.path.expanduser(d) for d in dirs if os.path.isdir(os.path.expanduser(d))]


def _set_library_dirs(ri, dirs):
    """Put ``dirs`` in front of R's ``.libPaths()``."""
    if dirs:
        current = list(ri.baseenv[".libPaths"]())
        ri.baseenv[".libPaths"](ri.StrSexpVector(dirs + current))


def _reticulate_started(ri) -> bool:
    """Whether reticulate (if loaded) has started Python in this R."""
    code = 'isNamespaceLoaded("reticulate") && reticulate::py_available(initialize = FALSE)'
    return bool(ri.evalr(code)[0])


RETICULATE_REFUSED = (
    "reticulate can't start Python in this R: R runs inside Python (r_bridge.attach_r(), "
    "through rpy2), and reticulate calling into it without the GIL aborts the process. "
    "rbridge's functions reach this Python through rpy2; for other Python code, use Python."
)


def _refuse_reticulate(ri):
    """Make reticulate's start of Python an R error instead of a later abort
    (reticulate calls this option's function before it starts Python)."""
    ri.baseenv["options"](
        **{
            "reticulate.python.beforeInitialized": ri.evalr(
                f"function() stop({_r_string(RETICULATE_REFUSED)}, call. = FALSE)"
            )
        }
    )


def _r_string(text: str) -> str:
    """``text`` as an R raw string literal (R >= 4.0)."""
    return 'r"(' + text + ')"'


class RPackage:
    """The R package rbridge as rpy2 shows it, with one difference: an
    interrupt (KeyboardInterrupt, SystemExit) raised in Python while R was
    calling it is raised again as itself, not as rpy2's RRuntimeError."""

    def __init__(self, package: Any):
        self._package = package

    def __getattr__(self, name):
        value = getattr(self._package, name)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            global _interrupted
            _interrupted = None
            try:
                return value(*args, **kwargs)
            except Exception:
                pending, _interrupted = _interrupted, None
                if pending is not None:
                    raise pending from None
                raise

        return call

    def __dir__(self):
        return dir(self._package)


def _quiet_reticulate_hook(ri):
    """Drop the warning rpy2 prints when reticulate loads (rbridge imports it).

    ``rpy2.robjects`` registers an ``onLoad`` hook for reticulate that warns
    about a reticulate/rpy2 segfault fixed in reticulate 1.25. Loading
    rbridge loads reticulate's namespace, but through this module's transport
    reticulate never runs Python, so the warning would only mislead.
    """
    ri.evalr(
        'if (!isNamespaceLoaded("reticulate")) setHook(packageEvent("reticulate", "onLoad"), NULL, "replace")'
    )


# rpy2 reports R's error message (geterrmessage()), which rlang leaves empty
# for an error nothing catches, printing the message itself instead. rlang's
# switch force_unhandled_error keeps the message (and stops R printing it
# again), but makes rlang print every error, caught by tryCatch() or not, to
# its message file: that file is a null device here, so hosted R prints no
# error text (the Python caller gets it in RRuntimeError). rlang::inform()
# writes there too, so rlang's informational messages are not shown either;
# base message() and warnings are unaffected. (R's global calling handlers
# can't do this: rpy2 evaluates through R_ToplevelExec, which hides them.)
_R_ERRORS = r"""
options("rlang::::force_unhandled_error" = TRUE, "rlang:::message_file" = file(nullfile(), open = "w"))
"""


def _load_package(ri):
    """``library(rbridge)`` and its rpy2 package object; a clear error if not installed."""
    from rpy2.robjects.packages import PackageNotInstalledError, importr

    found = ri.baseenv["requireNamespace"](R_PACKAGE, quietly=ri.BoolSexpVector([True]))
    if not found[0]:
        paths = ", ".join(ri.baseenv[".libPaths"]())
        raise PackageNotInstalledError(
            f"The R package {R_PACKAGE!r} is not installed in R's libraries ({paths}). "
            "Install it (R CMD INSTALL --library=.Rlib . in the repository) or pass lib_loc=."
        )
    _quiet_reticulate_hook(ri)
    ri.evalr(f"suppressPackageStartupMessages(library({R_PACKAGE}))")
    ri.evalr(_R_ERRORS)
    # importr's own check lists lib_loc (default: every library, warning
    # about empty ones), so point it at the library rbridge came from.
    lib = ri.evalr(f'dirname(find.package("{R_PACKAGE}"))')[0]
    return importr(R_PACKAGE, lib_loc=lib)


def attach_r(lib_loc: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> RPackage:
    """Start R in this process and load the R package ``rbridge``, wired to this session.

    ``lib_loc``: an R library directory (or a list of them) holding
    ``rbridge``; searched before ``R_LIBS``, ``R_LIBS_USER``, the ``.Rlib``
    of the source checkout and R's default libraries.

    Returns the rpy2 package object (``rpy2.robjects.packages.importr``),
    wrapped so that a Python interrupt raised during a call comes back as
    itself (:class:`RPackage`). Calling it again returns the same object.
    rbridge connects to this Python at once, so R code resetting
    ``options(rbridge.transport)`` later changes nothing; reticulate is
    refused (an R error) if anything asks it to start Python here. Raises
    ImportError without rpy2, ``PackageNotInstalledError`` without the R
    package, RuntimeError if reticulate already started a Python in this R.
    """
    global _attached, _transport
    ri = _rinterface()
    _start_r(ri)
    if _attached is None:
        _set_library_dirs(ri, _library_dirs(lib_loc))
        _transport = _make_transport(ri)
    ri.baseenv["options"](**{TRANSPORT_OPTION: _transport})
    if _reticulate_started(ri):
        raise RuntimeError(
            "reticulate has already started Python inside this R; with R embedded in Python "
            "that aborts the process at the next R garbage collection. Start R with "
            "r_bridge.attach_r() before any R code uses reticulate."
        )
    _refuse_reticulate(ri)
    if _attached is None:
        _attached = RPackage(_load_package(ri))
        ri.evalr("invisible(rbridge:::rb_connect())")  # cache this transport now
        atexit.register(_let_go)
    return _attached


def _let_go() -> None:
    """At exit, before Python tears its modules down: drop this module's R
    objects and collect, while rpy2 can still free them (freed later, rpy2's
    finalizers print "Exception ignored ... 'NoneType' object is not callable")."""
    global _attached, _transport, _py_call
    _attached = _transport = _py_call = None
    gc.collect()
