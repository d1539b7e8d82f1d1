"""The share-count bridge of 2002-2004 (issue 22): from N common at one date to M at another, by source,
reconciled to every 10-Q/10-K cover count in the window with the residual reported, never fitted.

The replay: the events of ``data/history.csv`` then ``data/replay.csv`` (``calc.model.ledger`` rows with the replay
columns: every security's exchanges, packages, issuance not tied to a security, retirements by means unknown).

Notation: row e issues C_e common over its window [a_e, b_e] (a_e = date_from, else a_e = b_e = date),
L_e = b_e − a_e + 1 days. Counted by date d (spread rule ``day``, the default: uniform by day):
  K_e(d) = floor(C_e × clip(d − a_e + 1, 0, L_e) / L_e)        (rule ``end``: C_e once d >= b_e)
The bridge from D1 to D2, with c0 the last cover date <= D1 and A(c) the cover count at c:
  start   N = A(c0) + Σ_e (K_e(D1) − K_e(c0))
  source  s: Σ_{e in s} (K_e(D2) − K_e(D1))
  model   M(d) = N + Σ_e (K_e(d) − K_e(D1));  end M(D2) = N + Σ_s s  (the bridge sums)
  residual at each cover date c in [D1, D2]: R(c) = A(c) − M(c), share R(c) / A(c) (not explained by the
  modelled events)
Common C_e of a row (share counts exact integers; the rounding named):
  exchange_common   common_shares as reported, or floor(n × common_per_preferred)
  package           the package total T split over its rows by weight w (rule ``face``: face_usd, the default;
                    ``even``: 1 each), largest remainder of T × w_i / Σw (``calc.model.allocation``): Σ = T
  retire            ``cash``: 0 common; ``stock``: ceil(n × LP / (S × put_factor)) (``calc.model.preferred_rules``),
                    LP = $1,000 (no accretion: assumption), S the price path's close on the row's date
  issue_common      common_shares, or ceil(face_usd / S) (stock worth face_usd at the close S)
A row's settlement column overrides the ``retirements`` switch. Outstanding of each tracked security
(units of $1,000: the 8.00% preferred from its 1,885,000 issued, the trust preferred from its first registry
step) falls by each row's n = preferred_shares or face_usd / unit; ``all`` is what is left.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from calc.errors import InputError, Problem
from calc.model import preferred_rules as rules
from calc.model.allocation import largest_remainder
from calc.model.instruments import Convertible, Registry
from calc.model.ledger import Event
from calc.model.price_path import PricePath

OTHER_DEBT = "other_debt"
RETIREMENTS = ("cash", "stock")
PACKAGE_RULES = ("face", "even")
SPREAD_RULES = ("day", "end")
OPTIONS_ROW = "options, employee plans and other (not in our sources: 0 modelled)"
RESIDUAL_LABEL = "not explained by the modelled events"


@dataclass(frozen=True)
class Settings:
    """The user's choices: how retirements of unknown means settle, how a package splits, how a window spreads."""

    retirements: str = "cash"
    package_rule: str = "face"
    spread: str = "day"
    put_factor: float = 1.0


@dataclass(frozen=True)
class Replayed:
    """One replayed row: its common C, the security units it retired and the bridge source it counts under."""

    event: Event
    source: str
    common_shares: int
    retired_units: int
    face_usd: Fraction
    settlement: str  # retire: cash or stock; else ""
    outstanding_after: int | None  # the tracked security's units left after the row (None: not tracked)


@dataclass(frozen=True)
class Cover:
    date: dt.date
    actual_shares: int
    model_shares: int
    residual_shares: int
    residual_pct: float


@dataclass(frozen=True)
class Bridge:
    start_date: dt.date
    end_date: dt.date
    anchor_date: dt.date
    anchor_shares: int
    start_shares: int
    sources: tuple[tuple[str, int], ...]  # (source, shares) in replay order; they sum to end − start
    end_shares: int
    covers: tuple[Cover, ...]
    notes: tuple[tuple[str, str], ...]  # (kind, text)
    replayed: tuple[Replayed, ...]

    def as_dict(self) -> dict[str, object]:
        """JSON-ready (ISO dates, integers exact)."""
        return {
            "from": str(self.start_date),
            "to": str(self.end_date),
            "anchor": {"date": str(self.anchor_date), "common_shares": self.anchor_shares},
            "start_shares": self.start_shares,
            "sources": [{"source": s, "shares": n} for s, n in self.sources],
            "end_shares": self.end_shares,
            "covers": [
                {
                    "date": str(c.date),
                    "actual_shares": c.actual_shares,
                    "model_shares": c.model_shares,
                    "residual_shares": c.residual_shares,
                    "residual_pct": c.residual_pct,
                    "label": RESIDUAL_LABEL,
                }
                for c in self.covers
            ],
            "outstanding": [
                {"date": str(r.event.date), "instrument": r.event.instrument, "units": r.outstanding_after}
                for r in self.replayed
                if r.outstanding_after is not None
            ],
            "notes": [{"kind": k, "text": t} for k, t in self.notes],
        }


