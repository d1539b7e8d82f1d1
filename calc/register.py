"""The holder register: the "Selling Securityholders" table parsed from a prospectus
supplement, checked figure by figure, and the register CSV format.

Table layout (SUPP pp. 1-11): per holder, a name ending in a dot leader, optional
footnote markers such as ``(5)`` trailing the name, then four figures:

  preferred shares | debenture principal (USD) | common shares (4) | common owned prior

Words, headers and markers are read without regard to letter case (``Nil``/``nil``/``NIL``,
the column header, a ``Total`` row); footnote markers are ``(5)``-style numbers or ``*``.
A ``Total`` (or ``Totals``) row is not a holder: its preferred figure must equal the sum of
the rows above it. Limits (issue 9 items 3, 14, 15, 18): the file at most
``MAX_TEXT_BYTES``; a figure at most ``MAX_FIGURE`` (preferred shares: ``MAX_PREFERRED_SHARES``
per row and for the listed total); a holder name at most ``MAX_CELL_CHARS`` characters.

Checks (nothing is corrected or dropped; disagreements go to the ``issues`` column):
  expected_debenture_principal_usd = preferred × $1,000            (SUPP footnote 3)
  expected_common_shares           = ceil(preferred × CR)          (SUPP footnote 4)
where CR is the current conversion rate read from the filing's own text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from calc.conversion import registration_shares
from calc.csv_records import (
    MAX_CELL_CHARS,
    MAX_CSV_LINE_CHARS,
    MAX_TEXT_BYTES,
    by_line,
    bytes_lines,
    csv_records,
    opened_lines,
    read_text,
    split_ragged,
)
from calc.errors import InputError

HEADER_RE = re.compile(
    r"SHARES\s+OF\s+PRINCIPAL\s+AMOUNT.{0,400}?SELLING\s+SECURITYHOLDER.{0,200}?OFFERING"
    r"\s+-{5,}(?:\s+-{5,}){4}",
    re.S | re.I,
)
TABLE_END_RE = re.compile(r"-{5,}\s+\(1\)\s")
CURRENT_RATE_RE = re.compile(
    r"(?<!initial )conversion\s+rate\s+of\s+(\d+\.\d+)\s+shares\s+of\s+common\s+stock", re.I
)
LEADER_RE = re.compile(r"^(.*?)\.{3,}$")
FOOTNOTES_RE = re.compile(r"^(.*?)((?:\(\d{1,2}\)|\(\*\)|\*)+)$", re.S)
FIGURE_RE = re.compile(r"^(?:\d[\d,]{0,24}|nil)$", re.I | re.A)  # longer digit runs are not figures
TOTAL_RE = re.compile(r"^totals?:?$", re.I)
WELL_FORMED_RE = re.compile(r"^\d{1,3}(?:,\d{3})*$", re.A)
TOKEN_RE = re.compile(r"\S+")

PRINCIPAL_PER_SHARE_USD = 1000
MAX_PREFERRED_SHARES = 10**9  # per holder row and for the listed total (the class is 1,885,000 shares)
MAX_FIGURE = 10**12  # any other figure: principal USD, common shares
REGISTER_COLUMNS = [
    "row", "page", "offset", "name", "footnotes",
    "preferred_shares", "debenture_principal_usd", "common_shares", "common_owned_prior",
    "expected_debenture_principal_usd", "expected_common_shares", "issues",
]


@dataclass(frozen=True)
class ParsedFiling:
    register: pd.DataFrame  # REGISTER_COLUMNS, one row per listed holder, filing order
    conversion_rate: Decimal  # current rate stated in the filing


@dataclass(frozen=True)
class _Token:
    text: str
    offset: int


def current_rate_from_text(text: str) -> Decimal:
    """The current conversion rate stated in the filing (not the 'initial' one)."""
    match = CURRENT_RATE_RE.search(text)
    if match is None:
        raise InputError(
            "filing: no current conversion rate found (expected a phrase like "
            "'conversion rate of 168.3502 shares of common stock')"
        )
    return Decimal(match.group(1))


def _parse_figure(token: str, column: str) -> tuple[int, str | None]:
    """Value of a table figure and, if it is malformed, a description of the problem."""
    if token.lower() == "nil":
        problem = None if column == "common_owned_prior" else f"{column} reported as 'Nil'"
        return 0, problem
    value = int(token.replace(",", ""))
    if WELL_FORMED_RE.match(token):
        return value, None
    return value, f"{column} '{token}' is malformed (comma grouping; read as {value:,})"


def _check_row(figures: dict[str, int], rate: Decimal) -> tuple[int, int, list[str]]:
    preferred = figures["preferred_shares"]
    expected_principal = preferred * PRINCIPAL_PER_SHARE_USD
    expected_common = registration_shares(preferred, rate)
    issues = []
    if figures["debenture_principal_usd"] != expected_principal:
        hint = " (equals the preferred count)" if figures["debenture_principal_usd"] == preferred else ""
        issues.append(
            f"debenture_principal_usd {figures['debenture_principal_usd']:,} != expected "
            f"{expected_principal:,} (preferred × $1,000){hint}"
        )
    if figures["common_shares"] != expected_common:
        issues.append(
            f"common_shares {figures['common_shares']:,} != expected {expected_common:,} "
            f"(ceil(preferred × {rate}))"
        )
    return expected_principal, expected_common, issues


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


class _RowBuilder:
    """Turns the token stream of the table body into rows (state carried across pages)."""

    COLUMNS = ("preferred_shares", "debenture_principal_usd", "common_shares", "common_owned_prior")

    def __init__(self, text: str, rate: Decimal) -> None:
        self.text = text
        self.rate = rate
        self.rows: list[dict[str, object]] = []
        self.pending: list[_Token] = []  # name tokens seen since the last complete row
        self.listed_preferred = 0  # sum of preferred_shares over self.rows

    def where(self, token: _Token, page: int) -> str:
        return f"offset {token.offset} (line {_line_of(self.text, token.offset)}, page {page})"

    def feed_segment(self, tokens: list[_Token], page: int) -> None:
        i = 0
        while i < len(tokens):
            token = tokens[i]
            leader = LEADER_RE.match(token.text)
            if leader is None:
                self.pending.append(token)
                i += 1
                continue
            if leader.group(1):
                self.pending.append(_Token(leader.group(1), token.offset))
            i = self._finish_row(tokens, i + 1, page, token)

    def _finish_row(self, tokens: list[_Token], start: int, page: int, leader: _Token) -> int:
        if not self.pending:
            raise InputError(f"filing: dot leader with no holder name at {self.where(leader, page)}")
        values = tokens[start:start + 4]
        bad = [t for t in values if not FIGURE_RE.match(t.text)]
        if len(values) < 4 or bad:
            found = " ".join(t.text for t in values) or "nothing"
            raise InputError(
                f"filing: holder '{self._name()}' at {self.where(self.pending[0], page)}: expected "
                f"4 figures (preferred, principal, common, owned prior) after the dot leader, found '{found}'"
            )
        self._add_row(values, page)
        return start + 4

    def _name(self) -> str:
        return " ".join(t.text for t in self.pending).strip()

    def _figures(self, values: list[_Token], name: str, page: int) -> tuple[dict[str, int], list[str]]:
        """The row's four figures and their format problems; a figure over its limit is an error."""
        figures, issues = {}, []
        for column, token in zip(self.COLUMNS, values):
            figures[column], problem = _parse_figure(token.text, column)
            limit = MAX_PREFERRED_SHARES if column == "preferred_shares" else MAX_FIGURE
            if figures[column] > limit:
                raise InputError(f"filing: holder '{name[:80]}' at {self.where(self.pending[0], page)}: {column} "
                                 f"{figures[column]:,} is over the limit of {limit:,}")
            if problem:
                issues.append(problem)
        return figures, issues

    def _check_total(self, preferred: int, page: int) -> None:
        """A 'Total' row states the sum of the preferred shares listed above it."""
        listed = self.listed_preferred
        if preferred != listed:
            raise InputError(f"filing: 'Total' row at {self.where(self.pending[0], page)} states {preferred:,} "
                             f"preferred shares; the rows above it list {listed:,}")
        self.pending = []

    def _add_row(self, values: list[_Token], page: int) -> None:
        name, footnotes = self._name(), ""
        marks = FOOTNOTES_RE.match(name)
        if marks:
            name = marks.group(1).strip()
            footnotes = ";".join(re.findall(r"\d+|\*", marks.group(2)))
        if len(name) > MAX_CELL_CHARS:
            raise InputError(f"filing: holder name '{name[:80]}...' at {self.where(self.pending[0], page)} is "
                             f"longer than {MAX_CELL_CHARS:,} characters")
        figures, issues = self._figures(values, name, page)
        if TOTAL_RE.match(name):
            self._check_total(figures["preferred_shares"], page)
            return
        principal, common, mismatches = _check_row(figures, self.rate)
        self.listed_preferred += figures["preferred_shares"]
        self.rows.append({
            "row": len(self.rows) + 1, "page": page, "offset": self.pending[0].offset,
            "name": name, "footnotes": footnotes, **figures,
            "expected_debenture_principal_usd": principal, "expected_common_shares": common,
            "issues": "; ".join(issues + mismatches),
        })
        self.pending = []

    def end_of_page(self, page: int) -> None:
        """A bare integer left at the foot of a page is the printed page number."""
        if self.pending and self.pending[-1].text.isdigit():
            self.pending.pop()

    def finish(self, page: int) -> None:
        if self.pending:
            fragment = " ".join(t.text for t in self.pending)
            raise InputError(
                f"filing: unparsable fragment '{fragment[:80]}' at {self.where(self.pending[0], page)}: "
                "no dot leader and figures follow it before the end of the table"
            )


