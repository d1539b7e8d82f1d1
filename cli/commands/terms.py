"""``python -m calc terms``: the instrument terms in force, with provenance."""

from __future__ import annotations

import argparse
import datetime as dt

from calc.inputs.paths import TERMS_PATH
from calc.inputs.terms_toml import load_terms


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", action="store_true", help="also print each field's source")


def _display(value: object) -> str:
    """Dates ISO, lists comma-separated, month/day pairs as MM-DD."""
    if isinstance(value, tuple):
        return ", ".join(f"{v[0]:02d}-{v[1]:02d}" if isinstance(v, tuple) else _display(v) for v in value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def run(args: argparse.Namespace) -> int:
    terms = load_terms()
    print(f"terms file: {TERMS_PATH}")
    for prefix, section in (("preferred", terms.preferred), ("registered", terms.registered), ("market", terms.market)):
        for field, value in vars(section).items():
            key = f"{prefix}.{field}"
            print(f"{key:45} {_display(value)}")
            if args.sources:
                print(f"{'':45}   source: {terms.source(key)}")
    for step in terms.conversion_rates:
        print(
            f"conversion rate from {step.effective_date}: {step.rate} "
            f"(price ${step.conversion_price_usd}) [{step.event}]"
        )
        if args.sources:
            print(f"{'':45}   source: {step.source}")
    return 0
