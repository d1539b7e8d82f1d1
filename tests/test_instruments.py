"""Issue 13: the instrument registry against its sources, and malformed edits rejected by field."""

from __future__ import annotations

import math
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from calc.errors import InputError
from calc.inputs.data import load_terms
from calc.inputs.instruments_toml import load_registry, load_registry_file
from calc.inputs.paths import INSTRUMENTS_PATH
from calc.model.instruments import Convertible, Warrant
from tests.helpers import ROOT, run_cli, run_cli_capped

ELEVEN_K = (ROOT / "data" / "11-K_2002_long_term_savings_plan.txt").read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def by_id(registry, iid):
    return next(i for i in registry.instruments if i.id == iid)


def test_trust_preferred_206_6116_from_361_570_300_registered_shares(registry):
    """424B3 (2002): 1,750,000 securities of $1,000; 361,570,300 common registered for conversion, so
    206.6116 per security (about $4.84), derived as 133.6898 was for the 8.00% preferred."""
    trust = by_id(registry, "trust_preferred_775")
    assert Fraction(361_570_300, 1_750_000) == Fraction(Decimal("206.6116"))
    assert trust.conversion_rate == Decimal("206.6116")
    assert trust.registered_common_shares == 361_570_300
    assert trust.outstanding[0].amount_usd == 1_750_000 * Decimal(1000)
    assert round(1000 / 206.6116, 2) == 4.84 == float(trust.conversion_price_usd)
    # AR2003: $1,152M at 2003-09-30; Prospect News Dec 12, 2013: $931,236,000 called for cash
    assert [s.amount_usd for s in trust.outstanding[1:]] == [Decimal(1_152_000_000), Decimal(931_236_000)]


def test_debentures_total_1_525_billion_and_conversion_prices(registry):
    """RCR Wireless (May 2003): $1.5B raised, $750M Series A at $3.34 (48% over the $2.26 close of
    May 29, 2003) and $775M Series B at $3.12 (38% premium)."""
    a, b = by_id(registry, "debentures_275_a"), by_id(registry, "debentures_275_b")
    assert a.outstanding[0].amount_usd + b.outstanding[0].amount_usd == Decimal(1_525_000_000)
    assert (Decimal("2.26") * Decimal("1.48")).quantize(Decimal("0.01")) == a.conversion_price_usd == Decimal("3.34")
    assert (Decimal("2.26") * Decimal("1.38")).quantize(Decimal("0.01")) == b.conversion_price_usd == Decimal("3.12")
    for deb, rate in ((a, "299.4012"), (b, "320.5128")):
        assert (
            deb.conversion_rate
            == Decimal(rate)
            == (1000 / deb.conversion_price_usd).quantize(Decimal("0.0001"), ROUND_HALF_UP)
        )
        assert deb.coupon_rate == Decimal("0.0275") and deb.issue_date.isoformat() == "2003-06-04"
    assert [d.year for d in a.put_dates] == [2010, 2015, 2020] and [d.year for d in b.put_dates] == [2013, 2019]
    assert registry.source("debentures_275_a.contingent_trigger_pct").startswith("assumption")


def test_warrants_of_the_2004_settlement(registry):
    w = by_id(registry, "warrants_2004")
    assert isinstance(w, Warrant)
    assert (w.count, w.exercise_price_usd) == (200_000_000, Decimal("2.75"))
    assert (w.issue_date.isoformat(), w.expiry_date.isoformat()) == ("2004-12-10", "2007-12-10")


def test_one_registry_the_preferred_terms_are_referenced(registry):
    assert registry.preferred.terms_file == "terms.toml"
    assert registry.terms is load_terms()


def test_every_field_has_a_source(registry):
    for i in registry.instruments:
        for name in vars(i):
            if name not in ("id", "kind", "grants") and getattr(i, name) is not None:
                value = getattr(i, name)
                if isinstance(value, tuple) and value and hasattr(value[0], "source"):
                    assert all(step.source for step in value)
                else:
                    assert registry.source(f"{i.id}.{name}"), (i.id, name)


