"""Dilution measures, defined once, and the bridge from the base to the fully diluted count.

Notation (one path, at the horizon; every count an exact integer)
-----------------------------------------------------------------
B   base shares: common outstanding at the valuation date (``ScenarioParams.base_shares``)
I   new common issued through the horizon, every issuance source (Σ issued)
O   total outstanding at the horizon = B + I
Q   potential common of every security still outstanding at the horizon (Σ potential,
    if-converted / if-exercised)
T   fully diluted count = O + Q = B + I + Q

Measures (percent; three different questions, never interchangeable)
---------------------------------------------------------------------
new_shares_pct          = 100 × I / O              new shares as a share of total outstanding at the
                                                   horizon (the headline's "Dilution"; with the 8.00%
                                                   preferred alone, I = its new shares)
fully_diluted_pct       = 100 × (I + Q) / T        issued + potential as a share of the fully diluted
                        = 100 × (T − B) / T        count ("of the fully diluted count")
increase_over_base_pct  = 100 × (T − B) / B        growth of the share count over the base ("over the base")

Bridge
------
B → + each issuance source → O → + each potential source → T, as rows (step, measure, shares,
running total). ``measure`` is "absolute" (the base), "relative" (an addition) or "total" (a
subtotal: O and T, whose shares equal the running total), as a plotly waterfall reads them.
The running total closes exactly: B + Σ issued rows = O and O + Σ potential rows = T.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

BASE_STEP = "base shares (common outstanding before the scenario)"
OUTSTANDING_STEP = "total outstanding at the horizon"
FULLY_DILUTED_STEP = "fully diluted"


def new_shares_pct(base: Any, issued: Any) -> Any:
    """100 × I / (B + I): new shares as % of total outstanding at the horizon (ints or numpy arrays)."""
    return 100.0 * issued / (base + issued)


def fully_diluted_pct(base: Any, issued: Any, potential: Any) -> Any:
    """100 × (I + Q) / T, T = B + I + Q: issued + potential as % of the fully diluted count."""
    return 100.0 * (issued + potential) / (base + issued + potential)


def increase_over_base_pct(base: Any, issued: Any, potential: Any) -> Any:
    """100 × (T − B) / B, T = B + I + Q: the fully diluted count's increase over the base."""
    return 100.0 * (issued + potential) / base


@dataclass(frozen=True)
class Measures:
    """The counts B, I, Q and the three measures (module docstring) of one path."""

    base_shares: int
    issued_shares: int
    potential_shares: int

    @property
    def outstanding_shares(self) -> int:
        """O = B + I."""
        return self.base_shares + self.issued_shares

    @property
    def fully_diluted_shares(self) -> int:
        """T = B + I + Q."""
        return self.outstanding_shares + self.potential_shares

    def as_dict(self) -> dict[str, int | float]:
        """Counts and measures by name: ``fully_diluted_pct`` is of the fully diluted count, ``new_shares_pct_
        of_outstanding`` of total outstanding, ``increase_over_base_pct`` over the base."""
        b, i, q = self.base_shares, self.issued_shares, self.potential_shares
        return {
            "base_shares": b,
            "issued_shares": i,
            "outstanding_shares": self.outstanding_shares,
            "potential_shares": q,
            "fully_diluted_shares": self.fully_diluted_shares,
            "new_shares_pct_of_outstanding": float(new_shares_pct(b, i)),
            "fully_diluted_pct": float(fully_diluted_pct(b, i, q)),
            "increase_over_base_pct": float(increase_over_base_pct(b, i, q)),
        }


def _row(step: str, measure: str, shares: int, running: int) -> dict[str, object]:
    return {"step": step, "measure": measure, "shares": shares, "running_total_shares": running}


def bridge(
    base: int, issued: Sequence[tuple[str, int]], potential: Sequence[tuple[str, int]]
) -> list[dict[str, object]]:
    """Rows B → + issued sources → O → + potential sources → T (module docstring); sources of 0 shares left out."""
    rows = [_row(BASE_STEP, "absolute", base, base)]
    running = base
    for part, total_step in ((issued, OUTSTANDING_STEP), (potential, FULLY_DILUTED_STEP)):
        for step, shares in part:
            if shares:
                running += shares
                rows.append(_row(step, "relative", shares, running))
        rows.append(_row(total_step, "total", running, running))
    return rows