def _segments(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the table body on each page."""
    headers = list(HEADER_RE.finditer(text))
    if not headers:
        raise InputError(
            "filing: no 'Selling Securityholders' table found (column header 'SHARES OF "
            "PRINCIPAL AMOUNT ... SELLING SECURITYHOLDER ... OFFERING' with its dashed rule)"
        )
    end = TABLE_END_RE.search(text, headers[0].end())
    if end is None:
        raise InputError(
            "filing: the 'Selling Securityholders' table has no end (footnote rule '-----' "
            "followed by '(1)' not found)"
        )
    headers = [h for h in headers if h.start() < end.start()]
    bounds = [h.end() for h in headers]
    stops = [h.start() for h in headers[1:]] + [end.start()]
    return list(zip(bounds, stops))


def _first_page(text: str, segments: list[tuple[int, int]]) -> int:
    """Page of the first table segment: one less than the number printed at its foot, else 1."""
    if len(segments) > 1:
        foot = TOKEN_RE.findall(text[segments[0][0]:segments[0][1]])
        if foot and foot[-1].isdigit():
            return max(int(foot[-1]) - 1, 1)
    return 1


def parse_filing_text(text: str) -> ParsedFiling:
    """Parse the Selling Securityholders table out of a prospectus supplement's text.

    Works on the text as one long line or wrapped; page headers may repeat mid-table.
    Raises ``InputError`` naming what was not found, or the offset of a fragment that
    cannot be parsed.
    """
    segments = _segments(text)
    rate = current_rate_from_text(text)
    builder = _RowBuilder(text, rate)
    page = _first_page(text, segments)
    for index, (start, stop) in enumerate(segments):
        tokens = [_Token(m.group(), start + m.start()) for m in TOKEN_RE.finditer(text[start:stop])]
        builder.feed_segment(tokens, page)
        if index < len(segments) - 1:
            builder.end_of_page(page)
            page += 1
    builder.finish(page)
    if not builder.rows:
        raise InputError("filing: the 'Selling Securityholders' table has no holder rows")
    listed = builder.listed_preferred
    if listed > MAX_PREFERRED_SHARES:
        raise InputError(f"filing: the listed preferred shares sum to {listed:,}, over the limit of "
                         f"{MAX_PREFERRED_SHARES:,}")
    return ParsedFiling(pd.DataFrame(builder.rows, columns=REGISTER_COLUMNS), rate)


def parse_filing(path: Path) -> ParsedFiling:
    """Read a filing's text file (UTF-8, or UTF-16/32 with a byte-order mark; at most
    ``MAX_TEXT_BYTES``; ``calc.csv_records.read_text``) and parse its Selling Securityholders table."""
    text = read_text(path, f"filing {path}")
    try:
        return parse_filing_text(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc}", exc.problems) from exc


@dataclass(frozen=True)
class RegisterSummary:
    holders: int
    totals: dict[str, int]
    rows_with_issues: int
    listed_preferred_shares: int
    issued_preferred_shares: int

    @property
    def listed_excess_shares(self) -> int:
        """Listed preferred total minus shares issued (> 0: the list over-counts)."""
        return self.listed_preferred_shares - self.issued_preferred_shares

    @property
    def listed_excess_pct(self) -> float:
        """100 × listed excess / shares issued."""
        return 100.0 * self.listed_excess_shares / self.issued_preferred_shares

    def listed_total_note(self) -> str:
        """Plain-words comparison of the listed preferred total with the shares issued."""
        total, issued = self.listed_preferred_shares, self.issued_preferred_shares
        if self.listed_excess_shares <= 0:
            return f"listed preferred total {total:,} is within the {issued:,} shares issued"
        return (f"listed preferred total {total:,} exceeds the {issued:,} shares issued by "
                f"{self.listed_excess_shares:,} ({self.listed_excess_pct:.1f}%): the table is a registration "
                "list, 'amended by the addition of, or the listing of additional shares for, selling "
                "securityholders and ... restated' across supplements (SUPP p. 1), not a snapshot of holdings")


SUMMED_COLUMNS = (
    "preferred_shares", "debenture_principal_usd", "common_shares", "common_owned_prior",
    "expected_debenture_principal_usd", "expected_common_shares",
)


def summarize(register: pd.DataFrame, issued_preferred_shares: int) -> RegisterSummary:
    """Holder count, column totals, rows with issues, listed vs issued preferred."""
    totals = {c: int(register[c].sum()) for c in SUMMED_COLUMNS if c in register}
    issues = register["issues"].fillna("") if "issues" in register else pd.Series([], dtype=str)
    return RegisterSummary(
        holders=len(register),
        totals=totals,
        rows_with_issues=int((issues != "").sum()),
        listed_preferred_shares=int(register["preferred_shares"].sum()),
        issued_preferred_shares=issued_preferred_shares,
    )


WHOLE_RE = re.compile(r"(\d{1,15})(?:\.0*)?", re.A)  # "12", "12.0" (a spreadsheet's whole number)
# whole-number columns of a register table: (limit, required); an optional empty cell (or 'Nil') is 0
WHOLE_COLUMNS = {"preferred_shares": (MAX_PREFERRED_SHARES, True)} | {
    c: (MAX_FIGURE, False) for c in SUMMED_COLUMNS if c != "preferred_shares"}


def _check_int(value: object, line: int, column: str, problems: list[str]) -> int:
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    limit, required = WHOLE_COLUMNS[column]
    if not required and text.lower() in ("", "nil"):
        return 0
    whole = WHOLE_RE.fullmatch(text.replace(",", ""))
    if (whole is None or (text.count(",") and not WELL_FORMED_RE.match(text.split(".")[0]))
            or int(whole.group(1)) > limit):
        problems.append(f"line {line}, column {column}: '{text[:40]}' must be a whole number from 0 to {limit:,}")
        return 0
    return int(whole.group(1))


def _text_problems(frame: pd.DataFrame, lines: Sequence[int]) -> list[str]:
    """Empty holder names; NUL characters or over-long text in the text columns."""
    problems = []
    for column in ("name", "footnotes", "issues"):
        if column not in frame:
            continue
        for line, value in zip(lines, frame[column].fillna("").astype(str)):
            if column == "name" and not value.strip():
                problems.append(f"line {line}, column name: holder name must not be empty")
            elif "\x00" in value:
                problems.append(f"line {line}, column {column}: contains a NUL character")
            elif len(value) > MAX_CELL_CHARS:
                problems.append(f"line {line}, column {column}: longer than {MAX_CELL_CHARS:,} characters")
    return problems


def validate_register(frame: pd.DataFrame, source: str = "register", lines: Sequence[int] | None = None,
                      earlier: Sequence[str] = ()) -> pd.DataFrame:
    """Validate a holder table (register CSV format) and return it with clean dtypes.

    Required columns: ``name``, ``preferred_shares`` (0 to ``MAX_PREFERRED_SHARES`` per row, and
    in total); optional ``footnotes``, ``issues``, ``common_owned_prior`` and the other figure
    columns (empty or 'Nil' = 0, at most ``MAX_FIGURE``). Text: no NUL, at most
    ``MAX_CELL_CHARS`` characters. Every problem is reported at once, with its CSV line number
    (line 1 = header); ``lines``: the line of each frame row (default: row i is line i + 2);
    ``earlier``: problems already found in rows not in the frame (ragged rows).
    """
    missing = [c for c in ("name", "preferred_shares") if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing required column(s): {', '.join(missing)}")
    if frame.empty and not earlier:
        raise InputError(f"{source}: no holder rows")
    numbers = list(range(2, len(frame) + 2) if lines is None else lines)
    problems: list[str] = []
    out = frame.copy()
    for column in dict.fromkeys(["preferred_shares", "common_owned_prior", *(c for c in WHOLE_COLUMNS if c in frame)]):
        values = frame[column] if column in frame else [0] * len(frame)
        out[column] = [_check_int(v, line, column, problems) for line, v in zip(numbers, values)]
    problems += _text_problems(frame, numbers)
    listed = sum(out["preferred_shares"])
    if listed > MAX_PREFERRED_SHARES:
        problems.append(f"column preferred_shares: the rows sum to {listed:,}, over the limit of "
                        f"{MAX_PREFERRED_SHARES:,}")
    if problems or earlier:
        merged = by_line([*earlier, *problems])
        raise InputError(f"{source}: {len(merged)} problem(s)", tuple(merged))
    out["name"] = frame["name"].fillna("").astype(str).str.strip()
    for column in ("footnotes", "issues"):
        out[column] = frame[column].fillna("").astype(str) if column in frame else ""
    out["footnotes"] = out["footnotes"].str.replace(r"\.0$", "", regex=True)
    return out.reset_index(drop=True)


def _register_from_lines(lines: Iterable[str], source: str) -> pd.DataFrame:
    records = csv_records(lines, source)
    first = next(records, None)
    if first is None:
        raise InputError(f"{source}: empty file (expected a header with 'name' and 'preferred_shares')")
    header = [h.strip() for h in first[1]]
    repeated = [f"line 1, column '{h}': appears {header.count(h)} times" for h in dict.fromkeys(header)
                if header.count(h) > 1]
    if repeated:
        raise InputError(f"{source}: {len(repeated)} problem(s)", tuple(repeated))
    kept, numbers, ragged = split_ragged(header, records)
    frame = pd.DataFrame(kept, columns=header, dtype=str)
    return validate_register(frame, source, numbers, ragged)


def read_register_csv(path: Path | str) -> pd.DataFrame:
    """Load and validate a register CSV (as written by ``python -m calc holders``; UTF-8, a
    byte-order mark accepted, at most ``MAX_TEXT_BYTES``). A row with more or fewer cells than
    the header is reported with its line, with every other problem."""
    source = f"register {path}"
    with opened_lines(path, source, MAX_TEXT_BYTES, MAX_CSV_LINE_CHARS) as lines:
        return _register_from_lines(lines, source)


def parse_register_bytes(data: bytes, source: str = "register") -> pd.DataFrame:
    """``read_register_csv`` for file content in memory (a dashboard upload)."""
    return _register_from_lines(bytes_lines(data, source, MAX_TEXT_BYTES, MAX_CSV_LINE_CHARS), source)


