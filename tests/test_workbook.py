"""The Excel workbook (``scenario --xlsx``, ``calc.outputs.workbook``), read back with openpyxl and compared,
figure by figure, with ``scenario --json``, the CLI's CSVs, ``montecarlo --json`` and ``eps --json``."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from calc.inputs.data import default_book, load_caps, load_terms
from calc.inputs.params import default_params
from calc.model.params import SPECS
from calc.model.scenario import SUMMARY_KEYS, run_scenario
from calc.outputs.workbook import WorkbookData, workbook_bytes
from tests.helpers import HOSTILE_NAMES, ROOT, run_cli, summary_figures, workbook_columns, workbook_table

SCENARIO = ["--price", "1.89", "--dividend-policy", "stock", "--horizon", "2006-08-01", "--history"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wb")
    book, timeline, holders = tmp / "s.xlsx", tmp / "t.csv", tmp / "h.csv"
    result = run_cli(
        "scenario",
        *SCENARIO,
        "--xlsx",
        str(book),
        "--timeline",
        str(timeline),
        "--holders-out",
        str(holders),
        "--paths",
        "300",
        "--seed",
        "7",
        "--volatility",
        "0.5",
        "--grants",
        "data/grants_illustrative.csv",
        "--net-income",
        "5000000000",
    )
    assert result.returncode == 0, result.stderr
    return openpyxl.load_workbook(book), timeline, holders


def _csv(path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _default_workbook(**changes) -> bytes:
    """The workbook of the default scenario (with ``changes`` to its parameters), no grants, no net income."""
    params = dataclasses.replace(default_params(), **changes)
    result = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
    return workbook_bytes(WorkbookData(params, result, {"scenario_id": "0123abcd"}, terms=load_terms()))


TABLES = ["Inputs", "Timeline", "Holders", "Monte Carlo", "Options and EPS", "Sources", "Run record"]


def test_sheets(made):
    book, _, _ = made
    assert book.sheetnames == ["Summary", "Charts", *TABLES]
    assert all(book[name].freeze_panes for name in TABLES)


def test_no_placeholder_sheet_without_grants_or_net_income():
    """Issue 21: an "Options and EPS" sheet of notes only when no grants and no net income were given."""
    book = openpyxl.load_workbook(io.BytesIO(_default_workbook()))
    assert book.sheetnames == ["Summary", "Charts", "Inputs", "Timeline", "Holders", "Sources", "Run record"]


def test_summary_equals_scenario_json(made):
    book, _, _ = made
    expected = json.loads(run_cli("scenario", *SCENARIO, "--json").stdout)
    got = summary_figures(book["Summary"])
    assert list(got) == list(SUMMARY_KEYS)
    assert set(expected) == {*SUMMARY_KEYS, "capacity"}  # the capacity checks are JSON only (not a summary figure)
    for key in SUMMARY_KEYS:
        value = expected[key]
        if key.endswith("_pct"):
            assert got[key] == pytest.approx(value / 100, rel=1e-15), key  # stored as a fraction, 0.00%
        elif isinstance(value, bool):
            assert got[key] == ("yes" if value else "no"), key
        else:
            assert got[key] == value, key
    # the 2002-2004 history of the 8.00% preferred (issue 22; the goldens' sources in tests/test_ledger.py):
    # 58,000,000 + 38,000,000 (Reuters) + 105,000,000 + 136,303,502 + 17,538,462 (Prospect News) common
    assert got["exchange_shares"] == 354_841_964


def test_summary_reads_as_a_brief(made):
    """Issue 21: the answer in one sentence, the bridge of new shares by source (start + sources = total at the
    horizon) and the inputs that differ from the defaults."""
    book, _, _ = made
    sheet = book["Summary"]
    cells = {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    answer = cells[(4, 1)]
    assert (
        "new common shares by Aug 1, 2004" in answer
    )  # the last date that issued shares (horizon 2006) and "12.27% of the total" in answer
    assert "exchanges for common" in answer  # 354,841,964 of the 479,963,660 new shares (the golden above)
    bridge = {cells[(r, 4)]: cells.get((r, 5)) for r in range(7, 12) if (r, 4) in cells}
    start = bridge["Common outstanding at the start (Jul 31, 2002)"]
    assert start == 3_432_688_763  # the 10-Q cover count, 2002-07-31 (--history)
    parts = [value for text, value in bridge.items() if text.startswith("+ ")]
    assert parts == [125_121_696, 354_841_964]  # dividends paid in stock, exchanges: the sources that issued shares
    assert bridge["= New shares, all sources"] == sum(parts)
    assert bridge["Total common outstanding at the horizon (Aug 1, 2006)"] == start + sum(parts)
    changed = {cells[(r, 4)]: (cells[(r, 5)], cells[(r, 6)]) for r in range(13, 20) if (r, 6) in cells}
    assert changed["Base common shares"] == (3_432_688_763, 3_607_381_493)
    assert changed["Horizon"] == (dt.datetime(2006, 8, 1), dt.datetime(2004, 8, 2))
    assert "Common price" not in changed  # 1.89 is the default (SUPP p. 11 closing price)


def test_headers_are_labels_with_units_key_columns_first(made):
    book, _, _ = made
    header = [c.value for c in book["Holders"][1]]
    assert header[:3] == ["Holder / family", "Fund family", "Preferred listed (shares)"]
    assert header.index("Pro forma %") < header.index("Row type") and header[-3:] == [
        "Row type",
        "Footnotes",
        "Filing data-quality issues",
    ]
    assert "Preferred (basis, shares)" in header
    timeline = [c.value for c in book["Timeline"][1]]
    assert timeline[:2] == ["Date", "Event"] and "Common price ($)" in timeline and "New shares % of total" in timeline
    for name in TABLES:
        sheet = book[name]
        row = 1 + (sheet.freeze_panes and int(sheet.freeze_panes[1:]) - 2 or 0)
        labels = [c.value for c in sheet[row] if c.value is not None]
        assert labels and not any("_" in label for label in labels), (name, labels)  # no file names as headers


def test_timeline_and_holders_equal_the_csvs(made):
    book, timeline, holders = made
    for sheet, path in ((book["Timeline"], timeline), (book["Holders"], holders)):
        rows, expected = workbook_table(sheet), _csv(path)
        assert len(rows) == len(expected) and set(rows[0]) == set(expected[0])
        for got, want in zip(rows, expected):
            for column, text in want.items():
                value = got[column]
                if text in ("true", "false"):
                    assert value == ("yes" if text == "true" else "no"), column
                elif isinstance(value, dt.datetime):
                    assert value.date().isoformat() == text
                elif isinstance(value, int) and "." not in text:
                    assert value == int(text), column
                elif isinstance(value, (int, float)):
                    shown = value * 100 if "_pct" in column else value
                    decimals = len(text.split(".")[1]) if "." in text else 0
                    assert round(shown, decimals) == pytest.approx(float(text), abs=10**-decimals / 2), column
                else:
                    assert (value or "") == text, column


def test_number_formats_and_types(made):
    book, _, _ = made
    sheet = book["Timeline"]
    names = workbook_columns(sheet)
    cell = {name: sheet.cell(row=3, column=names.index(name) + 1) for name in names}
    assert cell["total_common_shares"].number_format == "#,##0" and isinstance(cell["total_common_shares"].value, int)
    assert cell["dividend_due_usd"].number_format == "$#,##0.00"
    assert cell["price_usd"].number_format == "$#,##0.00" and cell["price_usd"].value == pytest.approx(1.89)
    assert cell["new_shares_pct"].number_format == "0.00%"
    assert cell["date"].is_date and cell["date"].number_format == "mmm d, yyyy"
    assert cell["in_the_money"].value in ("yes", "no")
    holders = book["Holders"]
    names = workbook_columns(holders)
    for flag in ("flag_5pct", "flag_10pct"):
        assert {row[names.index(flag)].value for row in holders.iter_rows(min_row=2)} <= {"yes", "no"}


def _shown_length(cell) -> int:
    """Characters a number takes in its cell's format (the formats the workbook writes)."""
    value, fmt = cell.value, cell.number_format
    if cell.is_date:
        return len(f"{value:%b} {value.day}, {value:%Y}")
    if fmt.endswith("%"):
        return len(f"{value * 100:,.2f}%")
    places = len(fmt.split(".")[1]) if "." in fmt else 0
    return len(f"{'$' if fmt.startswith('$') else ''}{value:,.{places}f}")


