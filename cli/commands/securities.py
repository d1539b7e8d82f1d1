"""``python -m calc securities`` (alias ``dilution``): every dilutive security on one price path (issue 13).

Per instrument and in total: common issued under the scenario through the horizon, potential
common at the horizon (if-converted / if-exercised) and the fully diluted count; the three
measures side by side (``calc.model.measures``: new shares % of outstanding, fully diluted % of the
fully diluted count, increase over the base) and the bridge base → outstanding → fully diluted;
diluted EPS with every instrument (ASC 260 ordering); the savings plans as holders; Monte Carlo
statistics with ``--volatility``. Instruments marked illustrative in the registry are left out
unless ``--include-illustrative``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from fractions import Fraction

from calc.inputs.data import load_caps
from calc.inputs.history_replay import history_exchanges
from calc.inputs.instruments_toml import load_registry, load_registry_file
from calc.inputs.paths import INSTRUMENTS_PATH
from calc.model.eps import DilutedEps, waterfall_rows
from calc.model.inputs_registry import NET_INCOME, PERIOD_YEARS, TAX_RATE, span
from calc.model.instruments import KINDS
from calc.model.securities import (
    CHOICES,
    KIND_POLICIES,
    DilutionMonteCarlo,
    Policy,
    dilution_eps,
    holder_rows,
    instrument_rows,
    parse_policies,
    run_dilution,
    run_dilution_mc,
    setup,
    totals,
)
from calc.outputs.formats import day, number, price, usd
from cli.arg_types import exact_number, input_path, positive_decimal, tax_rate
from cli.flags import add_ledger_flags, add_monte_carlo_flags, add_scenario_flags, scenario_from_args
from cli.json_output import print_json
from cli.progress import ProgressBar

DEFAULT_NET_INCOME_USD = Fraction(NET_INCOME.default or 0)
NET_INCOME_SOURCE = "assumption: illustrative $1,000,000,000 (pass --net-income for a real period)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--instruments",
        type=input_path,
        metavar="FILE",
        help=f"instrument registry TOML (default {INSTRUMENTS_PATH.name}; kinds: {', '.join(KINDS)})",
    )
    fields = "; ".join(f"{f}: {'|'.join(c)}" for f, c in CHOICES.items())
    parser.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="ID.FIELD=VALUE",
        help="an instrument's policy, repeatable (the 8.00%% preferred uses the scenario flags). "
        f"Fields by kind: convertibles conversion, put, put_settlement, put_factor (0.01 to 1); "
        f"warrants exercise, settlement; option pools exercise; savings plan match. Values: "
        f"{fields}. Defaults: {Policy()}",
    )
    parser.add_argument(
        "--include-illustrative",
        action="store_true",
        help="count the instruments marked illustrative = true in the registry (shipped: the made-up employee "
        "option grants and the retirees' letter executive example) in the fully diluted figures, EPS and Monte "
        "Carlo (default: left out)",
    )
    add_scenario_flags(parser)
    add_ledger_flags(parser)
    eps = parser.add_argument_group("diluted EPS at the horizon")
    eps.add_argument(
        NET_INCOME.flag,
        type=exact_number,
        help=f"{NET_INCOME.help}, {span(NET_INCOME)} (default {NET_INCOME_SOURCE})",
    )
    eps.add_argument(
        PERIOD_YEARS.flag,
        type=exact_number,
        default=Fraction(PERIOD_YEARS.default),
        help=f"{PERIOD_YEARS.help}, > 0 and at most {PERIOD_YEARS.bounds[1]} (default {PERIOD_YEARS.default})",
    )
    eps.add_argument(
        TAX_RATE.flag,
        type=tax_rate,
        default=Fraction(TAX_RATE.default),
        help=f"{TAX_RATE.help} for the after-tax interest add-back (default {TAX_RATE.default})",
    )
    eps.add_argument(
        "--average-price",
        type=positive_decimal,
        help="average common price for the treasury stock method, USD (default: the horizon price)",
    )
    mc = parser.add_argument_group("Monte Carlo")
    add_monte_carlo_flags(mc, volatility=None, purpose="Monte Carlo statistics: ")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _eps_payload(result: DilutedEps, net_income_source: str) -> dict[str, object]:
    return {
        "net_income_usd": float(result.net_income_usd),
        "net_income_source": net_income_source,
        "preferred_dividends_usd": float(result.preferred_dividends_usd),
        "basic_shares": result.basic_shares,
        "basic_eps_usd": float(result.basic_eps_usd),
        "diluted_shares": result.diluted_shares,
        "diluted_eps_usd": float(result.diluted_eps_usd),
        "waterfall": waterfall_rows(result),
    }


def _mc_payload(mc: DilutionMonteCarlo, args: argparse.Namespace) -> dict[str, object]:
    return {
        "paths": mc.paths,
        "volatility": args.volatility,
        "seed": args.seed,
        "fully_diluted_shares": mc.fully_diluted,
        "by_instrument": mc.by_instrument.to_dict("records"),
    }


def run(args: argparse.Namespace) -> int:
    registry = load_registry_file(args.instruments) if args.instruments else load_registry()
    policies = parse_policies(args.policy, registry)
    resolved = scenario_from_args(args)
    params, include = resolved.params, args.include_illustrative or resolved.doc.include_illustrative
    s = setup(
        params,
        registry,
        policies,
        resolved.events,
        include_illustrative=include,
        book=resolved.book,
        prices_path=resolved.prices,
        exchanges=history_exchanges() if resolved.doc.history else (),
        caps=load_caps(),
    )
    result = run_dilution(s)
    net_income = DEFAULT_NET_INCOME_USD if args.net_income is None else args.net_income
    eps = dilution_eps(result, net_income, args.period_years, args.tax_rate, args.average_price)
    mc = None
    if args.volatility is not None:
        progress = ProgressBar(sys.stderr, "paths")
        try:
            mc = run_dilution_mc(s, args.volatility, args.paths, args.seed, progress=progress)
        finally:
            progress.clear()
    payload: dict[str, object] = {
        "scenario": {k: _plain(v) for k, v in params.as_dict().items()},
        "instruments_file": str(args.instruments or INSTRUMENTS_PATH),
        "policies": {
            i.id: {f: getattr(policies.get(i.id, Policy()), f) for f in KIND_POLICIES[type(i)]}
            for i in registry.instruments
        },
        "include_illustrative": args.include_illustrative,
        "excluded_illustrative": [{"id": i.id, "name": i.name} for i in s.excluded],
        "instruments": instrument_rows(result),
        "totals": totals(result),
        "eps": _eps_payload(eps, NET_INCOME_SOURCE if args.net_income is None else "--net-income"),
        "holders": holder_rows(registry, params.base_shares),
    }
    if mc is not None:
        payload["monte_carlo"] = _mc_payload(mc, args)
    if args.json:
        print_json(payload)
        return 0
    _print_text(payload, eps, mc)
    return 0


def _print_bridge(t: dict) -> None:
    """The bridge rows: additions with "+", subtotals with "=", the running total beside each."""
    print(f"{'bridge':72s} {'shares':>15s} {'running total':>15s}")
    for r in t["bridge"]:
        mark = {"absolute": " ", "relative": "+", "total": "="}[r["measure"]]
        print(f"{mark} {r['step']:70s} {r['shares']:>15,} {r['running_total_shares']:>15,}")


def _print_measures(t: dict) -> None:
    """The three measures side by side, each with its formula and counts (``calc.model.measures``)."""
    b, i, o, q, fd = (
        t[k] for k in ("base_shares", "issued_shares", "outstanding_shares", "potential_shares", "fully_diluted_shares")
    )
    print(f"fully diluted: {fd:,} shares = base {b:,} + issued {i:,} + potential {q:,}")
    print(
        f"  new shares % of total outstanding   {t['new_shares_pct_of_outstanding']:>7.2f}%   "
        f"issued / total outstanding = {i:,} / {o:,}"
    )
    print(
        f"  fully diluted %                     {t['fully_diluted_pct']:>7.2f}%   (issued + potential) / fully "
        f"diluted = {i + q:,} of the fully diluted count {fd:,}"
    )
    print(
        f"  increase over the base              {t['increase_over_base_pct']:>7.2f}%   (fully diluted - base) / base "
        f"= {fd - b:,} over the base {b:,}"
    )


def _print_text(payload: dict[str, object], eps: DilutedEps, mc: DilutionMonteCarlo | None) -> None:
    scenario = payload["scenario"]
    assert isinstance(scenario, dict)
    drift = number(100 * float(scenario["annual_drift"]))  # type: ignore[arg-type]
    print(f"horizon {day(scenario['horizon'])}, price {price(scenario['price'], 4)} (drift {drift}% a year)")
    print(f"{'instrument':58s} {'issued':>15s} {'potential':>15s} {'% of FD':>8s}")
    for row in payload["instruments"]:  # type: ignore[attr-defined]
        print(
            f"{row['name']:58s} {row['issued_shares']:>15,} {row['potential_shares']:>15,} "
            f"{row['pct_of_fully_diluted']:>7.2f}%"
        )
    excluded = payload["excluded_illustrative"]
    if excluded:
        names = "; ".join(e["name"] for e in excluded)  # type: ignore[attr-defined,index]
        print(f"left out (illustrative; --include-illustrative counts them): {names}")
    t = payload["totals"]
    assert isinstance(t, dict)
    _print_bridge(t)
    _print_measures(t)
    print("diluted EPS at the horizon (ASC 260 order: most dilutive first)")
    print(f"  {'step':56s} {'shares':>15s} {'incr. EPS':>10s}  status")
    for row in waterfall_rows(eps):
        inc = price(row["incremental_eps_usd"])
        print(f"  {row['step']:56s} {row['incremental_shares']:>15,} {inc:>10s}  {row['reason']}")
    basic, diluted, div = (float(x) for x in (eps.basic_eps_usd, eps.diluted_eps_usd, eps.preferred_dividends_usd))
    print(
        f"basic EPS {price(basic)}, diluted EPS {price(diluted)}; basic = (net income "
        f"{usd(round(float(eps.net_income_usd)))} - preferred dividends for the period {usd(round(div))}) / basic "
        f"shares {eps.basic_shares:,}"
    )
    if mc is not None:
        fd = mc.fully_diluted
        print(
            f"Monte Carlo, {mc.paths:,} paths: fully diluted p5 {fd['p5']:,.0f}, p50 {fd['p50']:,.0f}, "
            f"p95 {fd['p95']:,.0f}"
        )
