"""The command line's printed text made safe for a terminal (issue 20 item 19).

Names, sources and other user text reach the report (an instrument ``name`` with an ANSI escape
would recolour the terminal, set its title or clear the screen). ``escaped_output`` puts every
line printed to stdout and stderr during a run through ``calc.errors.escape_unprintable`` (the rule
of quoted error text): control, format and bidi characters are written as their escapes, line ends
and tabs kept. Binary outputs (a CSV on standard output) go through ``sys.stdout.buffer``, as data,
unchanged; the progress bar draws on the stream under the wrapper (``unescaped``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO, cast

import pandas as pd

from calc.errors import escape_unprintable
from calc.outputs.formats import human_dates, pct, rate, term_value

KEPT = "\n\t"


class EscapedText:
    """A text stream writing through ``inner`` with unprintable characters escaped; everything else
    (``buffer``, ``fileno``, ``isatty``, ``flush``, ``encoding``) is ``inner``'s."""

    def __init__(self, inner: TextIO) -> None:
        self.unescaped = inner

    def write(self, text: str) -> int:
        self.unescaped.write(escape_unprintable(text, KEPT))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unescaped, name)


def unescaped(stream: TextIO) -> TextIO:
    """The stream under an ``EscapedText`` (for text the product draws itself, like ``\\r``)."""
    return cast(TextIO, getattr(stream, "unescaped", stream))


@contextlib.contextmanager
def escaped_output() -> Iterator[None]:
    """stdout and stderr escaped for the duration (restored after, also on error)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, EscapedText(sys.stdout)), cast(TextIO, EscapedText(sys.stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


UNITS = ("_usd", "_pct", "_rate", "_shares")
RATE_KEYS = ("yield_to_put", "quoted_yield_to_put", "implied_spread")  # fractions (0.45) named without "_rate"


def field_text(key: str, value: object) -> str:
    """One figure of a command's report as a person reads it, by its key's unit suffix (``formats.term_value``:
    ``*_usd`` money or a price to the cent, ``*_pct`` and ``*_rate`` as percentages, counts with separators,
    yes/no, dates as "Aug 2, 2004" (an ISO date string too), ``none`` for a missing figure); a mapping as
    ``key=value`` pairs."""
    if value is None:
        return "none"
    if isinstance(value, dict):  # the parts of a figure in a unit ("..._prices_usd": {cap: price}) keep its unit
        unit = next((u for u in UNITS if key.endswith(u)), "")
        return "  ".join(
            f"{k}={field_text(str(k) if str(k).endswith(UNITS) else f'{k}{unit}', v)}" for k, v in value.items()
        )
    if isinstance(value, str):
        return human_dates(value)
    if isinstance(value, float) and (key in RATE_KEYS or key.endswith("_rate")):
        return rate(value)
    if isinstance(value, float) and "_pct_" in key:
        return pct(value)
    return term_value(key, value)


def frame_text(frame: pd.DataFrame) -> str:
    """A table as aligned text, every cell as ``field_text`` writes it under its column's name (prices to the cent,
    counts with separators, dates as "Aug 2, 2004", a dash for a missing figure)."""
    shown = pd.DataFrame({c: [field_text(str(c), _plain(v)) for v in frame[c]] for c in frame.columns})
    return shown.to_string(index=False)


def _plain(value: object) -> object:
    """A numpy scalar as its Python value (``field_text`` reads Python numbers)."""
    return value.item() if hasattr(value, "item") else value