def _width(sheet, column: int) -> float:
    """A column's width (XlsxWriter writes one ``<col min max>`` for neighbours of equal width)."""
    spans = [d for d in sheet.column_dimensions.values() if d.min and d.min <= column <= d.max]
    return spans[0].width if spans else 8.43  # Excel's default width


def test_columns_fit_their_values(made):
    """Issue 21: the Sources "value" column was 7.7 characters wide, so 1,885,000, 10,000,000,000 and every date
    printed as ###. Every number and date fits its column."""
    book, _, _ = made
    for sheet in book:
        if sheet.title == "Charts":
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, (int, float, dt.datetime)) and not isinstance(cell.value, bool):
                    width = _width(sheet, cell.column)
                    assert width >= _shown_length(cell) + 1, (sheet.title, cell.coordinate, cell.value, width)
    values = {row["term"]: row["value"] for row in _sources(book)}
    assert values["Authorized common shares"] == 10_000_000_000


def test_print_setup(made):
    """Every sheet: landscape US Letter, one page wide (Summary and Charts: one page), the header row repeated, a
    footer with the sheet, the scenario id and the page number."""
    book, _, _ = made
    record = {row["item"]: row["value"] for row in workbook_table(book["Run record"])}
    scenario_id = record["Scenario id"]
    assert len(scenario_id) == 8
    for sheet in book:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and setup.paperSize == 1, sheet.title  # 1: US Letter
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert setup.fitToWidth in (None, 1), sheet.title  # absent: 1, the OOXML default
        tall = 1 if setup.fitToHeight is None else int(setup.fitToHeight)  # absent: 1; 0: as many pages as it takes
        assert tall == (1 if sheet.title in ("Summary", "Charts") else 0), sheet.title
        footer = sheet.oddFooter
        assert (footer.left.text, footer.center.text, footer.right.text) == (
            "&A",
            f"Scenario {scenario_id}",
            "Page &P of &N",
        ), sheet.title
        if sheet.title in TABLES:
            top = int(sheet.freeze_panes[1:]) - 1  # the header row: the last frozen row
            assert sheet.print_title_rows == f"${top}:${top}", sheet.title


