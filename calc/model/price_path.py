"""A dated price path of the common: given closes and a stated rule between them (issue 22).

The closes are read by ``calc.inputs.prices_csv`` (a prices CSV: ``data/prices.csv`` is shipped).

The close S(d) on a date d, with closes S_i on dates d_0 < d_1 < ... given:
  previous    S(d) = S_i of the last d_i <= d                               (step; the default)
  log_linear  S(d) = S_i × (S_{i+1} / S_i)^((d − d_i) / (d_{i+1} − d_i))  between d_i and d_{i+1};
              S_i of the last d_i after the last close
Before the first close there is no price: an ``InputError`` naming the date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np

from calc.errors import InputError, echo

RULES = ("previous", "log_linear")


@dataclass(frozen=True)
class PricePath:
    """Closes on strictly increasing ``dates`` (``closes_usd`` float64), the rule between them and the label."""

    dates: tuple[dt.date, ...]
    closes_usd: np.ndarray
    sources: tuple[str, ...]
    rule: str = "previous"
    label: str = "prices"
    close_texts: tuple[str, ...] = ()  # each close as typed (a scenario document keeps these)

    def with_rule(self, rule: str) -> PricePath:
        if rule not in RULES:
            raise InputError(f"price rule: '{echo(rule)}' is not one of {', '.join(RULES)}")
        return dataclasses.replace(self, rule=rule)

    def rows(self) -> tuple[tuple[str, str, str], ...]:
        """(date, close_usd as typed, source) of each close: the cells of a prices CSV."""
        return tuple(zip((d.isoformat() for d in self.dates), self.close_texts, self.sources))

    def close_usd(self, dates: np.ndarray) -> np.ndarray:
        """S(d) for each of ``dates`` (numpy datetime64[D]) under ``rule`` (module docstring)."""
        known = np.array(self.dates, dtype="datetime64[D]")
        days = np.asarray(dates, dtype="datetime64[D]")
        if (days < known[0]).any():
            first = str(days[days < known[0]].min())
            raise InputError(f"{self.label}: no close on or before {first} (the first is {self.dates[0]})")
        i = np.searchsorted(known, days, side="right") - 1
        if self.rule == "previous":
            return self.closes_usd[i]
        j = np.minimum(i + 1, len(known) - 1)
        span = (known[j] - known[i]).astype(np.int64)
        t = np.where(span > 0, (days - known[i]).astype(np.int64) / np.maximum(span, 1), 0.0)
        return self.closes_usd[i] * (self.closes_usd[j] / self.closes_usd[i]) ** t

    def close_on(self, date: dt.date) -> float:
        """S(d) of one date."""
        return float(self.close_usd(np.array([date], dtype="datetime64[D]"))[0])