# --------------------------------------------------------------------------- the replay


def tracked_units(registry: Registry) -> dict[str, tuple[int, Fraction]]:
    """instrument id -> (units at its start, unit USD) for the securities whose outstanding the replay tracks."""
    tracked = {registry.preferred.id: (registry.terms.preferred.shares_issued, Fraction(rules.BASIS_USD))}
    for c in registry.of(Convertible):
        unit = Fraction(c.unit_usd)
        tracked[c.id] = (int(Fraction(c.outstanding[0].amount_usd) / unit), unit)
    return tracked


def _names(registry: Registry) -> dict[str, str]:
    return {registry.preferred.id: "8.00% preferred", OTHER_DEBT: "other debt"} | {
        c.id: c.name for c in registry.of(Convertible)
    }


def _problem(e: Event, column: str, rule: str) -> Problem:
    return Problem(rule, line=e.line, column=column, column_label=False, source=e.origin)


def _packages(events: Sequence[Event]) -> dict[str, list[Event]]:
    """package label -> its rows, in file order."""
    groups: dict[str, list[Event]] = {}
    for e in events:
        if e.package:
            groups.setdefault(e.package, []).append(e)
    return groups


def _package_problems(events: Sequence[Event]) -> list[Problem]:
    """A package: rows of one date, exactly one giving common_shares, none common_per_preferred."""
    problems: list[Problem] = []
    for name, rows in _packages(events).items():
        if len({e.date for e in rows}) > 1:
            problems.append(_problem(rows[0], "package", f"'{name}': its rows have different dates"))
        totals = [e for e in rows if e.common_shares is not None]
        if len(totals) != 1 or any(e.common_per_preferred is not None for e in rows):
            problems.append(
                _problem(rows[0], "package", f"'{name}': exactly one row gives common_shares (the package total)")
            )
    return problems


def split_total(total: int, weights: Sequence[Fraction]) -> list[int]:
    """``total`` split ∝ ``weights`` by largest remainder (exact; ties by row order)."""
    whole = sum(weights, Fraction(0))
    shares = [Fraction(total) * w / whole for w in weights] if whole else [Fraction(0)] * len(weights)
    approx = np.array([[float(s) for s in shares]])
    return [int(v) for v in largest_remainder(approx, np.array([total]), lambda i: shares[i[1]])[0]]


def replay(
    events: Sequence[Event], registry: Registry, prices: PricePath, settings: Settings = Settings()
) -> tuple[Replayed, ...]:
    """Each row's common, units retired and outstanding after (module docstring); ``InputError`` listing every
    problem (unknown instrument, more retired than outstanding, a package without one total, no price)."""
    tracked, names = tracked_units(registry), _names(registry)
    left = {i: units for i, (units, _) in tracked.items()}
    problems = _package_problems(events)
    package_common_shares = package_common(events, settings.package_rule)
    out: list[Replayed] = []
    for e in sorted(events, key=lambda e: e.date):
        if e.action == "issue_common":
            common = e.common_shares
            if common is None:
                common = math.ceil(Fraction(e.face_usd or 0) / rules.decimal_value(prices.close_on(e.date)))
            out.append(Replayed(e, e.label, common, 0, Fraction(e.face_usd or 0), "", None))
            continue
        if e.instrument not in names:
            problems.append(_problem(e, "instrument", f"'{e.instrument}' is not one of {', '.join(names)}"))
            continue
        if e.instrument not in tracked and e.face_usd is None:
            problems.append(_problem(e, "face_usd", f"required for {e.instrument} (its units are not tracked)"))
            continue
        unit = tracked.get(e.instrument, (0, Fraction(0)))[1]
        units = left.get(e.instrument, 0) if e.preferred_shares is None else e.preferred_shares
        if e.face_usd is not None and unit:
            units = int(e.face_usd / unit) if e.face_usd % unit == 0 else -1
        face = Fraction(e.face_usd) if e.face_usd is not None else units * unit
        if units < 0:
            problems.append(_problem(e, "face_usd", f"is not a whole number of ${unit:,} units of {e.instrument}"))
            continue
        if e.instrument in left:
            if units > left[e.instrument]:
                problems.append(
                    _problem(e, "preferred_shares", f"{units:,} is more than the {left[e.instrument]:,} outstanding")
                )
                continue
            left[e.instrument] -= units
        settlement, common = _common(e, units, prices, settings, package_common_shares)
        source = (
            f"{'exchanges' if e.action == 'exchange_common' else 'retired in ' + settlement}: {names[e.instrument]}"
        )
        out.append(Replayed(e, source, common, units, face, settlement, left.get(e.instrument)))
    if problems:
        raise InputError(f"replay: {len(problems)} problem(s); nothing was run", tuple(problems))
    return tuple(out)