def test_native_charts(made, tmp_path):
    """Two native Excel charts drawn from the Timeline's cells: cumulative new shares by source (stacked columns,
    one series per source that issued shares) and dilution (new shares % of total)."""
    book, _, _ = made
    path = tmp_path / "s.xlsx"
    assert run_cli("scenario", *SCENARIO, "--xlsx", str(path)).returncode == 0
    with zipfile.ZipFile(path) as archive:
        charts = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        assert len(charts) == 2
        columns, line = (archive.read(name).decode() for name in charts)
    names = workbook_columns(book["Timeline"])
    letter = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(names)}
    assert '<c:grouping val="stacked"/>' in columns and columns.count("<c:ser>") == 2  # dividends, exchanges
    for column in ("cumulative_dividend_shares", "cumulative_exchange_shares"):
        assert f"Timeline!${letter[column]}$2" in columns
    assert (
        "cumulative_redemption_shares" not in columns
        and f"Timeline!${letter['cumulative_redemption_shares']}$2" not in columns
    )
    assert "<c:lineChart>" in line and f"Timeline!${letter['new_shares_pct']}$2" in line


def test_monte_carlo_sheet_equals_montecarlo_json(made):
    book, _, _ = made
    mc = json.loads(
        run_cli("montecarlo", *SCENARIO, "--paths", "300", "--seed", "7", "--volatility", "0.5", "--json").stdout
    )
    last = workbook_table(book["Monte Carlo"], header_row=3)[-1]
    assert {k: last[k.removeprefix("total_shares_")] for k in mc if k.startswith("total_shares_")} == {
        k: v for k, v in mc.items() if k.startswith("total_shares_")
    }


