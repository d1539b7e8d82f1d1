"""The filing parser: the "Selling Securityholders" table of a prospectus supplement,
read into a register (``calc.inputs.register`` format), checked figure by figure.

Table layout (SUPP pp. 1-11): per holder, a name ending in a dot leader, optional
footnote markers such as ``(5)`` trailing the name, then four figures:

  preferred shares | debenture principal (USD) | common shares (4) | common owned prior

Words, headers and markers are read without regard to letter case (``Nil``/``nil``/``NIL``,
the column header, a ``Total`` row); footnote markers are ``(5)``-style numbers or ``*``.
A ``Total`` (or ``Totals``) row is not a holder: its preferred figure must equal the sum of
the rows above it. Limits (issue 9 items 3, 14, 15, 18; issue 20 item 15): the file at most
``MAX_FILING_BYTES`` (the shipped supplement is 37 kB; parsing takes about 2 s and 100 MB per MB
of table, so the cap keeps a run within seconds and a few hundred MB); a figure at most
``MAX_FIGURE`` (preferred shares: ``MAX_PREFERRED_SHARES`` per row and for the listed total); a
holder name at most ``MAX_CELL_CHARS`` characters.

Checks (nothing is corrected or dropped; disagreements go to the ``issues`` column):
  expected_debenture_principal_usd = preferred × $1,000            (SUPP footnote 3)
  expected_common_shares           = ceil(preferred × CR)          (SUPP footnote 4)
where CR is the current conversion rate read from the filing's own text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from calc.errors import InputError
from calc.inputs.csv_records import MAX_CELL_CHARS, read_text
from calc.inputs.register import MAX_FIGURE, MAX_PREFERRED_SHARES, REGISTER_COLUMNS, WELL_FORMED_RE
from calc.model import preferred_rules as rules
from calc.model.conversion import registration_shares

HEADER_RE = re.compile(
    r"SHARES\s+OF\s+PRINCIPAL\s+AMOUNT.{0,400}?SELLING\s+SECURITYHOLDER.{0,200}?OFFERING"
    r"\s+-{5,}(?:\s+-{5,}){4}",
    re.S | re.I,
)
TABLE_END_RE = re.compile(r"-{5,}\s+\(1\)\s")
CURRENT_RATE_RE = re.compile(r"(?<!initial )conversion\s+rate\s+of\s+(\d+\.\d+)\s+shares\s+of\s+common\s+stock", re.I)
LEADER_RE = re.compile(r"^(.*?)\.{3,}$")
FOOTNOTES_RE = re.compile(r"^(.*?)((?:\(\d{1,2}\)|\(\*\)|\*)+)$", re.S)
FIGURE_RE = re.compile(r"^(?:\d[\d,]{0,24}|nil)$", re.I | re.A)  # longer digit runs are not figures
TOTAL_RE = re.compile(r"^totals?:?$", re.I)
MAX_FILING_BYTES = 1_000_000  # 27 times the shipped supplement (37 kB, 323 holders)
TOKEN_RE = re.compile(r"\S+")


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
    expected_principal = preferred * rules.BASIS_USD  # LP $1,000 per preferred share
    expected_common = registration_shares(preferred, rate=rate)
    issues = []
    if figures["debenture_principal_usd"] != expected_principal:
        hint = " (equals the preferred count)" if figures["debenture_principal_usd"] == preferred else ""
        issues.append(
            f"debenture_principal_usd {figures['debenture_principal_usd']:,} != expected "
            f"{expected_principal:,} (preferred × $1,000){hint}"
        )
    if figures["common_shares"] != expected_common:
        issues.append(
            f"common_shares {figures['common_shares']:,} != expected {expected_common:,} (ceil(preferred × {rate}))"
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
        values = tokens[start : start + 4]
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
                raise InputError(
                    f"filing: holder '{name[:80]}' at {self.where(self.pending[0], page)}: {column} "
                    f"{figures[column]:,} is over the limit of {limit:,}"
                )
            if problem:
                issues.append(problem)
        return figures, issues

    def _check_total(self, preferred: int, page: int) -> None:
        """A 'Total' row states the sum of the preferred shares listed above it."""
        listed = self.listed_preferred
        if preferred != listed:
            raise InputError(
                f"filing: 'Total' row at {self.where(self.pending[0], page)} states {preferred:,} "
                f"preferred shares; the rows above it list {listed:,}"
            )
        self.pending = []

    def _add_row(self, values: list[_Token], page: int) -> None:
        name, footnotes = self._name(), ""
        marks = FOOTNOTES_RE.match(name)
        if marks:
            name = marks.group(1).strip()
            footnotes = ";".join(re.findall(r"\d+|\*", marks.group(2)))
        if len(name) > MAX_CELL_CHARS:
            raise InputError(
                f"filing: holder name '{name[:80]}...' at {self.where(self.pending[0], page)} is "
                f"longer than {MAX_CELL_CHARS:,} characters"
            )
        figures, issues = self._figures(values, name, page)
        if TOTAL_RE.match(name):
            self._check_total(figures["preferred_shares"], page)
            return
        principal, common, mismatches = _check_row(figures, self.rate)
        self.listed_preferred += figures["preferred_shares"]
        self.rows.append(
            {
                "row": len(self.rows) + 1,
                "page": page,
                "offset": self.pending[0].offset,
                "name": name,
                "footnotes": footnotes,
                **figures,
                "expected_debenture_principal_usd": principal,
                "expected_common_shares": common,
                "issues": "; ".join(issues + mismatches),
            }
        )
        self.pending = []

    def end_of_page(self) -> None:
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
            "filing: the 'Selling Securityholders' table has no end (footnote rule '-----' followed by '(1)' not found)"
        )
    headers = [h for h in headers if h.start() < end.start()]
    bounds = [h.end() for h in headers]
    stops = [h.start() for h in headers[1:]] + [end.start()]
    return list(zip(bounds, stops))


def _first_page(text: str, segments: list[tuple[int, int]]) -> int:
    """Page of the first table segment: one less than the number printed at its foot, else 1."""
    if len(segments) > 1:
        foot = TOKEN_RE.findall(text[segments[0][0] : segments[0][1]])
        if foot and foot[-1].isdigit():
            return max(int(foot[-1]) - 1, 1)
    return 1


def parse_filing_text(text: str) -> ParsedFiling:
    """Parse the Selling Securityholders table out of a prospectus supplement's text.

    Works on the text as one long line or wrapped; page headers may repeat mid-table.
    Raises ``InputError`` naming what was not found, or the offset of a fragment that
    cannot be parsed; a text longer than ``MAX_FILING_BYTES`` characters is refused unread.
    """
    if len(text) > MAX_FILING_BYTES:
        raise InputError(f"filing: longer than the {MAX_FILING_BYTES:,}-character limit; nothing was read")
    segments = _segments(text)
    rate = current_rate_from_text(text)
    builder = _RowBuilder(text, rate)
    page = _first_page(text, segments)
    for index, (start, stop) in enumerate(segments):
        tokens = [_Token(m.group(), start + m.start()) for m in TOKEN_RE.finditer(text[start:stop])]
        builder.feed_segment(tokens, page)
        if index < len(segments) - 1:
            builder.end_of_page()
            page += 1
    builder.finish(page)
    if not builder.rows:
        raise InputError("filing: the 'Selling Securityholders' table has no holder rows")
    listed = builder.listed_preferred
    if listed > MAX_PREFERRED_SHARES:
        raise InputError(
            f"filing: the listed preferred shares sum to {listed:,}, over the limit of {MAX_PREFERRED_SHARES:,}"
        )
    return ParsedFiling(pd.DataFrame(builder.rows, columns=REGISTER_COLUMNS), rate)


def parse_filing(path: Path) -> ParsedFiling:
    """Read a filing's text file (UTF-8, or UTF-16/32 with a byte-order mark; at most
    ``MAX_FILING_BYTES``; ``calc.inputs.csv_records.read_text``) and parse its Selling Securityholders table."""
    text = read_text(path, f"filing {path}", MAX_FILING_BYTES)
    try:
        return parse_filing_text(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc}", exc.problems) from exc
