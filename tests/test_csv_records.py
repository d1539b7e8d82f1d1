"""Input file readers under bad input (issue 9 items 10, 11, 12, 14, 15, 18, 19): ragged rows,
encodings, NUL, size limits, ranges, and supplements typeset unlike the shipped one."""

from __future__ import annotations

import codecs
import datetime as dt

import pandas as pd
import pytest

from calc.errors import InputError
from calc.inputs import csv_records
from calc.inputs.filing import parse_filing, parse_filing_text
from calc.inputs.grants_csv import parse_grants_bytes, parse_grants_text, read_grants_csv
from calc.inputs.grid import read_grid
from calc.inputs.paths import FILING_PATH, ILLUSTRATIVE_GRANTS_PATH, REGISTER_PATH
from calc.inputs.register import MAX_PREFERRED_SHARES, parse_register_bytes, read_register_csv, validate_register
from calc.model.options import positions_frame
from cli.main import main

GRANTS_HEADER = "grant_id,form,shares,exercise_price_usd,grant_date,termination_date,termination_reason\n"
GOOD_GRANT = "a,us-nonofficer-active,10,1.00,2002-11-15,,\n"
READERS = {  # reader, minimal valid content
    "filing": (parse_filing, None),
    "register": (read_register_csv, "name,preferred_shares\nAlpha Fund,7\n"),
    "grid": (read_grid, "scenario_id,price\ns1,1.89\n"),
    "grants": (read_grants_csv, GRANTS_HEADER + GOOD_GRANT),
}


def problems_of(exc: pytest.ExceptionInfo[InputError]) -> str:
    return str(exc.value)


# --- item 10: ragged holder rows -------------------------------------------------------------


def test_item10_extra_cell_on_every_row_is_rejected_with_lines(tmp_path):
    path = tmp_path / "holders.csv"
    path.write_text("name,preferred_shares\nAlpha Fund,100000,7\nBeta Fund,5,1\n")
    with pytest.raises(InputError) as exc:
        read_register_csv(path)
    assert exc.value.problems == ("line 2: 3 cells, the header has 2", "line 3: 3 cells, the header has 2")


def test_item10_short_row_is_a_problem_not_a_type_error(tmp_path):
    path = tmp_path / "holders.csv"
    path.write_text("name,preferred_shares,common_owned_prior\nAlpha Fund,7,0\n\nBeta Fund\nGamma,x,0\n")
    with pytest.raises(InputError) as exc:
        read_register_csv(path)
    # the ragged row and the other rows' problems together, in line order (line 3 is blank)
    assert exc.value.problems == (
        "line 4: 1 cells, the header has 3",
        "line 5, column preferred_shares: 'x' must be a whole number from 0 to 1,000,000,000",
    )


def test_item10_upload_bytes_use_the_same_reader():
    with pytest.raises(InputError, match="line 2: 3 cells"):
        parse_register_bytes(b"name,preferred_shares\nAlpha Fund,100000,7\n", "up.csv")
    frame = parse_register_bytes(codecs.BOM_UTF8 + REGISTER_PATH.read_bytes(), "up.csv")
    assert frame.equals(read_register_csv(REGISTER_PATH))


def test_item10_export_cli_rejects_shifted_holders(tmp_path, capsys):
    holders, grid = tmp_path / "h.csv", tmp_path / "g.csv"
    holders.write_text("name,preferred_shares\nAlpha Fund,100000,7\n")
    grid.write_text("scenario_id,price\ns1,1.89\n")
    out = tmp_path / "out.csv"
    assert main(["export", "--scenarios", str(grid), "--holders", str(holders), "--out", str(out)]) == 2
    assert "line 2: 3 cells, the header has 2" in capsys.readouterr().err
    assert not out.exists()


# --- item 11: encodings and NUL ------------------------------------------------------------------


