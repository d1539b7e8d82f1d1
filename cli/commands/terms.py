"""``python -m calc terms``: the instrument terms in force, with provenance."""

from __future__ import annotations

import argparse
import dataclasses

from calc.inputs.terms_toml import load_terms
from calc.model.columns import TERM_LABELS
from calc.outputs.citations import citation
from calc.outputs.formats import day, number, price, term_value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sources",
        action="store_true",
        help="also print each term's source (a citation) and its field in the terms file",
    )


def run(args: argparse.Namespace) -> int:
    """Each term by its name and its value as a person reads it (``formats.term_value``: 8.00%, yes, $1,000,
    Aug 2, 2004); with ``--sources`` its field in the terms file and its source as a citation."""
    terms = load_terms()
    rows: list[tuple[str, str, str, str]] = []
    for prefix, section in (("preferred", terms.preferred), ("registered", terms.registered), ("market", terms.market)):
        for field in dataclasses.fields(section):
            key = f"{prefix}.{field.name}"
            value = term_value(field.name, getattr(section, field.name))
            rows.append((TERM_LABELS.get(key, key), value, key, terms.source(key)))
    for step in terms.conversion_rates:
        rows.append(
            (
                f"Conversion rate from {day(step.effective_date)}",
                f"{number(step.rate)} common per preferred (price {price(step.conversion_price_usd, 4)}; {step.event})",
                "conversion_rates",
                step.source,
            )
        )
    width = max(len(label) for label, *_ in rows)
    print("Terms of Lucent's 8.00% redeemable convertible preferred in force")
    for label, value, key, source in rows:
        print(f"{label:{width}}  {value}")
        if args.sources:
            print(f"{'':{width}}  field: {key}; source: {citation(source)}")
    return 0
