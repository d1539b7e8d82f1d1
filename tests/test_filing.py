"""The Selling Securityholders table, parsed from the filing and checked against it.

Golden values are read off the filing text (SUPP = data/prospectus_supplement_...txt,
page numbers as printed at the page foot).
"""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest

from calc.errors import InputError
from calc.inputs.filing import MAX_FILING_BYTES, parse_filing_text
from calc.inputs.paths import REGISTER_PATH
from calc.inputs.register import summarize
from tests.helpers import run_cli, run_cli_capped


def row(parsed, name):
    hits = parsed.register[parsed.register["name"] == name]
    assert len(hits) == 1, name
    return hits.iloc[0]


def test_rate_read_from_filing(parsed):
    # SUPP p. 1: "equivalent to a conversion rate of 168.3502 shares of common stock"
    assert parsed.conversion_rate == Decimal("168.3502")


def test_holder_count_and_order(parsed):
    reg = parsed.register
    assert len(reg) == 326
    # first and last rows of the table (SUPP p. 1 and p. 11)
    assert reg.iloc[0]["name"] == "1976 Distribution Trust FBO A.R. Lauder/ Zinterhofer"
    assert reg.iloc[-1]["name"] == "Zurich Master Hedge Fund"
    assert list(reg["row"]) == list(range(1, 327))
    assert reg["page"].min() == 1 and reg["page"].max() == 11


def test_golden_rows(parsed):
    # SUPP p. 1: "Aim Charter Fund.... 15,000 15,000,000 2,525,253 Nil"
    aim = row(parsed, "Aim Charter Fund")
    assert (aim.preferred_shares, aim.debenture_principal_usd, aim.common_shares, aim.common_owned_prior) == (
        15_000,
        15_000_000,
        2_525_253,
        0,
    )
    assert aim.expected_common_shares == 2_525_253  # ceil(15,000 × 168.3502) = 2,525,253
    assert aim.issues == ""
    # SUPP p. 2: "Alliance Growth & Income, Inc. .... 52,160 52,160,000 8,781,147 21,237,200"
    alliance = row(parsed, "Alliance Growth & Income, Inc.")
    assert alliance.common_owned_prior == 21_237_200
    assert alliance.expected_common_shares == math.ceil(52_160 * Decimal("168.3502")) == 8_781_147
    # SUPP p. 8: "R(2) Investments, LDC.... 75,000 75,000,000 12,626,265 Nil": parentheses in a name
    r2 = row(parsed, "R(2) Investments, LDC")
    assert r2.footnotes == "" and r2.preferred_shares == 75_000 and r2.common_shares == 12_626_265


def test_footnote_markers(parsed):
    # SUPP p. 2: "Argent Classic Convertible Arbitrage Fund L.P.(6)...."
    assert row(parsed, "Argent Classic Convertible Arbitrage Fund L.P.").footnotes == "6"
    # SUPP p. 4: "Fidelity Management Trust Company on behalf of accounts managed by it(7)"
    assert row(parsed, "Fidelity Management Trust Company on behalf of accounts managed by it").footnotes == "7"
    # SUPP p. 10: a name ending in its own parenthesis before the marker
    vopac = row(parsed, "Vopac USA Inc., Retirement Plan (f.k.a. Van Waters & Rogers, Inc. Retirement Plan)")
    assert vopac.footnotes == "5"
    reg = parsed.register
    # counted in the filing text: 31 names end in "(5)...", 23 in "(6)...", 1 in "(7)..."
    assert (reg["footnotes"] == "5").sum() == 31
    assert (reg["footnotes"] == "6").sum() == 23
    assert (reg["footnotes"] == "7").sum() == 1