def test_item11_latin1_filing_is_refused_not_replaced(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(FILING_PATH.read_text().replace("CALAMOS Market", "CALAMÖS Market").encode("latin-1"))
    with pytest.raises(InputError) as exc:
        parse_filing(path)
    message = str(exc.value)
    assert "byte 0xD6 cannot be decoded" in message and "line 1, character" in message
    assert "save it as UTF-8" in message and "\ufffd" not in message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_item11_filing_with_byte_order_mark_is_decoded(tmp_path, parsed, codec):
    path = tmp_path / "filing.txt"
    text = FILING_PATH.read_text()
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    path.write_bytes(data)
    assert parse_filing(path).register.equals(parsed.register)


def test_item11_utf16_without_mark_names_the_problem(tmp_path):
    path = tmp_path / "filing.txt"
    path.write_bytes(FILING_PATH.read_text().encode("utf-16-le"))
    with pytest.raises(InputError, match="line 1, character 2: NUL character.*UTF-16 without its byte-order mark"):
        parse_filing(path)


@pytest.mark.parametrize("kind", sorted(READERS))
def test_item11_nul_is_rejected_by_every_reader(tmp_path, kind):
    reader, content = READERS[kind]
    text = FILING_PATH.read_text() if content is None else content
    path = tmp_path / "in.txt"
    path.write_text(
        text.replace("Alpha", "Al\x00pha")
        .replace("s1", "s\x001")
        .replace("a,us", "a\x00,us")
        .replace("Zurich", "Zur\x00ich")
    )
    with pytest.raises(InputError, match=r"line \d+, character \d+: NUL character"):
        reader(path)


@pytest.mark.parametrize("kind", sorted(READERS))
def test_item11_latin1_csv_is_refused_with_its_line(tmp_path, kind):
    reader, content = READERS[kind]
    text = FILING_PATH.read_text() if content is None else content + content.splitlines()[-1] + "\n"
    path = tmp_path / "in.txt"
    data = text.encode() + "# caf\u00e9\n".encode("latin-1")
    path.write_bytes(data)
    with pytest.raises(InputError, match="byte 0xE9 cannot be decoded"):
        reader(path)


def test_item11_nul_in_an_edited_register_cell():
    frame = pd.DataFrame({"name": ["Al\x00pha"], "preferred_shares": ["7"]})
    with pytest.raises(InputError) as exc:
        validate_register(frame)
    assert exc.value.problems == ("line 2, column name: contains a NUL character",)


def test_item11_grants_upload_in_utf16_with_mark():
    grants = parse_grants_bytes((GRANTS_HEADER + GOOD_GRANT).encode("utf-16"))
    assert [g.grant_id for g in grants] == ["a"]


# --- item 15: size limits ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(READERS))
def test_item15_dev_zero_is_refused_naming_a_limit(kind):
    reader = READERS[kind][0]
    with pytest.raises(InputError, match="limit|longer than 100,000 characters"):
        reader("/dev/zero")


def test_item15_byte_limit_is_checked_while_reading(tmp_path, monkeypatch):
    path = tmp_path / "filing.txt"
    path.write_bytes(FILING_PATH.read_bytes())
    monkeypatch.setattr(csv_records, "MAX_TEXT_BYTES", 1000)
    with pytest.raises(InputError, match="larger than the 1,000-byte limit"):
        csv_records.read_text(path, "filing", csv_records.MAX_TEXT_BYTES)


def test_item15_row_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_records, "MAX_CSV_ROWS", 3)
    path = tmp_path / "g.csv"
    path.write_text("scenario_id,price\n" + "".join(f"s{i},1.89\n" for i in range(4)))
    with pytest.raises(InputError, match=r"more than 3 rows \(line 5\)"):
        read_grid(path)


def test_item15_cell_limit_names_line_and_cell():
    with pytest.raises(InputError, match="line 2, cell 1: 1,001 characters, more than the 1,000 allowed"):
        parse_grants_text(GRANTS_HEADER + "x" * 1001 + GOOD_GRANT[1:])


def test_item14_grants_cell_over_csv_field_limit_is_a_clear_error():
    # a quoted cell spanning many short lines reaches the csv module's 131,072-character field limit
    cell = '"' + "x\n" * 70_000 + '"'
    with pytest.raises(InputError, match="line 2: not a readable CSV record"):
        parse_grants_text(GRANTS_HEADER + cell + GOOD_GRANT[1:])


# --- items 12, 14: grants ranges --------------------------------------------------------------------


