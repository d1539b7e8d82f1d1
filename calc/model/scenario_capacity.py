"""Capacity checks of one deterministic scenario: every issuance of common on its path, against the caps.

Each issuance of the scenario's path (path 0 of ``calc.model.engine.PathResult``), in date order and, on one
date, in the engine's order (stock dividends, paid before the date's actions; the ledger rows; the exit) is
checked by ``calc.model.capacity.check`` (notation there):
    dividend    n = the date's stock dividend shares, A = the dividend due, f = sale_factor (value-settled)
    ledger row  n = the row's conversion + redemption + exchange common (a fixed count: no binding price)
    exit        a stock settlement of the put, call or mandatory redemption: n = the shares it needs (before
                the capacity policy), A = P_x = N_x × LP_x + D_x, f = put_factor (value-settled);
                a conversion (rational, forced by a call, or conversion=all): n = its shares (a fixed count)
    O = the scenario's base shares + every share issued before the issuance (the exit's O is the engine's
        ``outstanding_before_exit``, the capacity policy's O)
    issued under the supplement = O − base shares (assumption of ``calc.model.capacity``: every issuance in the
        window draws on the one registered pool)
``settled_in_cash``: the exit breached a cap and the capacity policy (cash_put_allowed) paid it in cash.

Class binding prices: ``calc.model.capacity.class_binding_prices`` for the whole class (N = 1,885,000 issued) put in
stock at the LP at the valuation date (A = N × LP_0, f = put_factor), against the base shares (O before any
issuance of the window): the prices the charts mark. At the filing's 1,885,000 × $1,000 and 3,432,688,763
shares this is the Goldman Sachs note's $2.746.

Within reach (``REACH``, an assumption): an issuance needing at least 80 % of a cap's limit is named by the
narrative even when the cap does not bind.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from calc.model.capacity import CapLine, DeskFacts, Issuance, check, class_binding_prices
from calc.model.engine import CONVERT, PathResult
from calc.model.params import ScenarioParams
from calc.model.schedule import Schedule
from calc.model.terms import Terms

REACH = Fraction(4, 5)  # n ≥ 80 % of a cap's limit: named though it does not bind (assumption)


@dataclass(frozen=True)
class IssuanceCheck:
    """One issuance of the scenario and its cap lines (NYSE 20 %, registered, authorized)."""

    date: dt.date
    kind: str  # dividend, put, call, redemption, conversion, or a ledger row's action
    issuance: Issuance
    lines: tuple[CapLine, ...]
    settled_in_cash: bool = False

    def named(self) -> tuple[CapLine, ...]:
        """The lines that bind or are within reach (n ≥ REACH × limit)."""
        return tuple(line for line in self.lines if line.binds or line.shares_needed >= REACH * line.limit_shares)

    def as_dict(self) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "kind": self.kind,
            "shares_needed": self.issuance.shares_needed,
            "outstanding_before_shares": self.issuance.outstanding_before,
            "amount_usd": self.issuance.amount_usd,
            "settled_in_cash": self.settled_in_cash,
            "caps": [line.as_dict() for line in self.lines],
        }


@dataclass(frozen=True)
class ScenarioCapacity:
    """The scenario's capacity checks (module docstring)."""

    checks: tuple[IssuanceCheck, ...]
    class_binding_prices_usd: dict[str, float | None]

    def named(self) -> tuple[tuple[IssuanceCheck, CapLine], ...]:
        """(issuance, line) for every cap that binds or is within reach, in date order."""
        return tuple((c, line) for c in self.checks for line in c.named())

    def as_dict(self) -> dict[str, object]:
        return {
            "issuances": [c.as_dict() for c in self.checks],
            "class_binding_prices_usd": self.class_binding_prices_usd,
        }


def _exit_kind(schedule: Schedule, column: int, converted: bool, called: bool) -> str:
    if converted:
        return "call" if called else "conversion"
    if schedule.is_call[column]:
        return "call"
    return "put" if schedule.is_put[column] else "redemption"


def _exit_amount_usd(path: PathResult, column: int) -> float:
    """P_x = N_x × LP_x + D_x on path 0 at the exit column."""
    debentures = float(path.debenture_after[0, column]) if path.debenture_after is not None else 0.0
    return float(path.units_after[column]) * float(path.lp_end[0, column]) + debentures


@dataclass
class _Checks:
    """The issuances checked so far, and the shares they issued (O − base for the next one)."""

    base: int
    terms: Terms
    facts: DeskFacts
    issued: int = 0
    found: list[IssuanceCheck] = field(default_factory=list)

    def add(self, date: dt.date, kind: str, n: int, amount: float | None, factor: float, o: int | None = None) -> None:
        """Check n shares issued with O = ``o`` (default: base + issued so far) outstanding before."""
        o = self.base + self.issued if o is None else o
        issuance = Issuance(kind, n, o, o - self.base, amount, factor)
        self.found.append(IssuanceCheck(date, kind, issuance, check(issuance, self.terms, self.facts)))
        self.issued += n

    def exit(self, date: dt.date, params: ScenarioParams, schedule: Schedule, path: PathResult, e: int) -> None:
        """The exit's issuance: a conversion (fixed count), or a stock settlement (value-settled; when the capacity
        policy paid it in cash, checked but not issued)."""
        converted = int(path.exit_action[0]) == CONVERT
        kind = _exit_kind(schedule, e, converted, bool(path.called[0]))
        o = int(path.outstanding_before_exit[0])
        if converted and path.conversion_shares[0]:
            self.add(date, kind, int(path.conversion_shares[0]), None, 1.0, o)
            return
        needed = int(path.stock_settlement_shares[0])
        if not needed:
            return
        self.add(date, kind, needed, _exit_amount_usd(path, e), params.put_factor, o)
        if path.capacity_cash[0]:
            self.found[-1] = dataclasses.replace(self.found[-1], settled_in_cash=True)
            self.issued -= needed


def scenario_capacity(
    params: ScenarioParams, schedule: Schedule, path: PathResult, terms: Terms, facts: DeskFacts
) -> ScenarioCapacity:
    """Every issuance of path 0 checked against the caps, and the class binding prices (module docstring)."""
    checks = _Checks(params.base_shares, terms, facts)
    exit_column = int(path.exit_column[0])
    for e, date in enumerate(schedule.dates):
        if path.dividend_shares[0, e]:
            due = float(path.dividend_due_usd[0, e])
            checks.add(date, "dividend", int(path.dividend_shares[0, e]), due, params.sale_factor)
        for row in path.rows:
            n = int(row.conversion[0] + row.redemption[0] + row.exchange[0]) if row.column == e else 0
            if n:
                checks.add(date, row.action, n, None, 1.0)
        if e == exit_column:
            checks.exit(date, params, schedule, path, e)
    whole = float(terms.preferred.shares_issued) * float(path.lp_start[0, 0])
    prices = class_binding_prices(whole, params.base_shares, terms, facts, 0, params.put_factor)
    return ScenarioCapacity(tuple(checks.found), prices)