def package_common(events: Sequence[Event], rule: str) -> dict[int, int]:
    """id(event) -> its share of its package's total (``split_total`` by the package rule)."""
    shares: dict[int, int] = {}
    for rows in _packages(events).values():
        total = next((e.common_shares for e in rows if e.common_shares is not None), 0) or 0
        weights = [Fraction(e.face_usd or 0) if rule == "face" else Fraction(1) for e in rows]
        shares |= {id(e): n for e, n in zip(rows, split_total(total, weights))}
    return shares


def _common(
    e: Event, units: int, prices: PricePath, settings: Settings, package_common: Mapping[int, int]
) -> tuple[str, int]:
    """(settlement, common) of a row retiring ``units`` of a security."""
    if e.package:
        return "", package_common[id(e)]
    if e.action == "exchange_common":
        if e.common_shares is not None:
            return "", e.common_shares
        return "", math.floor(units * (e.common_per_preferred or 0))
    settlement = e.settlement or settings.retirements
    if settlement == "cash":
        return "cash", 0
    per = rules.exact_redemption_per_share(Fraction(rules.BASIS_USD), prices.close_on(e.date), settings.put_factor)
    return "stock", math.ceil(units * per)


# --------------------------------------------------------------------------- counting and the bridge


def counted(replayed: Sequence[Replayed], dates: Sequence[dt.date], spread: str = "day") -> np.ndarray:
    """K (E, D) int64: the common of each row counted by each date (module docstring), exact in int64:
    floor(C × t / L) = floor(C / L) × t + floor((C mod L) × t / L), each term below 2^63 for C <= 10^15."""
    total = np.array([r.common_shares for r in replayed], dtype=np.int64)[:, None]
    end = np.array([r.event.date for r in replayed], dtype="datetime64[D]")[:, None]
    start = (
        end
        if spread == "end"
        else np.array([r.event.date_from or r.event.date for r in replayed], dtype="datetime64[D]")[:, None]
    )
    days = np.array(dates, dtype="datetime64[D]")[None, :]
    length = (end - start).astype(np.int64) + 1
    elapsed = np.clip((days - start).astype(np.int64) + 1, 0, length)
    whole, rest = np.divmod(total, length)
    return whole * elapsed + (rest * elapsed) // length


def bridge(
    replayed: Sequence[Replayed],
    actual: Sequence[tuple[dt.date, int]],
    start: dt.date,
    end: dt.date,
    settings: Settings = Settings(),
    notes: Sequence[tuple[str, str]] = (),
) -> Bridge:
    """The bridge from ``start`` to ``end`` against the cover counts ``actual`` ((date, common outstanding) in
    date order)."""
    if end < start:
        raise InputError(f"--to: {end} is before --from {start}")
    before = [c for c in actual if c[0] <= start]
    if not before:
        raise InputError(f"--from: {start} is before the first cover date {actual[0][0]}")
    (anchor_date, anchor_shares), inside = before[-1], [c for c in actual if start <= c[0] <= end]
    dates = [anchor_date, start, end, *(d for d, _ in inside)]
    k = counted(replayed, dates, settings.spread) if replayed else np.zeros((0, len(dates)), dtype=np.int64)
    start_shares = anchor_shares + int(k[:, 1].sum() - k[:, 0].sum())
    by_source: dict[str, int] = {}
    for r, n in zip(replayed, k[:, 2] - k[:, 1]):
        by_source[r.source] = by_source.get(r.source, 0) + int(n)
    by_source[OPTIONS_ROW] = 0
    model = start_shares + k[:, 3:].sum(axis=0) - k[:, 1].sum()
    checks = tuple(Cover(d, a, int(m), a - int(m), 100.0 * (a - int(m)) / a) for (d, a), m in zip(inside, model))
    return Bridge(
        start,
        end,
        anchor_date,
        anchor_shares,
        start_shares,
        tuple(by_source.items()),
        start_shares + sum(by_source.values()),
        checks,
        tuple(notes) + _setting_notes(settings) + _assumption_notes(replayed),
        tuple(replayed),
    )


