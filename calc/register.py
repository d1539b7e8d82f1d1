"""The holder register CSV format: one row per holder (``REGISTER_COLUMNS``, as written by
``python -m calc holders`` from a filing, ``calc.filing``), validated on every read
(``validate_register``), and its summary (``summarize``).

Required columns ``name`` and ``preferred_shares`` (at most ``MAX_PREFERRED_SHARES`` per row and in
total); the other figure columns are optional whole numbers (empty or ``Nil`` = 0, at most
``MAX_FIGURE``). Every problem is reported at once as ``line L, column C: ...``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from calc.csv_records import (
    MAX_CELL_CHARS,
    MAX_CSV_LINE_CHARS,
    MAX_TEXT_BYTES,
    by_line,
    bytes_lines,
    csv_records,
    opened_lines,
    split_ragged,
)
from calc.errors import InputError, Problem

WELL_FORMED_RE = re.compile(r"^\d{1,3}(?:,\d{3})*$", re.A)
MAX_PREFERRED_SHARES = 10**9  # per holder row and for the listed total (the class is 1,885,000 shares)
MAX_FIGURE = 10**12  # any other figure: principal USD, common shares
REGISTER_COLUMNS = [
    "row",
    "page",
    "offset",
    "name",
    "footnotes",
    "preferred_shares",
    "debenture_principal_usd",
    "common_shares",
    "common_owned_prior",
    "expected_debenture_principal_usd",
    "expected_common_shares",
    "issues",
]


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
        return (
            f"listed preferred total {total:,} exceeds the {issued:,} shares issued by "
            f"{self.listed_excess_shares:,} ({self.listed_excess_pct:.1f}%): the table is a registration "
            "list, 'amended by the addition of, or the listing of additional shares for, selling "
            "securityholders and ... restated' across supplements (SUPP p. 1), not a snapshot of holdings"
        )


SUMMED_COLUMNS = (
    "preferred_shares",
    "debenture_principal_usd",
    "common_shares",
    "common_owned_prior",
    "expected_debenture_principal_usd",
    "expected_common_shares",
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
    c: (MAX_FIGURE, False) for c in SUMMED_COLUMNS if c != "preferred_shares"
}


def _check_int(value: object, line: int, column: str, problems: list[Problem]) -> int:
    text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
    limit, required = WHOLE_COLUMNS[column]
    if not required and text.lower() in ("", "nil"):
        return 0
    whole = WHOLE_RE.fullmatch(text.replace(",", ""))
    if (
        whole is None
        or (text.count(",") and not WELL_FORMED_RE.match(text.split(".")[0]))
        or int(whole.group(1)) > limit
    ):
        problems.append(
            Problem(f"must be a whole number from 0 to {limit:,}", line=line, column=column, value=text[:40])
        )
        return 0
    return int(whole.group(1))


def _text_problems(frame: pd.DataFrame, lines: Sequence[int]) -> list[Problem]:
    """Empty holder names; NUL characters or over-long text in the text columns."""
    problems = []
    for column in ("name", "footnotes", "issues"):
        if column not in frame:
            continue
        for line, value in zip(lines, frame[column].fillna("").astype(str)):
            if column == "name" and not value.strip():
                problems.append(Problem("holder name must not be empty", line=line, column=column))
            elif "\x00" in value:
                problems.append(Problem("contains a NUL character", line=line, column=column))
            elif len(value) > MAX_CELL_CHARS:
                problems.append(Problem(f"longer than {MAX_CELL_CHARS:,} characters", line=line, column=column))
    return problems


def validate_register(
    frame: pd.DataFrame, source: str = "register", lines: Sequence[int] | None = None, earlier: Sequence[Problem] = ()
) -> pd.DataFrame:
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
    problems: list[Problem] = []
    out = frame.copy()
    for column in dict.fromkeys(["preferred_shares", "common_owned_prior", *(c for c in WHOLE_COLUMNS if c in frame)]):
        values = frame[column] if column in frame else [0] * len(frame)
        out[column] = [_check_int(v, line, column, problems) for line, v in zip(numbers, values)]
    problems += _text_problems(frame, numbers)
    listed = sum(out["preferred_shares"])
    if listed > MAX_PREFERRED_SHARES:
        problems.append(
            Problem(
                f"the rows sum to {listed:,}, over the limit of {MAX_PREFERRED_SHARES:,}", column="preferred_shares"
            )
        )
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
    repeated = [
        Problem(f"appears {header.count(h)} times", line=1, column=h)
        for h in dict.fromkeys(header)
        if header.count(h) > 1
    ]
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
