"""The holder register: the "Selling Securityholders" table parsed from a prospectus
supplement, checked figure by figure, and the register CSV format.

Table layout (SUPP pp. 1-11): per holder, a name ending in a dot leader, optional
footnote markers such as ``(5)`` trailing the name, then four figures:

  preferred shares | debenture principal (USD) | common shares (4) | common owned prior

Checks (nothing is corrected or dropped; disagreements go to the ``issues`` column):
  expected_debenture_principal_usd = preferred × $1,000            (SUPP footnote 3)
  expected_common_shares           = ceil(preferred × CR)          (SUPP footnote 4)
where CR is the current conversion rate read from the filing's own text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd

from calc.conversion import registration_shares
from calc.errors import InputError

HEADER_RE = re.compile(
    r"SHARES\s+OF\s+PRINCIPAL\s+AMOUNT.{0,400}?SELLING\s+SECURITYHOLDER.{0,200}?OFFERING"
    r"\s+-{5,}(?:\s+-{5,}){4}",
    re.S,
)
TABLE_END_RE = re.compile(r"-{5,}\s+\(1\)\s")
CURRENT_RATE_RE = re.compile(
    r"(?<!initial )conversion\s+rate\s+of\s+(\d+\.\d+)\s+shares\s+of\s+common\s+stock", re.I
)
LEADER_RE = re.compile(r"^(.*?)\.{3,}$")
FOOTNOTES_RE = re.compile(r"^(.*?)((?:\(\d{1,2}\))+)$", re.S)
FIGURE_RE = re.compile(r"^(?:\d[\d,]*|Nil)$")
WELL_FORMED_RE = re.compile(r"^\d{1,3}(?:,\d{3})*$")
TOKEN_RE = re.compile(r"\S+")

PRINCIPAL_PER_SHARE_USD = 1000
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
    if token == "Nil":
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

    def _add_row(self, values: list[_Token], page: int) -> None:
        name, footnotes = self._name(), ""
        marks = FOOTNOTES_RE.match(name)
        if marks:
            name = marks.group(1).strip()
            footnotes = ";".join(re.findall(r"\((\d+)\)", marks.group(2)))
        figures, issues = {}, []
        for column, token in zip(self.COLUMNS, values):
            figures[column], problem = _parse_figure(token.text, column)
            if problem:
                issues.append(problem)
        principal, common, mismatches = _check_row(figures, self.rate)
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
    return ParsedFiling(pd.DataFrame(builder.rows, columns=REGISTER_COLUMNS), rate)


def parse_filing(path: Path) -> ParsedFiling:
    """Read a filing's text file and parse its Selling Securityholders table."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"filing {path}: {exc.strerror or exc}") from exc
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


WHOLE_RE = re.compile(r"(\d+)(?:\.0*)?")  # "12", "12.0" (a spreadsheet's whole number)


def _check_int(value: object, line: int, column: str, problems: list[str]) -> int:
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    if column == "common_owned_prior" and text in ("", "Nil"):
        return 0
    whole = WHOLE_RE.fullmatch(text.replace(",", ""))
    if whole is None or (text.count(",") and not WELL_FORMED_RE.match(text.split(".")[0])):
        problems.append(f"line {line}, column {column}: '{text}' must be a whole number >= 0")
        return 0
    return int(whole.group(1))


def validate_register(frame: pd.DataFrame, source: str = "register") -> pd.DataFrame:
    """Validate a holder table (register CSV format) and return it with clean dtypes.

    Required columns: ``name``, ``preferred_shares``; optional ``footnotes``,
    ``common_owned_prior`` (empty or 'Nil' = 0), ``issues`` and the other register
    columns. Every problem is reported at once, with its CSV line number
    (line 1 = header).
    """
    missing = [c for c in ("name", "preferred_shares") if c not in frame.columns]
    if missing:
        raise InputError(f"{source}: missing required column(s): {', '.join(missing)}")
    if frame.empty:
        raise InputError(f"{source}: no holder rows")
    problems: list[str] = []
    out = frame.copy()
    for column in ("preferred_shares", "common_owned_prior"):
        values = frame[column] if column in frame else [0] * len(frame)
        out[column] = [_check_int(v, i + 2, column, problems) for i, v in enumerate(values)]
    names = frame["name"].fillna("").astype(str).str.strip()
    for i in names.index[names == ""]:
        problems.append(f"line {int(i) + 2}, column name: holder name must not be empty")
    if problems:
        raise InputError(f"{source}: {len(problems)} problem(s)", tuple(problems))
    out["name"] = names
    for column in ("footnotes", "issues"):
        out[column] = frame[column].fillna("").astype(str) if column in frame else ""
    out["footnotes"] = out["footnotes"].str.replace(r"\.0$", "", regex=True)
    return out.reset_index(drop=True)


def read_register_csv(path: Path | str) -> pd.DataFrame:
    """Load and validate a register CSV (as written by ``python -m calc holders``)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"register {path}: not a readable CSV ({exc})") from exc
    return validate_register(frame, f"register {path}")


REGISTER_PATH = Path(__file__).resolve().parent.parent / "data" / "register.csv"
FILING_PATH = Path(__file__).resolve().parent.parent / "data" / "prospectus_supplement_2002-08-28_8pct_preferred.txt"


def load_register() -> pd.DataFrame:
    """The shipped register (``data/register.csv``)."""
    return read_register_csv(REGISTER_PATH)