def test_options_and_eps_sheet_equals_eps_json(made):
    book, _, _ = made
    eps = json.loads(
        run_cli(
            "eps",
            "--net-income",
            "5000000000",
            "--basic-shares",
            "3432688763",
            "--price",
            "1.89",
            "--date",
            "2006-08-01",
            "--grants",
            "data/grants_illustrative.csv",
            "--json",
        ).stdout
    )
    rows = workbook_table(book["Options and EPS"], header_row=4)
    by_step = {row["step"]: row for row in rows if row["section"] != "options"}
    assert by_step["diluted shares"]["incremental_shares"] == eps["diluted_shares"]
    assert by_step["diluted EPS (USD)"]["eps_after_usd"] == pytest.approx(eps["diluted_eps_usd"], rel=1e-15)
    assert by_step["basic EPS (USD)"]["eps_after_usd"] == pytest.approx(eps["basic_eps_usd"], rel=1e-15)
    grants = (ROOT / "data" / "grants_illustrative.csv").read_text().strip().splitlines()[1:]
    assert sum(row["section"] == "options" for row in rows) == len(grants)


def _sources(book) -> list[dict]:
    return workbook_table(book["Sources"])


def test_inputs_sheet_names_every_parameter_and_its_source(made):
    book, _, _ = made
    params = {row["parameter"]: row for row in workbook_table(book["Inputs"])}
    assert len(params) == len(SPECS)
    assert params["Common price"]["value"] == 1.89 and params["Common price"]["changed from default"] == "no"
    assert params["Base common shares"]["changed from default"] == "yes"
    assert params["Base common shares"]["value"] == 3_432_688_763  # 10-Q cover, 2002-07-31 (--history)
    # the default price is the terms' closing price, SUPP p. 11: "the closing sale price of our common stock was $1.89"
    assert params["Common price"]["source of the default"].startswith(
        "Common closing price — Prospectus supplement, Aug 28, 2002, p. 11: "
    )
    assert params["Dividends paid in"]["source of the default"] == "Assumption: product default"
    assert params["Conversion date"]["value"] == "none"
    assert params["Holder basis"]["value"] == "pro rata"  # a choice in words, not its code
    assert "put_factor" not in params["Put share valuation factor"]["rule"]
    sources = {row["term"]: row["source"] for row in _sources(book)}
    assert sources["Preferred shares issued"].startswith("Prospectus supplement, Aug 28, 2002, p. 1 (cover)")


def test_run_record_by_label(made):
    """Issue 21: the run record as the report's appendix lists it (``calc.outputs.run_record.record_rows``): items
    by their labels, values in words and figures, no code names, no JSON-quoted dates, the time as people write it."""
    book, _, _ = made
    items = {row["item"]: row["value"] for row in workbook_table(book["Run record"])}
    assert items["Command"] == "scenario"
    assert items["Given: 2002–2004 history replayed"] == "yes"
    assert items["Given: Common price"] == "$1.89"  # --price 1.89
    assert items["Given: Horizon"] == "Aug 1, 2006"  # --horizon 2006-08-01
    assert items["Given: Net income"] == "$5,000,000,000"  # --net-income 5000000000
    assert items["Given: Monte Carlo volatility"] == "50.00% a year"  # --volatility 0.5
    assert items["Base common shares"] == "3,432,688,763"  # the 10-Q cover count, 2002-07-31 (--history)
    assert items["Holder basis"] == "pro rata"
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d UTC", items["Generated"])
    assert items["Input file: Option grants"].startswith("grants_illustrative.csv, ")  # the name, not the path
    assert not any(item.startswith(("flags.", "scenario.", "input_files.")) for item in items)
    assert not any(str(value).startswith('"') for value in items.values())