# --------------------------------------------------------------------------- notes


ASSUMPTION = re.compile(r"\bassumption( \([^)]*\))?:.*", re.IGNORECASE | re.DOTALL)  # "assumption:" to the end


def _assumption_notes(replayed: Sequence[Replayed]) -> tuple[tuple[str, str], ...]:
    """Every dated assumption of the replayed rows: the row's date, source and its text from 'assumption' on."""
    return tuple(
        ("assumption", f"{r.event.date} ({r.source}): {m.group(0)}")
        for r in replayed
        if (m := ASSUMPTION.search(r.event.source))
    )


def _setting_notes(settings: Settings) -> tuple[tuple[str, str], ...]:
    return (
        (
            "setting",
            f"retirements of unknown means: {settings.retirements} (assumption; switch with --retirements); "
            f"package split: {settings.package_rule} (assumption; --package-rule); windows spread: "
            f"{settings.spread} (assumption; --spread); put_factor {settings.put_factor:g}",
        ),
    )


PERIODS = (  # (reported key, replay window, what) of the 8.00% preferred's reported figures
    ("fq4_2002_preferred_8pct_usd", (dt.date(2002, 7, 1), dt.date(2002, 9, 30)), "fiscal Q4 2002"),
    ("since_2002_09_30_preferred_8pct_usd", (dt.date(2002, 10, 1), dt.date(2002, 12, 12)), "2002-10-01..12-12"),
    ("fq2_2003_preferred_8pct_usd", (dt.date(2003, 1, 1), dt.date(2003, 3, 31)), "fiscal Q2 2003"),
    ("april_2003_preferred_8pct_usd", (dt.date(2003, 4, 1), dt.date(2003, 4, 23)), "2003-04-01..04-23"),
)
EXCHANGES_END = dt.date(2003, 4, 23)


def conflict_notes(replayed: Sequence[Replayed], reported: Mapping[str, int]) -> tuple[tuple[str, str], ...]:
    """The sources' conflicts, each reported figure against the replay's (which figure the replay breaks, by how
    much): the 8.00% preferred's period figures against the cumulative one, the $1.627B against its parts, the
    621M common against the replayed exchanges."""

    def face(instrument: str | None, lo: dt.date, hi: dt.date) -> Fraction:
        return sum(
            (
                r.face_usd
                for r in replayed
                if r.event.action == "exchange_common"
                and lo <= r.event.date <= hi
                and (instrument is None or r.event.instrument == instrument)
            ),
            Fraction(0),
        )

    start = dt.date(2002, 7, 1)
    parts = [(what, reported[key], face("preferred_8pct", *window)) for key, window, what in PERIODS]
    period_sum = sum(p[1] for p in parts)
    broken = "; ".join(
        f"{what}: reported ${rep / 1e6:,.0f}M, replayed ${float(got) / 1e6:,.0f}M ({float(got - rep) / 1e6:+,.0f}M)"
        for what, rep, got in parts
        if got != rep
    )
    cumulative = reported["cumulative_preferred_8pct_usd"]
    parts_total = sum(reported[f"cumulative_{k}_usd"] for k in ("preferred_8pct", "trust_preferred", "other_debt"))
    common = sum(
        r.common_shares for r in replayed if r.event.action == "exchange_common" and r.event.date <= EXCHANGES_END
    )
    return (
        (
            "conflict",
            f"8.00% preferred exchanged to {EXCHANGES_END}: the period figures sum to ${period_sum / 1e6:,.0f}M, "
            f"the cumulative figure is ${cumulative / 1e6:,.0f}M; the replay retires "
            f"${float(face('preferred_8pct', start, EXCHANGES_END)) / 1e6:,.0f}M and breaks {broken or 'none'}",
        ),
        (
            "conflict",
            f"debt reduced to {EXCHANGES_END}: reported ${reported['cumulative_debt_reduced_usd'] / 1e6:,.0f}M, its "
            f"parts sum to ${parts_total / 1e6:,.0f}M; the replay retires "
            f"${float(face(None, start, EXCHANGES_END)) / 1e6:,.0f}M of face",
        ),
        (
            "check",
            f"common issued in exchanges to {EXCHANGES_END}: reported {reported['cumulative_common_shares']:,}, "
            f"replayed {common:,}",
        ),
    )