@pytest.mark.parametrize(
    "name, fragment",
    [
        # SUPP p. 2: "Banc of America Securities LLC.... 5,593 5,593 941,583 Nil"
        ("Banc of America Securities LLC", "debenture_principal_usd 5,593 != expected 5,593,000"),
        # SUPP p. 4: "EB Convertible Securities Fund.... 1,100 1,100,00 185,186 Nil"
        ("EB Convertible Securities Fund", "'1,100,00' is malformed"),
        # SUPP p. 8: "Salme Walton.... 10 10,000 1684 Nil" (missing comma group)
        ("Salme Walton", "common_shares '1684' is malformed"),
        # SUPP p. 5: "Harris Corporation Retirement Trust.... 145 145,000 234,900 Nil";
        # ceil(145 × 168.3502) = ceil(24,410.779) = 24,411
        ("Harris Corporation Retirement Trust", "common_shares 234,900 != expected 24,411"),
        # SUPP p. 3: "Canyon Capital Arbitrage Master Fund, Ltd. ... 2,550 2,500,000 429,294 Nil"
        ("Canyon Capital Arbitrage Master Fund, Ltd.", "2,500,000 != expected 2,550,000"),
        # SUPP p. 10: "Wilmington Trust ... 62,925 62,952,000 10,593,437 Nil"
        (
            "Wilmington Trust Company as owner and trustee for Forrestal Funding Master Trust",
            "62,952,000 != expected 62,925,000",
        ),
        # SUPP p. 7: "Merrill Lynch International Investment Fund.... 900 900,000 151,526 275,100";
        # ceil(900 × 168.3502) = ceil(151,515.18) = 151,516
        ("Merrill Lynch International Investment Fund", "common_shares 151,526 != expected 151,516"),
        # SUPP p. 9: "SEI Private Trust Company.... 1,085 1,085,000 182,670 3,721,034";
        # ceil(1,085 × 168.3502) = ceil(182,659.967) = 182,660
        ("SEI Private Trust Company", "common_shares 182,670 != expected 182,660"),
    ],
)
def test_inconsistencies_flagged(parsed, name, fragment):
    assert fragment in row(parsed, name).issues


def test_rows_with_issues_and_totals(parsed, terms):
    summary = summarize(parsed.register, terms.preferred.shares_issued)
    assert summary.holders == 326
    assert summary.rows_with_issues == 19
    # Sum of the preferred column over all 326 rows of SUPP pp. 1-11
    assert summary.listed_preferred_shares == 2_338_914
    assert summary.listed_excess_shares == 2_338_914 - 1_885_000
    assert summary.totals["expected_debenture_principal_usd"] == 2_338_914 * 1000


def test_per_holder_expected_columns_consistent(parsed):
    reg = parsed.register
    # per-holder registration rounding: each row within one share above the exact value,
    # so the per-holder sum exceeds the aggregate exact value by less than one share per holder
    exact = reg["preferred_shares"].map(lambda n: n * Decimal("168.3502"))
    over = reg["expected_common_shares"] - exact
    assert ((over >= 0) & (over < 1)).all()
    aggregate = math.ceil(sum(exact))
    assert 0 <= reg["expected_common_shares"].sum() - aggregate < len(reg)