def test_text_that_looks_like_a_formula_is_neutralized():
    params = default_params()
    result = run_scenario(params, terms=load_terms(), book=default_book(), caps=load_caps())
    names = result.holders["name"].tolist()
    names[: len(HOSTILE_NAMES)] = HOSTILE_NAMES
    hostile = dataclasses.replace(result, holders=result.holders.assign(name=names))
    book = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(WorkbookData(params, hostile, {"note": "=1+2"}, terms=load_terms())))
    )
    shown = [row["name"] for row in workbook_table(book["Holders"])][: len(HOSTILE_NAMES)]
    for got, given in zip(shown, HOSTILE_NAMES):
        assert got == ("'" + given if given.startswith(("=", "+", "-", "@", "\t", "\r")) else given)
    assert not any(cell.data_type == "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_sources_sheet_keeps_numbers_and_states_the_terms(made):
    """Review item 8: the Sources sheet stored '1885000', '0.08' and 'True' as text. Issue 21: every term by its label
    (as the report and the dashboard name it), numbers as numbers in their unit's format (the rate 8.00%, money to
    the cent or whole dollars, the conversion rate to the four places the filing states), yes/no, the dividend dates
    in words, and the source as a citation."""
    book, _, _ = made
    sheet = book["Sources"]
    assert [c.value for c in sheet[1]] == ["Term", "Value", "Source"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    values = {term: cell.value for term, cell in cells.items()}
    sources = {row[0].value: row[2].value for row in sheet.iter_rows(min_row=2)}
    assert values["Preferred shares issued"] == 1_885_000  # SUPP p. 1 (cover)
    assert cells["Preferred shares issued"].number_format == "#,##0"
    rate = cells["Dividend rate a year"]
    assert rate.value == pytest.approx(0.08) and rate.number_format == "0.00%"  # SUPP p. 1: 8.00%
    lp = cells["Liquidation preference per share, at issue"]
    assert lp.value == 1000 and lp.number_format == "$#,##0"  # SUPP p. 11, footnote 3: $1,000.00, whole dollars
    closing = cells["Common closing price"]
    assert closing.value == pytest.approx(1.89) and closing.number_format == "$#,##0.00"  # SUPP p. 11: $1.89
    principal = cells["Exchange debentures registered (principal)"]  # SUPP p. 1: $1,885,000,000
    assert principal.value == 1_885_000_000 and principal.number_format == "$#,##0"
    assert values["Dividends cumulative"] == "yes"
    assert values["Dividend dates each year"] == "Feb 1, Aug 1"  # not "[2, 1], [8, 1]"
    assert values["Issue date"].date() == dt.date(2001, 8, 6)
    (conversion,) = [cell for term, cell in cells.items() if term.startswith("Conversion rate from Jun 1, 2002")]
    # SUPP p. 1 (cover): conversion price of $5.94, equivalent to a conversion rate of 168.3502
    assert conversion.value == pytest.approx(168.3502) and conversion.number_format == "#,##0.0000"
    assert sources["Preferred shares issued"].startswith("Prospectus supplement, Aug 28, 2002, p. 1 (cover): ")
    assert sources["Dividend payments a year"].startswith("Base prospectus, Jan 8, 2002 (not verified; as summarized)")
    assert not any("Terms file" in term or "data/" in str(value) for term, value in values.items())


def test_options_and_eps_sheet_only_with_inputs(made):
    """Review item 11, issue 21: no Options and EPS sheet without grants or net income (it was notes only); with
    them, its notes say what is assumed and never point at code."""
    assert "Options and EPS" not in openpyxl.load_workbook(io.BytesIO(_default_workbook())).sheetnames
    book, _, _ = made
    cells = [cell for row in book["Options and EPS"].iter_rows(values_only=True) for cell in row if cell is not None]
    assert not any("calc/" in str(cell) for cell in cells)


# --- printed by LibreOffice ---------------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice")
ARTIFACTS = ROOT / "tests" / "artifacts"


def only_sheet(xlsx: bytes, name: str) -> bytes:
    """The workbook with every sheet but ``name`` hidden (and their print ranges dropped): LibreOffice prints the
    visible sheets only, so its PDF holds that one sheet's pages, charts and print setup as written."""
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    text = source.read("xl/workbook.xml").decode()
    names = re.findall(r'<sheet name="([^"]+)"', text)
    keep = names.index(name)
    text = re.sub(
        r'<sheet name="([^"]+)"', lambda m: m.group(0) + ("" if m.group(1) == name else ' state="hidden"'), text
    )
    text = re.sub(
        r'<definedName [^>]*localSheetId="(\d+)"[^>]*>[^<]*</definedName>',
        lambda m: m.group(0) if int(m.group(1)) == keep else "",
        text,
    )
    text = text.replace("<workbookView ", f'<workbookView activeTab="{keep}" ', 1)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, text.encode() if item.filename == "xl/workbook.xml" else source.read(item.filename))
    return out.getvalue()


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF (LibreOffice writes one ``/Type /Page`` object per page)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


@pytest.mark.render
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: make libreoffice installs it")
def test_libreoffice_prints_the_summary_on_one_page(tmp_path):
    """Issue 21: printed, the Summary's labels and values landed on different pages (78 portrait pages in all).
    LibreOffice renders the workbook to PDF: the Summary alone prints on exactly one page, and so do the charts;
    the whole workbook stays short. The PDFs (and a PNG of the Summary, where pdftoppm is installed) are saved under
    tests/artifacts/."""
    path = tmp_path / "scenario.xlsx"
    assert run_cli("scenario", *SCENARIO, "--xlsx", str(path)).returncode == 0
    xlsx = path.read_bytes()
    (tmp_path / "summary.xlsx").write_bytes(only_sheet(xlsx, "Summary"))
    (tmp_path / "charts.xlsx").write_bytes(only_sheet(xlsx, "Charts"))
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), "scenario.xlsx", "summary.xlsx", "charts.xlsx"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
        timeout=180,
    )
    pages = {name: pdf_pages((tmp_path / f"{name}.pdf").read_bytes()) for name in ("scenario", "summary", "charts")}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for name in pages:
        shutil.copyfile(tmp_path / f"{name}.pdf", ARTIFACTS / f"workbook_{name}.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "100",
                "-singlefile",
                str(tmp_path / "summary.pdf"),
                str(ARTIFACTS / "workbook_summary"),
            ],
            check=True,
            timeout=60,
        )
    assert pages["summary"] == 1 and pages["charts"] == 1, pages
    assert pages["scenario"] <= 20, pages  # 16 when written (the holder table: 6); 91 before issue 21