def test_savings_plan_figures_are_on_the_cited_11k_lines(registry):
    """Every '11-K line N' cited for a figure holds that figure (thousands of dollars)."""
    plan = by_id(registry, "savings_plan_ltssp")
    cited = [(h.source, f"{int(h.fair_value_usd) // 1000:,}") for h in plan.holding]
    cited.append((registry.source("savings_plan_ltssp.match_usd_per_year"), "8,749"))
    cited.append((registry.source("savings_plan_ltssp.plan_interest_pct"), "approximately 14%"))
    for source, figure in cited:
        line = int(re.search(r"11-K line (\d+)", source).group(1))
        assert figure in ELEVEN_K[line - 1], (source, figure)
    assert "May 15, 2002" in ELEVEN_K[443 - 1]  # match_in_stock_until
    assert plan.match_in_stock_until.isoformat() == "2002-05-15"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    for name in ("instruments.toml", "terms.toml", "grants_illustrative.csv", "grants_executive_example.csv"):
        shutil.copy(ROOT / "data" / name, tmp_path / name)
    return tmp_path / "instruments.toml"


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            'conversion_rate = { value = "299.4012"',
            'conversion_rate = { value = "299.5"',
            "[debentures_275_a.conversion_rate] 299.5 does not match unit_usd / conversion_price_usd = 299.4012",
        ),
        (
            "registered_common_shares = { value = 361_570_300",
            "registered_common_shares = { value = 361_570_301",
            "[trust_preferred_775.registered_common_shares] 361,570,301 differs from ceil",
        ),
        (
            'count = { value = 200_000_000, source = "SETTLE: 200,000,000 warrants" }',
            "count = { value = 200_000_000 }",
            "[warrants_2004.count] must be a table with exactly 'value' and 'source'",
        ),
        (
            'coupon_rate = { value = "0.0775"',
            'coupon_rte = { value = "0.0775"',
            "[trust_preferred_775.coupon_rte] unknown",
        ),
        (
            'kind = { value = "warrant"',
            'kind = { value = "warant"',
            "[warrants_2004.kind] must be a table with 'value'",
        ),
        (
            "expiry_date = { value = 2007-12-10",
            "expiry_date = { value = 2003-12-10",
            "[warrants_2004.expiry_date] 2003-12-10 must be on or after issue_date",
        ),
        (
            'exercise_price_usd = { value = "2.75"',
            'exercise_price_usd = { value = "2,75"',
            "[warrants_2004.exercise_price_usd] value '2,75' is not a number",
        ),
        (
            "put_dates = { value = [2013-06-15, 2019-06-15]",
            "put_dates = { value = [2013-06-15, 2029-06-15]",
            "[debentures_275_b.put_dates] 2029-06-15 must lie after issue_date",
        ),
        (
            "coupons_per_year = { value = 4",
            'coupons_per_year = { value = "4"',
            "[trust_preferred_775.coupons_per_year] value '4' must be of type int",
        ),
        (
            'amount_usd = "775000000"',
            'amount_usd = "775000500"',
            "[debentures_275_b.outstanding entry 1.amount_usd] 775000500 must be >= 0 and a whole number of units",
        ),
        (
            'illustrative = { value = true, source = "data/grants_executive_example.csv',
            'illustrative = { value = "yes", source = "data/grants_executive_example.csv',
            "[options_executive.illustrative] value 'yes' must be of type bool",
        ),
        (
            'terms_file = { value = "terms.toml"',
            'illustrative = { value = true, source = "t" }\nterms_file = { value = "terms.toml"',
            "[preferred_8pct.illustrative] unknown field for kind convertible_preferred",
        ),
        (
            "date = 2001-12-31\nprice_usd",
            "date = 2001-12-30\nprice_usd",
            "[savings_plan_ltssp.holding entry 4.date] 2001-12-31 has no [[savings_plan_ltssp.price]] entry",
        ),
    ],
)
def test_malformed_edits_are_rejected_naming_the_field(data_copy, old, new, message):
    text = data_copy.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    data_copy.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_registry_file(data_copy)
    assert message in str(err.value)


def test_adding_a_security_is_an_edit_not_code(data_copy):
    extra = (
        '\n[warrants_extra]\nkind = { value = "warrant", source = "test" }\n'
        'name = { value = "extra", source = "t" }\n'
        'count = { value = 10, source = "t" }\nshares_per_warrant = { value = 2, source = "t" }\n'
        'exercise_price_usd = { value = "1", source = "t" }\nissue_date = { value = 2002-01-01, source = "t" }\n'
        'expiry_date = { value = 2010-01-01, source = "t" }\n'
    )
    data_copy.write_text(data_copy.read_text(encoding="utf-8") + extra, encoding="utf-8")
    added = load_registry_file(data_copy).instruments[-1]
    assert isinstance(added, Warrant) and added.count * added.shares_per_warrant == 20


def test_shipped_registry_file_is_the_default():
    assert INSTRUMENTS_PATH == ROOT / "data" / "instruments.toml"
    assert all(isinstance(i, Convertible) for i in load_registry().of(Convertible))
    assert math.ceil(Fraction(750_000) * Fraction("299.4012")) == 224_550_900


