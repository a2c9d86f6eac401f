"""Keras's progress bar (``keras.utils.Progbar``), for ``predict()``.

Same format as Keras 3.15: ``\\r`` redraws when the display is dynamic,
a bold ``step/target`` counter, a 20-cell bar of ``━`` (green done, white
to do), the ETA or elapsed time and the time per step. Written to stderr
(r_bridge's choice: stdout carries R's and the user's own output) while
interactive logging is on, else logged at INFO level through ``logging``,
as Keras's ``io_utils.print_msg`` sends it to absl logging.
"""

from __future__ import annotations

import math
import os
import sys
import time

from r_bridge import config


def print_msg(message: str, line_break: bool = True) -> None:
    """Keras's ``io_utils.print_msg``, writing to stderr."""
    if config.is_interactive_logging_enabled():
        stream = sys.stderr
        text = f"{message}\n" if line_break else message
        try:
            stream.write(text)
        except UnicodeEncodeError:  # a console that cannot show "━"
            enc = getattr(stream, "encoding", None) or "utf-8"
            stream.write(text.replace("━", "=").encode(enc, errors="ignore").decode(enc))
        stream.flush()
    else:
        import logging  # on use: `import r_bridge` stays lean (bench/README.md)

        logging.getLogger("r_bridge").info(message)


def _format_time(per_unit: float, unit: str) -> str:
    if per_unit >= 1 or per_unit == 0:
        return f" {per_unit:.0f}s/{unit}"
    if per_unit >= 1e-3:
        return f" {per_unit * 1000.0:.0f}ms/{unit}"
    return f" {per_unit * 1000000.0:.0f}us/{unit}"


class Progbar:
    """A progress bar over ``target`` steps (``None``: unknown).

    Args:
        target: total number of steps.
        width: bar width in cells.
        verbose: 1 (redrawn bar) or 2 (one line at the end); 0 is silent.
        interval: minimum seconds between redraws.
        unit_name: what a step is called (``"step"``).
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        unit_name: str = "step",
    ):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        stream = sys.stderr
        self._dynamic = (
            (hasattr(stream, "isatty") and stream.isatty())
            or "ipykernel" in sys.modules
            or "posix" in sys.modules
            or "PYCHARM_HOSTED" in os.environ
        )
        self._start = time.time()
        self._last_update = 0.0
        self._after_first: float | None = None
        self._prev_width = 0

    def _per_step(self, current: int, now: float) -> float:
        if not current:
            return 0
        if self._after_first is not None and current > 1:
            per = (now - self._after_first) / (current - 1)
        else:
            per = (now - self._start) / current
        if current == 1:
            self._after_first = now
        return per

    def update(self, current: int, finalize: bool | None = None) -> None:
        """Show progress at step ``current`` (finalizes at ``target``)."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.time()
        per = self._per_step(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            message = "\b" * self._prev_width + "\r" if self._dynamic else "\n"
            special = 0
            if self.target is not None and self.target > 0:
                digits = int(math.log10(self.target)) + 1
                bar = f"\x1b[1m{current:{digits}d}/{self.target}\x1b[0m "
                special += 8
                done = int(self.width * float(current) / self.target)
                if done > 0:
                    bar += f"\33[32m{'━' * done}\x1b[0m"
                    special += 9
                bar += f"\33[37m{'━' * (self.width - done)}\x1b[0m"
                special += 9
            else:
                bar = f"{current:7d}/Unknown"
            message += bar
            if self.target is not None and self.target > 0 and not finalize:
                eta = per * (self.target - current)
                if eta > 3600:
                    text = f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
                elif eta > 60:
                    text = f"{int(eta // 60)}:{int(eta % 60):02d}"
                else:
                    text = f"{int(eta)}s"
                info = f" \x1b[1m{text}\x1b[0m"
            else:
                info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
            special += 8
            info += _format_time(per, self.unit_name)
            message += info
            total = len(bar) + len(info) - special
            if self._prev_width > total:
                message += " " * (self._prev_width - total)
            if finalize:
                message += "\n"
            print_msg(message, line_break=False)
            self._prev_width = total
        elif self.verbose == 2 and finalize and self.target:
            digits = int(math.log10(self.target)) + 1
            info = f"{current:{digits}d}/{self.target} - {now - self._start:.0f}s"
            info += f" -{_format_time(per, self.unit_name)}\n"
            print_msg(info, line_break=False)
        self._last_update = now