# --- words a person reads ----------------------------------------------------------------------------------------

NOT_FOR_READERS = re.compile(
    r"\b(?:None|True|False|nan|NaN)\b"  # Python's words for a missing figure or a boolean
    r"|brief:|\(BASE\)|\bdata/|\.toml\b"  # the product brief's shorthand, the shipped files' paths
    r"|\bissue \d"  # the project's issue numbers
    r"|\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d)?"  # raw ISO dates and timestamps
)
CODE_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b")
# Where a code-like word is the thing itself: the holder register's data-quality checks name the register's fields
# ("debenture_principal_usd 5,593 != expected 5,593,000"), and an input file is named by its file name.
CODE_NAMES_ALLOWED = {("Holders", "Filing data-quality issues"), ("Run record", "Input file")}
FILE_NAME = re.compile(r"^[\w.\-]+\.(?:csv|json|toml|xlsx|html|parquet)$")  # a file the user named, shown as given


def _text_cells(book):
    """(sheet, column header or row label, text) of every text cell of every sheet."""
    for sheet in book:
        header = {}
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                if cell.comment is not None:  # a table's header cell (its comment names the column)
                    header[cell.column] = cell.value
                label = header.get(cell.column, "")
                if sheet.title == "Run record" and cell.column == 2:
                    label = str(sheet.cell(row=cell.row, column=1).value).split(":")[0]
                yield sheet.title, label, cell.value