# --------------------------------------------------------------------------- issue 20 (hardening, round 3)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "value, rule",
    [
        ("1e-999999999", "too small"),  # Fraction(Decimal('1E-999999999')) never finished
        ("1e999999999", "too large"),
        ("1" * 60, "longer than 50 characters"),
        ("2_75", "is not a number"),
    ],
)
def test_issue20_item13_huge_exponent_is_refused_fast(data_copy, value, rule):
    _edit(data_copy, 'exercise_price_usd = { value = "2.75"', f'exercise_price_usd = {{ value = "{value}"')
    with pytest.raises(InputError) as err:
        load_registry_file(data_copy)
    assert "[warrants_2004.exercise_price_usd]" in str(err.value) and rule in str(err.value)


@pytest.mark.timeout(10)
def test_issue20_item13_dilution_refuses_the_huge_exponent(data_copy):
    _edit(data_copy, 'exercise_price_usd = { value = "2.75"', 'exercise_price_usd = { value = "1e-999999999"')
    result = run_cli("dilution", "--instruments", str(data_copy))
    assert result.returncode == 2 and result.stdout == ""
    assert "exercise_price_usd] value '1e-999999999' is too small" in result.stderr


@pytest.mark.timeout(20)
def test_issue20_item14_dev_zero_instruments_and_terms_files_are_refused(data_copy):
    result = run_cli_capped("dilution", "--instruments", "/dev/zero")
    assert result.returncode == 2 and result.stdout == ""
    assert (
        result.stderr == "error: instruments file /dev/zero: larger than the 2,000,000-byte limit; nothing was read\n"
    )
    _edit(data_copy, 'terms_file = { value = "terms.toml"', 'terms_file = { value = "/dev/zero"')
    result = run_cli_capped("dilution", "--instruments", str(data_copy))
    assert result.returncode == 2 and result.stdout == ""
    assert "error: terms file /dev/zero: larger than the 2,000,000-byte limit" in result.stderr


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    "old, new, message",
    [
        (  # was decimal.InvalidOperation (exit 1): 1000 / 1e-30 quantized to 4 decimals
            'conversion_price_usd = { value = "4.84"',
            'conversion_price_usd = { value = "1e-30"',
            "[trust_preferred_775.conversion_rate] 206.6116 does not match unit_usd / conversion_price_usd = 1"
            "000000000000000000000000000000000.0000",
        ),
        (  # was RecursionError (exit 1)
            "# --- Warrants",
            "deep = " + "[" * 100_000 + "]" * 100_000 + "\n# --- Warrants",
            "not readable TOML (arrays or tables nested too deeply)",
        ),
        ("# --- Warrants", "x = [1,\n# --- Warrants", "not valid TOML (Invalid value (at line"),
    ],
)
def test_issue20_item15_instruments_file_faults_are_input_errors(data_copy, old, new, message):
    _edit(data_copy, old, new)
    with pytest.raises(InputError) as err:
        load_registry_file(data_copy)
    assert str(err.value).startswith(f"instruments file {data_copy}: ") and message in str(err.value)


def test_issue20_item15_terms_file_in_latin1_is_refused_naming_the_byte(data_copy):
    """A non-UTF-8 terms_file was a UnicodeDecodeError (exit 1); now the CSV readers' rule and hint."""
    terms = data_copy.parent / "terms.toml"
    terms.write_bytes(terms.read_bytes() + "# Société\n".encode("latin-1"))
    result = run_cli("dilution", "--instruments", str(data_copy))
    assert result.returncode == 2 and result.stdout == ""
    assert f"terms file {terms}: line " in result.stderr
    assert "byte 0xE9 cannot be decoded" in result.stderr and "iconv" in result.stderr


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_issue20_item15_toml_with_a_byte_order_mark_loads(data_copy, encoding):
    """The CSV readers' rule: UTF-8 with or without a BOM, UTF-16/32 with their BOM."""
    for path in (data_copy, data_copy.parent / "terms.toml"):
        path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    assert load_registry_file(data_copy).instruments == load_registry().instruments


@pytest.mark.parametrize("key", ["warrants.2004", "warrants 2004", "warrants=2004", "w\\u001b[31m", "x" * 65])
def test_issue20_item23_instrument_id_policy_cannot_name_is_refused(data_copy, key):
    """``["warrants.2004"]`` loaded but ``--policy warrants.2004.exercise=none`` could not name it
    (``key`` is the TOML text of the quoted key)."""
    _edit(data_copy, "[warrants_2004]", f'["{key}"]')
    with pytest.raises(InputError) as err:
        load_registry_file(data_copy)
    message = str(err.value)
    assert message.startswith(f"instruments file {data_copy}: [") and "is not a valid id" in message
    assert "ASCII letters, digits, '_' or '-' (no '.', '=' or spaces)" in message and "--policy" in message
    assert "\x1b" not in message


def test_issue20_item23_valid_ids_still_load(data_copy):
    _edit(data_copy, "[warrants_2004]", "[warrants-2004_B]")
    assert "warrants-2004_B" in {i.id for i in load_registry_file(data_copy).instruments}
