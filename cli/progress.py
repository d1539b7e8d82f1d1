"""A progress bar for long command-line runs, on stderr, only when it is a terminal."""

from __future__ import annotations

import time
from typing import TextIO

from cli.text_output import unescaped


class ProgressBar:
    """``[#####.....] done/total UNIT`` redrawn in place on a terminal; silent otherwise."""

    WIDTH = 30
    DELAY_S = 0.5  # only grids that take more than a moment get a bar

    def __init__(self, stream: TextIO, unit: str) -> None:
        self.stream = unescaped(stream)  # the bar's own '\r' must reach the terminal
        self.unit = unit
        self.enabled = stream.isatty()
        self.start = time.monotonic()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or time.monotonic() - self.start < self.DELAY_S:
            return
        filled = self.WIDTH * done // total
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} {self.unit}")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