NOT_MODELLED = ("ubs_at_the_market_max_shares", "settlement_due_2005_01_usd", "warrants_issued_2004_12_10")


NO_SOURCE = (
    "stock dividends, conversions and puts of the 8.00% preferred, employee plans and options: no source we have "
    "gives a count for 2002-2004, so none is modelled (their common, if any, is in the residual)"
)


def not_modelled_notes(sources: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """The reported facts the replay does not turn into shares, each with its source, and what no source counts."""
    return tuple(("not modelled", sources[k]) for k in NOT_MODELLED) + (("not modelled", NO_SOURCE),)


def bridge_frame(result: Bridge) -> pd.DataFrame:
    """The bridge as one table (CSV export, dashboard): start, each source, end, each cover check, each note."""
    rows: list[dict[str, object]] = [
        {
            "section": "start",
            "date": result.start_date,
            "item": f"cover count {result.anchor_date} + replay to start",
            "shares": result.start_shares,
        },
        *({"section": "source", "date": result.end_date, "item": s, "shares": n} for s, n in result.sources),
        {"section": "end", "date": result.end_date, "item": "model count", "shares": result.end_shares},
        *(
            {
                "section": "cover",
                "date": c.date,
                "item": RESIDUAL_LABEL,
                "shares": c.model_shares,
                "actual_shares": c.actual_shares,
                "residual_shares": c.residual_shares,
                "residual_pct": c.residual_pct,
            }
            for c in result.covers
        ),
    ]
    rows += [{"section": k, "item": t} for k, t in result.notes]
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
    for column in ("shares", "actual_shares", "residual_shares"):
        frame[column] = frame[column].astype("Int64")
    return frame


FRAME_COLUMNS = ("section", "date", "item", "shares", "actual_shares", "residual_shares", "residual_pct")


def waterfall_rows(result: Bridge) -> list[dict[str, object]]:
    """The bridge as waterfall steps (``charts.bridge_figures.bridge_figure``): the start (absolute), each
    source (relative), the model count (total); ``running_total_shares`` after each step."""
    steps: list[dict[str, object]] = [
        {"step": f"start: {result.start_date}", "measure": "absolute", "shares": result.start_shares}
    ]
    steps += [{"step": s, "measure": "relative", "shares": n} for s, n in result.sources]
    steps.append({"step": f"model count: {result.end_date}", "measure": "total", "shares": result.end_shares})
    running = np.cumsum([int(r["shares"]) if r["measure"] != "total" else 0 for r in steps])  # type: ignore[call-overload]
    running[-1] = result.end_shares
    return [r | {"running_total_shares": int(t)} for r, t in zip(steps, running)]


def covers_frame(result: Bridge) -> pd.DataFrame:
    """date, actual_shares, model_shares, residual_shares, residual_pct of each cover date in the window."""
    return pd.DataFrame(
        [(c.date, c.actual_shares, c.model_shares, c.residual_shares, c.residual_pct) for c in result.covers],
        columns=["date", "actual_shares", "model_shares", "residual_shares", "residual_pct"],
    )


def workbook_sheets(result: Bridge) -> dict[str, pd.DataFrame]:
    """The bridge's workbook sheets: Bridge (start, sources, end), Covers, Notes, Replay (each row replayed)."""
    frame = bridge_frame(result)
    replayed = pd.DataFrame(
        [
            (
                r.event.date_from or r.event.date,
                r.event.date,
                r.event.action,
                r.event.instrument if r.event.action != "issue_common" else "",
                r.retired_units,
                float(r.face_usd),
                r.common_shares,
                r.source,
                r.event.source,
            )
            for r in result.replayed
        ],
        columns=[
            "date_from",
            "date",
            "action",
            "instrument",
            "units",
            "face_usd",
            "common_shares",
            "bridge_source",
            "source",
        ],
    )
    return {
        "Bridge": frame[frame["section"].isin(["start", "source", "end"])][["section", "date", "item", "shares"]],
        "Covers": covers_frame(result),
        "Notes": frame[frame["date"].isna()][["section", "item"]].set_axis(["kind", "text"], axis=1),
        "Replay": replayed,
    }