@pytest.mark.parametrize(
    "row, message",
    [
        ("a,us-nonofficer-active,10,1.00,9999-01-01,,", "grant_date: 9999-01-01 must be from 1990-01-01 to 2040-12-31"),
        ("a,us-nonofficer-active,10,1.00,1989-12-31,,", "grant_date: 1989-12-31 must be from 1990-01-01"),
        ("a,us-nonofficer-active,10,1.00,2002-11-15,9999-01-01,death", "termination_date: 9999-01-01 must be from"),
        ("a,us-nonofficer-active," + "1" + "0" * 30 + ",1.00,2002-11-15,,", "shares: '1000000000000000000000000000000"),
        ("a,us-nonofficer-active,10000000001,1.00,2002-11-15,,", "must be a whole number from 0 to 10,000,000,000"),
        (
            "a,us-nonofficer-active,10,1e400,2002-11-15,,",
            "exercise_price_usd: '1e400' must be a number from 0 to 100,000",
        ),
        ("a,us-nonofficer-active,1,5,1.00,2002-11-15,,", "line 2: 8 cells"),
        ("a,us-nonofficer-active,\u00b2,1.00,2002-11-15,,", "shares: '\u00b2' must be a whole number"),
        ("a,us-nonofficer-active,10,1.00,20021115,,", "grant_date: '20021115' is not a date in YYYY-MM-DD form"),
    ],
)
def test_item12_grants_out_of_range_are_rejected(row, message):
    with pytest.raises(InputError) as exc:
        parse_grants_text(GRANTS_HEADER + row + "\n")
    assert any(message in p for p in exc.value.problems), exc.value.problems


def test_item14_as_of_date_is_bounded():
    grants = read_grants_csv(ILLUSTRATIVE_GRANTS_PATH)
    with pytest.raises(InputError, match="date 9999-12-31 must be from 1990-01-01 to 2100-12-31"):
        positions_frame(grants, dt.date(9999, 12, 31))
    assert len(positions_frame(grants, dt.date(2100, 12, 31))) == len(grants)


