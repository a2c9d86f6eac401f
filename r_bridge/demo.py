"""The two examples of ``clear_session()``'s reference page, in Python.

Run with ``python -m r_bridge.demo``.
"""

import resource

import r_bridge
from r_bridge import layers


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def example_1() -> None:
    """Models in a loop, without and with ``clear_session()``."""
    for _ in range(100):
        # Without `clear_session()`, each iteration of this loop will
        # slightly increase the size of the global state managed by Keras
        model = r_bridge.Sequential([layers.Dense(10) for _ in range(10)])
    print(
        f"after the loop without clear_session(): last layer is {model.layers[-1].name}, "
        f"RSS {_rss_mb():.1f} MB"
    )

    for _ in range(100):
        # With `clear_session()` called at the beginning,
        # Keras starts with a blank state at each iteration
        # and memory consumption is constant over time.
        r_bridge.clear_session()
        model = r_bridge.Sequential([layers.Dense(10) for _ in range(10)])
    print(
        f"after the loop with clear_session():    last layer is {model.layers[-1].name}, "
        f"RSS {_rss_mb():.1f} MB"
    )


def example_2() -> None:
    """Resetting the layer name generation counter."""
    _ = [layers.Dense(10) for _ in range(10)]
    new_layer = layers.Dense(10)
    print(new_layer.name)
    r_bridge.clear_session()
    new_layer = layers.Dense(10)
    print(new_layer.name)


if __name__ == "__main__":
    example_1()
    # Example 2 starts from a fresh session, as on the reference page.
    r_bridge.clear_session()
    example_2()
