"""The terms file: values, provenance, and rejection of malformed edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from calc.data import TERMS_PATH
from calc.errors import InputError
from calc.terms import load_terms_file


def test_terms_values_and_provenance(terms):
    assert terms.preferred.shares_issued == 1_885_000
    assert terms.preferred.initial_liquidation_preference_usd == Decimal("1000.00")
    assert [s.rate for s in terms.conversion_rates] == [Decimal("133.6898"), Decimal("168.3502")]
    assert [s.conversion_price_usd for s in terms.conversion_rates] == [Decimal("7.48"), Decimal("5.94")]
    assert terms.preferred.put_dates[0] == dt.date(2004, 8, 2)
    assert terms.market.common_shares_outstanding == 3_607_381_493
    # every field has a source; the unstated dividend dates are marked as an assumption
    assert all(source.strip() for source in terms.provenance.values())
    assert terms.source("preferred.dividend_months_days").startswith("assumption")
    assert "SUPP p. 11" in terms.source("market.closing_price_usd")


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('value = "1.89"', 'value = "abc"', r"\[market.closing_price_usd\] value 'abc' is not a number"),
        ("value = 1_885_000", 'value = "many"', r"\[preferred.shares_issued\] value 'many' must be of type int"),
        ('rate = "168.3502"', 'rate = "x"', r"conversion_rates entry 2.rate\] value 'x' is not a number"),
    ],
)
def test_malformed_terms_are_rejected_with_the_field(tmp_path, old, new, message):
    text = TERMS_PATH.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "terms.toml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_terms_file(bad)