@pytest.mark.parametrize("which", ["scenario", "default"])
def test_no_code_words_in_any_sheet(made, which):
    """Issue 21: nothing a person reads says None/True/False/nan, "brief:", "(BASE)", a data/ path, a .toml file, an
    issue number, a raw ISO date or time, or a code name (``flags.price``, ``dividend_months_days``): labels, headers
    and values on every sheet, for the scenario with Monte Carlo, grants and EPS and for the default scenario."""
    book = made[0] if which == "scenario" else openpyxl.load_workbook(io.BytesIO(_default_workbook()))
    found = []
    for sheet, label, text in _text_cells(book):
        if NOT_FOR_READERS.search(text):
            found.append((sheet, label, NOT_FOR_READERS.search(text).group(0), text[:80]))
        if (sheet, label) not in CODE_NAMES_ALLOWED and CODE_NAME.search(text) and not FILE_NAME.match(text):
            found.append((sheet, label, CODE_NAME.search(text).group(0), text[:80]))
    assert not found, found[:20]


def test_summary_states_each_unit_once_and_money_in_whole_dollars(made):
    """Issue 21: "Cash paid for repurchases (ledger), USD" beside "$961,000,000.00" said the unit twice and showed
    cents that are not there. The label says what, the format says the unit: whole-dollar money of $1,000 or more as
    ``$#,##0`` (as ``formats.usd`` writes it), any other money to the cent."""
    book, _, _ = made
    rows = {row[0].value: row[1] for row in book["Summary"].iter_rows() if isinstance(row[0].value, str)}
    cash = rows["Cash paid for repurchases (ledger)"]
    assert isinstance(cash.value, (int, float)) and cash.value == int(cash.value) >= 1000
    assert cash.number_format == "$#,##0"
    dilution = rows["Dilution (new shares / total outstanding)"]
    assert dilution.number_format == "0.00%"
    labels = [label for label in rows if label]
    assert not any(label.endswith(("USD", "($)", "(%)")) or " % " in label for label in labels), labels
    default = openpyxl.load_workbook(io.BytesIO(_default_workbook()))["Summary"]
    cells = {row[0].value: row[1] for row in default.iter_rows() if isinstance(row[0].value, str)}
    none = cells["Cash paid for repurchases (ledger)"]  # no ledger rows: $0.00, to the cent
    assert none.value == 0 and none.number_format == "$#,##0.00"
    assert any(c.value == "Every input is at its default." for row in default.iter_rows() for c in row)


def test_bridge_workbook_text_reads_as_words(tmp_path):
    """The bridge's workbook (``tables_workbook_bytes``) prints its notes and sources as a person reads them:
    citations ("Lucent Form 8-K, Apr 11, 2003", not "8K2003"), dates as "Apr 23, 2003", actions in words; no data/
    paths, .toml files, issue numbers or raw ISO dates on any sheet."""
    path = tmp_path / "bridge.xlsx"
    assert run_cli("bridge", "--history", "--xlsx", str(path)).returncode == 0
    book = openpyxl.load_workbook(path)
    found = [(s, label, text[:80]) for s, label, text in _text_cells(book) if NOT_FOR_READERS.search(text)]
    assert not found, found[:10]
    actions = {row["action"] for row in workbook_table(book["Replay"])}
    assert "exchange common" in actions and not any("_" in action for action in actions)
    notes = [row["text"] for row in workbook_table(book["Notes"])]
    assert any(note.startswith("Lucent Form 8-K, Apr 11, 2003: ") for note in notes)
