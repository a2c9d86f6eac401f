"""Every test starts from a fresh session and leaves the process as it found it.

``clear_session()`` resets names, counters and session flags, but not the
process-wide settings (floatx, epsilon, image_data_format), so those are
saved and restored here too; so are the clear hooks and the API handles a
test leaves behind.
"""

import os

# These tests compare r_bridge with Keras side by side in one process (the
# conformance tests, in .venv-keras): two sessions, so no link (read when
# r_bridge is imported; tests/interop tests the link).
os.environ.setdefault("RBRIDGE_KERAS_LINK", "0")

import importlib.util  # noqa: E402

import pytest  # noqa: E402

import r_bridge  # noqa: E402
from r_bridge import api, config, state  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_session():
    saved_config = (config.floatx(), config.epsilon(), config.image_data_format())
    saved_hooks = list(state._hooks)
    saved_handles = set(api.table._objects)
    r_bridge.clear_session(free_memory=False)
    try:
        yield
    finally:
        state._hooks[:] = saved_hooks
        # Give back every handle the test made (all its references).
        for h in list(api.table._objects):
            if h not in saved_handles:
                api.release([h] * api.table._refs[h])
        config.set_floatx(saved_config[0])
        config.set_epsilon(saved_config[1])
        config.set_image_data_format(saved_config[2])
        r_bridge.clear_session(free_memory=False)


# Real Keras, where installed (the Keras venv): tests that compare with it
# take the `keras` fixture (or `@pytest.mark.usefixtures("keras")`).
HAS_KERAS = importlib.util.find_spec("keras") is not None


@pytest.fixture(scope="module")
def keras():
    if not HAS_KERAS:
        pytest.skip("keras not installed (run in .venv-keras)")
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import keras

    return keras
