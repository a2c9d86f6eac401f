"""pytest plugin: run Keras 3.15.1's own test files, as installed, against r_bridge.

Load it with ``-p shim`` (``tests/keras`` on ``sys.path``; see ``tests/keras/run``).

Real Keras is imported first and keeps providing the test *infrastructure*
(``testing.TestCase``, ``ops`` on numpy arrays, ``tree``, ...). Then every
Keras module that r_bridge re-implements is swapped, in ``sys.modules`` and
on its parent package, for a proxy of the r_bridge module in ``MODULES``, so
the test files (imported afterwards) get r_bridge's objects. A proxy has no
fallback to Keras: a name r_bridge lacks is an ``AttributeError`` (the test
fails unless ``skip.txt`` lists it, with the reason).

``TestCase.setUp`` calls r_bridge's ``clear_session`` (Keras's calls its own),
and the tests listed in ``skip.txt`` are marked skipped with their reason.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "numpy")
os.environ.setdefault("RBRIDGE_KERAS_LINK", "0")  # r_bridge stands in for Keras here: two sessions

import keras  # noqa: E402  (real Keras: loads the whole package once)
import keras.src.testing.test_case as _test_case  # noqa: E402
import pytest  # noqa: E402

import r_bridge  # noqa: E402

HERE = Path(__file__).resolve().parent
KERAS_SRC = Path(keras.src.__file__).resolve().parent

# Keras module -> the r_bridge module that stands for it.
MODULES = {
    "keras.src.utils.naming": "r_bridge.naming",
    "keras.src.backend.common.global_state": "r_bridge.state",
    "keras.src.backend.common.name_scope": "r_bridge.naming",
    "keras.src.backend.common.keras_tensor": "r_bridge.tensor",
    "keras.src.utils.io_utils": "r_bridge.config",
    "keras.src.utils.rng_utils": "r_bridge.random",
    "keras.src.utils.summary_utils": "r_bridge.models.summary",
    "keras.src.activations": "r_bridge.activations",
    "keras.src.layers": "r_bridge.layers",
    "keras.src.layers.layer": "r_bridge.layers.layer",
    "keras.src.layers.core.dense": "r_bridge.layers.core",
    "keras.src.layers.core.input_layer": "r_bridge.layers.input_layer",
    "keras.src.layers.regularization.dropout": "r_bridge.layers.core",
    "keras.src.layers.activations.activation": "r_bridge.layers.core",
    "keras.src.layers.reshaping.flatten": "r_bridge.layers.core",
    "keras.src.models": "r_bridge.models",
    "keras.src.models.model": "r_bridge.models.model",
    "keras.src.models.functional": "r_bridge.models.functional",
    "keras.src.models.sequential": "r_bridge.models.sequential",
    "keras": "r_bridge",
}

# ``keras.src.backend``: r_bridge's settings and KerasTensor; anything else
# (dtype helpers, ``convert_to_numpy``, ...) is test infrastructure and stays Keras's.
BACKEND = {
    "KerasTensor": "r_bridge.tensor",
    "backend": "r_bridge.config",
    "floatx": "r_bridge.config",
    "set_floatx": "r_bridge.config",
    "epsilon": "r_bridge.config",
    "set_epsilon": "r_bridge.config",
    "image_data_format": "r_bridge.config",
    "set_image_data_format": "r_bridge.config",
}

# Names the test files import at module level for features outside r_bridge's
# scope: they import, and using one raises (those tests are in skip.txt).
OUT_OF_SCOPE = {
    "keras.src.models.model": {"model_from_json": "saving"},
}


def _out_of_scope(qualname, what):
    def unavailable(*args, **kwargs):
        raise NotImplementedError(f"{qualname} is outside r_bridge's scope ({what})")

    unavailable.__qualname__ = unavailable.__name__ = qualname
    return unavailable


class RBridgeModule(types.ModuleType):
    """A Keras module name whose attributes are those of an r_bridge module.

    Keeps the Keras package's ``__path__`` so the test files inside it can
    still be imported.
    """

    def __init__(self, name, target, real=None, fallback=None):
        super().__init__(name)
        self.__dict__["_target"] = target
        self.__dict__["_fallback"] = fallback or {}
        self.__dict__["_real"] = real
        if real is not None and hasattr(real, "__path__"):
            self.__path__ = list(real.__path__)
        self.__file__ = getattr(target, "__file__", None)

    def __getattr__(self, attr):
        sub = sys.modules.get(f"{self.__name__}.{attr}")
        if isinstance(sub, RBridgeModule):
            return sub
        owner = self._fallback.get(attr)
        if owner is not None:
            return getattr(importlib.import_module(owner), attr)
        if self._fallback and self._real is not None and attr not in self._fallback:
            return getattr(self._real, attr)
        try:
            return getattr(self._target, attr)
        except AttributeError:
            what = OUT_OF_SCOPE.get(self.__name__, {}).get(attr)
            if what is not None:
                return _out_of_scope(f"{self.__name__}.{attr}", what)
            raise AttributeError(
                f"r_bridge has no `{attr}` in {self._target.__name__} (standing for Keras's {self.__name__})"
            ) from None

    def __dir__(self):
        return sorted(set(dir(self._target)))


def _install(name, module):
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent and parent in sys.modules:
        setattr(sys.modules[parent], child, module)


def install():
    """Swap the Keras modules r_bridge re-implements for r_bridge proxies."""
    for name in ("keras.src.backend",):
        real = importlib.import_module(name)
        proxy = RBridgeModule(name, real, real=real, fallback=BACKEND)
        _install(name, proxy)
    # ``keras.src.ops``: r_bridge's ops (on arrays and symbolic tensors); the
    # others (``ops.shape``, ``ops.convert_to_numpy``...) are test infrastructure
    # on arrays and stay Keras's.
    real_ops = importlib.import_module("keras.src.ops")
    ops_names = {n: "r_bridge.ops" for n in importlib.import_module("r_bridge.ops").__all__}
    _install("keras.src.ops", RBridgeModule("keras.src.ops", real_ops, real=real_ops, fallback=ops_names))
    # Parents before children, so a child proxy lands on its parent proxy.
    for name in sorted(MODULES, key=lambda n: n.count(".")):
        real = sys.modules.get(name)
        if real is None:
            try:
                real = importlib.import_module(name)
            except ImportError:
                real = None
        target = importlib.import_module(MODULES[name])
        _install(name, RBridgeModule(name, target, real=real))
    # Keras's TestCase.setUp clears Keras's session; the tests need r_bridge's.
    _test_case.clear_session = r_bridge.clear_session
    # The Keras repository's top-level conftest (not in the wheel) gives the
    # test files ``skip_if_backend``; r_bridge's backend is "numpy".
    conftest = types.ModuleType("conftest")
    conftest.skip_if_backend = lambda given_backend, reason: pytest.mark.skipif(
        r_bridge.config.backend() == given_backend, reason=reason
    )
    sys.modules["conftest"] = conftest


install()


# ------------------------------------------------------------------ skip list
def load_skips(path=HERE / "skip.txt"):
    """``{test id: reason}`` from ``skip.txt``: ``[reason]`` lines head the
    ids (``file::Class::test``, relative to ``keras/src``) that follow."""
    skips, reason = {}, None
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            reason = line[1:-1].strip()
            continue
        if reason is None:
            raise ValueError(f"{path}:{lineno}: test id before any [reason] line")
        if line in skips:
            raise ValueError(f"{path}:{lineno}: {line} is listed twice")
        skips[line] = reason
    return skips


def keras_id(item) -> str:
    """The test's id relative to ``keras/src`` (``layers/core/dense_test.py::DenseTest::test_x``)."""
    path = Path(str(item.path)).resolve()
    rel = path.relative_to(KERAS_SRC).as_posix()
    return rel + "::" + item.nodeid.split("::", 1)[1]


def pytest_configure(config):
    # Keras's conftest marker; the tests carrying it are listed in skip.txt.
    config.addinivalue_line("markers", "requires_trainable_backend: needs fit()/train_step")


def pytest_collection_modifyitems(config, items):
    skips = load_skips()
    seen = set()
    for item in items:
        kid = keras_id(item)
        if kid in skips:
            seen.add(kid)
            item.add_marker(pytest.mark.skip(reason=skips[kid]))
    unknown = sorted(set(skips) - seen)
    if unknown and not config.getoption("keyword") and not config.getoption("markexpr"):
        all_files = {kid.split("::")[0] for kid in skips}
        run_files = {keras_id(i).split("::")[0] for i in items}
        stale = [u for u in unknown if u.split("::")[0] in run_files or not run_files >= all_files]
        stale = [u for u in stale if u.split("::")[0] in run_files]
        if stale:
            raise pytest.UsageError("skip.txt lists tests that do not exist:\n  " + "\n  ".join(stale))
