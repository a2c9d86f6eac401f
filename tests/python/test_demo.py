"""python -m r_bridge.demo (make demo): the two examples of clear_session()'s
reference page print the names Keras prints."""

from __future__ import annotations

import subprocess
import sys


def test_demo_prints_the_reference_pages_names():
    out = subprocess.run(
        [sys.executable, "-m", "r_bridge.demo"], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    assert out[0].startswith("after the loop without clear_session(): last layer is dense_999, RSS ")
    assert out[1].startswith("after the loop with clear_session():    last layer is dense_9, RSS ")
    assert out[2:] == ["dense_10", "dense"]


def test_rss_falls_back_to_the_peak_when_proc_has_no_vmrss(monkeypatch):
    import io
    import resource

    from r_bridge import demo

    current = demo._rss_mb()
    real_open = open

    def status_without_vmrss(path, *args, **kwargs):
        if path == "/proc/self/status":
            return io.StringIO("Name:\tpython\n")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", status_without_vmrss)
    peak = demo._rss_mb()
    assert peak == resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak >= current * 0.9  # the peak is at least about what is resident now