def test_item14_options_cli_with_far_dates(tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text(GRANTS_HEADER + "a,us-nonofficer-active,10,1.00,9999-01-01,,\n")
    assert main(["options", "--grants", str(path), "--date", "9999-12-31"]) == 2
    assert "9999-01-01 must be from 1990-01-01 to 2040-12-31" in capsys.readouterr().err


# --- items 14, 18: holdings bounds ---------------------------------------------------------------------


def test_item14_register_holding_over_the_row_limit():
    frame = pd.DataFrame({"name": ["A", "B"], "preferred_shares": ["9223372036854775807", "1000000001"]})
    with pytest.raises(InputError) as exc:
        validate_register(frame)
    assert exc.value.problems[:2] == (
        "line 2, column preferred_shares: '9223372036854775807' must be a whole number from 0 to 1,000,000,000",
        "line 3, column preferred_shares: '1000000001' must be a whole number from 0 to 1,000,000,000",
    )


def test_item18_holdings_summing_past_the_limit_say_so():
    # before: two rows of 2^62 summed past int64 and were reported as "sum to zero"
    frame = pd.DataFrame({"name": ["A", "B"], "preferred_shares": [str(MAX_PREFERRED_SHARES)] * 2})
    with pytest.raises(InputError) as exc:
        validate_register(frame)
    assert exc.value.problems == (
        "column preferred_shares: the rows sum to 2,000,000,000, over the limit of 1,000,000,000",
    )


def test_item14_filing_figure_over_the_limit(filing_text):
    text = filing_text.replace(
        "Zurich Master Hedge Fund.................... 200 ",
        "Zurich Master Hedge Fund.................... 9,223,372,036,854,775,807 ",
    )
    with pytest.raises(InputError, match="preferred_shares 9,223,372,036,854,775,807 is over the limit"):
        parse_filing_text(text)


# --- item 19: supplements typeset differently --------------------------------------------------------


def lowercase_variant(text: str) -> str:
    """The shipped table as the June 2002 supplement sets it: lowercase 'nil', header words in
    mixed case, and one 'NIL'."""
    text = text.replace(" Nil ", " nil ").replace("SHARES OF PRINCIPAL AMOUNT", "Shares of Principal Amount")
    text = text.replace("SELLING SECURITYHOLDER(1)", "Selling Securityholder(1)")
    text = text.replace("OFFERING ---", "offering ---")
    return text.replace(
        "Zurich Master Hedge Fund.................... 200 200,000 33,671 nil",
        "Zurich Master Hedge Fund.................... 200 200,000 33,671 NIL",
    )


def test_item19_lowercase_supplement_reads_like_the_shipped_one(filing_text, parsed):
    variant = lowercase_variant(filing_text)
    assert " nil " in variant and " Nil " not in variant
    got = parse_filing_text(variant).register
    assert got.drop(columns="offset").equals(parsed.register.drop(columns="offset"))


def test_item19_june_2002_row():
    row = parse_filing_text(
        _one_row_filing("Allegheny Technologies Inc. Pension Plan(5).... 3,326 3,326,000 559,933 nil")
    ).register.iloc[0]
    assert (row["name"], row["footnotes"], row["preferred_shares"], row["common_owned_prior"], row["issues"]) == (
        "Allegheny Technologies Inc. Pension Plan",
        "5",
        3326,
        0,
        "",
    )


def test_item19_total_row_and_star_markers():
    body = "Alpha Fund*.... 10 10,000 1,684 nil Beta Fund(*)..... 5 5,000 842 nil TOTAL............ 15 15,000 2,526 nil"
    reg = parse_filing_text(_one_row_filing(body)).register
    assert list(reg["name"]) == ["Alpha Fund", "Beta Fund"] and list(reg["footnotes"]) == ["*", "*"]
    with pytest.raises(
        InputError, match="'Total' row at offset .* states 16 preferred shares; the rows above it list 15"
    ):
        parse_filing_text(_one_row_filing(body.replace("TOTAL............ 15", "Total............ 16")))


def test_item19_ambiguous_row_still_reported_with_its_line():
    with pytest.raises(
        InputError,
        match=r"holder 'Alpha Fund' at offset \d+ \(line 1, page 1\): expected 4 "
        "figures .* found '10 10,000 1,684 none'",
    ):
        parse_filing_text(_one_row_filing("Alpha Fund.... 10 10,000 1,684 none"))


def _one_row_filing(body: str) -> str:
    return (
        "conversion rate of 168.3502 shares of common stock. SHARES OF PRINCIPAL AMOUNT COMMON SHARES OF "
        "SELLING SECURITYHOLDER(1) STOCK(2) OFFERING ----- ----- ----- ----- ----- "
        + body
        + " --------------- (1) footnote"
    )


def test_item11_utf32_mark_with_undecodable_content_is_an_input_error(tmp_path):
    # found by tests/test_reader_fuzz.py: a UTF-16 mark followed by NUL NUL reads as a UTF-32 mark
    path = tmp_path / "g.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + b"\x00\x00" + "grant_id,form\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="near line 1: cannot be decoded as UTF-32-LE"):
        read_grants_csv(path)


# --- item 4 in the file readers: one number rule (calc.inputs.numbers) ------------------------------------


@pytest.mark.parametrize(
    "row, message",
    [
        ('a,us-nonofficer-active,"1,5",1.00,2002-11-15,,', "shares: '1,5' must be a whole number"),
        ('a,us-nonofficer-active,10,"1,5",2002-11-15,,', "exercise_price_usd: '1,5' must be a number"),
        ("a,us-nonofficer-active,10,1_000,2002-11-15,,", "exercise_price_usd: '1_000' must be a number"),
        ("a,us-nonofficer-active,\u0661\u0660,1.00,2002-11-15,,", "shares: '\u0661\u0660' must be a whole number"),
        ("a,us-nonofficer-active,10,1.00,\u0662\u0660\u0660\u0662-11-15,,", "grant_date:"),
    ],
)
def test_item4_grants_numbers_follow_the_one_rule(row, message):
    with pytest.raises(InputError) as exc:
        parse_grants_text(GRANTS_HEADER + row + "\n")
    assert any(message in p for p in exc.value.problems), exc.value.problems


def test_item4_grants_grouped_thousands_still_read():
    grants = parse_grants_text(GRANTS_HEADER + 'a,us-nonofficer-active,"1,500",1.00,2002-11-15,,\n')
    assert grants[0].shares == 1500


def test_item4_register_refuses_other_digit_scripts(tmp_path):
    path = tmp_path / "holders.csv"
    path.write_text("name,preferred_shares\nAlpha Fund,\u0661\u0660\n", encoding="utf-8")
    with pytest.raises(InputError, match="preferred_shares: '\u0661\u0660' must be a whole number"):
        read_register_csv(path)
