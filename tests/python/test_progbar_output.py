"""The progress bar's text (Keras's Progbar layout) with a controlled clock:
time units, ETA formats, unknown targets, verbose=2, non-interactive logging
and consoles that cannot show the bar character."""

from __future__ import annotations

import io
import logging
import re

import pytest

from r_bridge import config
from r_bridge.models import progbar
from r_bridge.models.progbar import Progbar, _format_time, print_msg

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(progbar.time, "time", c)
    return c


@pytest.fixture
def interactive():
    was = config.is_interactive_logging_enabled()
    config.enable_interactive_logging()
    yield
    if not was:
        config.disable_interactive_logging()


@pytest.mark.parametrize(
    "per,want",
    [(0, " 0s/step"), (2.4, " 2s/step"), (0.0123, " 12ms/step"), (0.0000456, " 46us/step")],
)
def test_format_time(per, want):
    assert _format_time(per, "step") == want


def _plain(err: str) -> str:
    return ANSI.sub("", err)


@pytest.mark.parametrize(
    "seconds_per_step,eta",
    [(1, "9s"), (10, "1:30"), (500, "1:15:00")],
)
def test_eta_formats(clock, capsys, interactive, seconds_per_step, eta):
    bar = Progbar(10, width=10, interval=0)
    bar._dynamic = False
    clock.now += seconds_per_step
    bar.update(1)
    out = _plain(capsys.readouterr().err)
    assert out.startswith("\n 1/10 ━")
    assert f" {eta}" in out and out.endswith("s/step")


def test_finalize_shows_elapsed_and_a_newline(clock, capsys, interactive):
    bar = Progbar(4, width=8, interval=0)
    bar._dynamic = False
    clock.now += 1
    bar.update(1)
    clock.now += 2
    bar.update(4)
    last = _plain(capsys.readouterr().err).split("\n")[-2]
    # per step: the time after the first step over the steps after it (2s / 3)
    assert last == "4/4 ━━━━━━━━ 3s 667ms/step"


def test_unknown_target(clock, capsys, interactive):
    bar = Progbar(None, interval=0)
    bar._dynamic = False
    clock.now += 0.5
    bar.update(3)
    assert _plain(capsys.readouterr().err) == "\n      3/Unknown 0s 167ms/step"


def test_updates_within_the_interval_are_skipped(clock, capsys, interactive):
    bar = Progbar(10, interval=5)
    clock.now += 10
    bar.update(1)
    first = capsys.readouterr().err
    clock.now += 1
    bar.update(2)
    assert first and capsys.readouterr().err == ""


def test_verbose_2_prints_one_line_at_the_end(clock, capsys, interactive):
    bar = Progbar(20, verbose=2)
    clock.now += 1
    bar.update(10)
    assert capsys.readouterr().err == ""
    clock.now += 3
    bar.update(20)
    assert capsys.readouterr().err == "20/20 - 4s - 200ms/step\n"


def test_non_interactive_logging_goes_to_the_logger(caplog):
    was = config.is_interactive_logging_enabled()
    config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="r_bridge"):
            print_msg("hello")
    finally:
        if was:
            config.enable_interactive_logging()
    assert [r.getMessage() for r in caplog.records] == ["hello"]


def test_a_console_without_the_bar_character_gets_equals_signs(monkeypatch, interactive):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    monkeypatch.setattr(progbar.sys, "stderr", stream)
    print_msg("━━ done")
    stream.flush()
    assert raw.getvalue() == b"== done\n"
