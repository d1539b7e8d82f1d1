"""The terms file: values, provenance, and rejection of malformed edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from calc.errors import InputError
from calc.inputs.paths import TERMS_PATH
from calc.inputs.terms_toml import load_terms_file


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


# --------------------------------------------------------------------------- issue 20 (hardening, round 3)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "old, new, message",
    [
        (  # item 13: Fraction(Decimal('1E-999999999')) never finishes
            'conversion_price_usd = "5.94"',
            'conversion_price_usd = "1e-999999999"',
            r"\[conversion_rates entry 2.conversion_price_usd\] value '1e-999999999' is too small",
        ),
        ('value = "1.89"', 'value = "1e999999999"', r"\[market.closing_price_usd\] value '1e999999999' is too large"),
        ('value = "1.89"', "value = 1e-300", r"\[market.closing_price_usd\] value '1e-300' is too small"),
        ('value = "1.89"', 'value = "nan"', r"NaN and infinity are not accepted"),
        ('value = "1.89"', "value = true", r"\[market.closing_price_usd\] value 'True' must be of type Decimal"),
    ],
)
def test_issue20_item13_terms_numbers_are_bounded_on_load(tmp_path, old, new, message):
    text = TERMS_PATH.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    bad = tmp_path / "terms.toml"
    bad.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        load_terms_file(bad)
    assert str(err.value).startswith(f"terms file {bad}: ")


@pytest.mark.parametrize(
    "edit, message",
    [  # item 15: each was an internal error (TypeError, AttributeError, RecursionError)
        (
            lambda t: t.replace("value = [2004-08-02", 'value = ["soon", 2004-08-02'),
            r"\[preferred.put_dates\] value 'soon' must be of type",
        ),
        (
            lambda t: "conversion_rates = 3\n" + t.replace("[[conversion_rates]]", "[[old_rates]]"),
            "must be an array of tables",
        ),
        (lambda t: "x = " + "[" * 100_000 + "]" * 100_000 + "\n" + t, "nested too deeply"),
    ],
)
def test_issue20_item15_terms_faults_are_input_errors(tmp_path, edit, message):
    text = TERMS_PATH.read_text(encoding="utf-8")
    bad = tmp_path / "terms.toml"
    bad.write_text(edit(text), encoding="utf-8")
    assert bad.read_text(encoding="utf-8") != text
    with pytest.raises(InputError, match=message):
        load_terms_file(bad)


def test_issue20_item15_terms_in_latin1_is_refused_with_the_readers_hint(tmp_path):
    bad = tmp_path / "terms.toml"
    bad.write_bytes(TERMS_PATH.read_bytes() + "# Société Générale\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"line \d+, character 7: byte 0xE9 cannot be decoded; files must be UTF-8"):
        load_terms_file(bad)
    bad.write_bytes(TERMS_PATH.read_text(encoding="utf-8").encode("utf-16"))  # with its byte-order mark
    assert load_terms_file(bad) == load_terms_file(TERMS_PATH)