def test_shipped_register_is_regenerated_identically(tmp_path):
    out = tmp_path / "register.csv"
    result = run_cli(
        "holders", "--filing", "data/prospectus_supplement_2002-08-28_8pct_preferred.txt", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == REGISTER_PATH.read_bytes()
    assert "holders listed:            326" in result.stdout
    assert "exceeds the 1,885,000 shares issued by 453,914" in result.stdout


def test_parser_robust_to_wrapping(filing_text, parsed):
    # same document wrapped at 72 columns, with the page headers untouched
    words = filing_text.split(" ")
    lines, current = [], ""
    for word in words:
        if len(current) + len(word) > 72:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    rewrapped = parse_filing_text("\n".join(lines)).register
    pd.testing.assert_frame_equal(rewrapped.drop(columns=["offset"]), parsed.register.drop(columns=["offset"]))


HEADER = (
    "SHARES OF PRINCIPAL AMOUNT COMMON SHARES OF OF CONVERTIBLE SHARES OF STOCK OWNED PREFERRED "
    "SUBORDINATED COMMON PRIOR TO THIS SELLING SECURITYHOLDER(1) STOCK(2) DEBENTURES(2)(3) STOCK(4) "
    "OFFERING ------------------------- --------- ---------------- ---------- -------------"
)
INTRO = "currently convertible (equivalent to a conversion rate of 168.3502 shares of common stock for each"


def test_synthetic_supplement_with_page_break_in_table():
    text = (
        f"{INTRO} {HEADER} Alpha Fund(5)....... 10 10,000 1,684 Nil Beta (2) Trust "
        f"...... 1 1,000 169 400 7 {HEADER} 2000 Gamma LLC(6)(7).... 2 2,000 337 1,000 "
        "--------------- (1) Information"
    )
    reg = parse_filing_text(text).register
    assert list(reg["name"]) == ["Alpha Fund", "Beta (2) Trust", "2000 Gamma LLC"]
    assert list(reg["footnotes"]) == ["5", "", "6;7"]
    assert list(reg["page"]) == [6, 6, 7]
    assert list(reg["common_owned_prior"]) == [0, 400, 1000]
    assert (reg["issues"] == "").all()


@pytest.mark.parametrize(
    "text, message",
    [
        ("no table here at all", "no 'Selling Securityholders' table found"),
        (f"{INTRO} {HEADER} Alpha Fund....... 10 10,000 1,684 Nil", "has no end"),
        (f"{HEADER} Alpha Fund....... 10 10,000 1,684 Nil --------------- (1) x", "no current conversion rate"),
        (f"{INTRO} {HEADER} Alpha Fund....... 10 ten 1,684 Nil --------------- (1) x", "expected 4 figures"),
        (
            f"{INTRO} {HEADER} Alpha Fund....... 10 10,000 1,684 Nil Orphan words --------------- (1) x",
            "unparsable fragment 'Orphan words' at offset",
        ),
    ],
)
def test_parse_errors_name_what_was_not_found(text, message):
    with pytest.raises(InputError, match=message):
        parse_filing_text(text)


def test_cli_rejects_filing_without_table(tmp_path):
    bogus = tmp_path / "letter.txt"
    bogus.write_text("Dear shareowner, nothing tabular here.")
    out = tmp_path / "out.csv"
    result = run_cli("holders", "--filing", str(bogus), "--out", str(out))
    assert result.returncode == 2
    assert "no 'Selling Securityholders' table found" in result.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- issue 20 (hardening, round 3)

LONG_ROW = "Zola Partners, L.P. ........................ 300 300,000 50,506 Nil "


def _long_filing(filing_text: str, size: int) -> str:
    """The shipped supplement with one holder row repeated until the text is ``size`` characters long."""
    start, stop = filing_text.index("1976 Distribution Trust"), filing_text.index("Zurich Master Hedge Fund")
    return filing_text[:start] + LONG_ROW * (size // len(LONG_ROW)) + filing_text[stop:]


@pytest.mark.timeout(30)
def test_issue20_item15_a_31_mb_filing_is_refused_in_bounded_memory(tmp_path, filing_text):
    """Item 15: a 31 MB filing under a 1.2 GB address-space cap ended in MemoryError (exit 1; 45 MB
    took 95 s and 1.78 GB). The shipped supplement is 37 kB: a filing over MAX_FILING_BYTES (1 MB)
    is refused before it is parsed, naming the limit, and nothing is written."""
    filing, out = tmp_path / "big.txt", tmp_path / "register.csv"
    filing.write_text(_long_filing(filing_text, 31_000_000), encoding="utf-8")

    result = run_cli_capped("holders", "--filing", str(filing), "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"error: filing {filing}: larger than the 1,000,000-byte limit; nothing was read\n"
    assert not out.exists()


def test_issue20_item15_filing_text_over_the_limit_is_refused_unparsed(filing_text):
    assert MAX_FILING_BYTES >= 20 * len(filing_text.encode("utf-8"))  # room for a far longer supplement
    with pytest.raises(InputError, match=r"filing: longer than the 1,000,000-character limit; nothing was read"):
        parse_filing_text(_long_filing(filing_text, MAX_FILING_BYTES + 100))
