"""The holder register CSV format: one row per holder (``REGISTER_COLUMNS``, as written by
``python -m calc holders`` from a filing, ``calc.inputs.filing``), validated on every read
(``validate_register``), and its summary (``summarize``).

Required columns ``name`` and ``preferred_shares`` (at most ``MAX_PREFERRED_SHARES`` per row and in
total); the other figure columns are optional whole numbers (empty or ``Nil`` = 0, at most
``MAX_FIGURE``). Every problem is reported at once as ``line L, column C: ...``.

A register whose listed preferred total is below the ``N`` shares issued (an upload of a few
holders) is completed by ``prepare_register``, one of ``PARTIAL_HANDLING``:

  as_given  (default) every listed holder keeps its typed count; one ``REMAINDER_NAME`` row holds
            N − listed (many unknown holders: never flagged as one owner, ``calc.model.allocation``), so
            the pro-rata scaling has factor exactly 1
  scale     the listing is left as it is: the pro_rata basis scales it up to N (``scaling_note``)

A register listing at least N (the filing's: its listed total exceeds the class) is unchanged by
either choice.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from calc.errors import InputError, Problem, echo
from calc.inputs.csv_records import (
    MAX_CELL_CHARS,
    MAX_CSV_LINE_CHARS,
    MAX_TEXT_BYTES,
    by_line,
    bytes_lines,
    csv_records,
    opened_lines,
    split_ragged,
)
from calc.model.allocation import REMAINDER_NAME

WELL_FORMED_RE = re.compile(r"^\d{1,3}(?:,\d{3})*$", re.A)
MAX_PREFERRED_SHARES = 10**9  # per holder row and for the listed total (the class is 1,885,000 shares)
MAX_FIGURE = 10**12  # any other figure: principal USD, common shares
SUMMED_COLUMNS = (  # the figure columns, totalled by ``summarize``
    "preferred_shares",
    "debenture_principal_usd",
    "common_shares",
    "common_owned_prior",
    "expected_debenture_principal_usd",
    "expected_common_shares",
)
REGISTER_COLUMNS = ["row", "page", "offset", "name", "footnotes", *SUMMED_COLUMNS, "issues"]
REQUIRED_COLUMNS = ("name", "preferred_shares")

PARTIAL_HANDLING = ("as_given", "scale")  # a register listing fewer than the shares issued: ``prepare_register``
DEFAULT_PARTIAL = "as_given"
REMAINDER_ISSUE = "remainder: not in the uploaded table (the shares issued less the listed total; many holders)"


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
            "securityholders and ... restated' across supplements (Prospectus supplement, Aug 28, 2002, p. 1), not "
            "a snapshot of holdings"
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
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise _missing_columns(source, missing, [str(c) for c in frame.columns])
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


def _normal(header: str) -> str:
    """A header as compared with the expected names: lower case, spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _missing_columns(source: str, missing: Sequence[str], found: Sequence[str]) -> InputError:
    """The error for a header without a required column: the headers found and, for each header that is
    not an expected name, the closest expected names (``difflib.get_close_matches``, compared in lower
    case with spaces as underscores). One problem per missing column and per near-miss header, on line 1."""
    expected = list(dict.fromkeys([*REQUIRED_COLUMNS, *REGISTER_COLUMNS]))
    normal = {_normal(name): name for name in expected}
    near: dict[str, list[str]] = {}
    for header in found:
        if header not in expected:
            matches = [normal[m] for m in difflib.get_close_matches(_normal(header), list(normal), n=2, cutoff=0.6)]
            if matches:
                near[header] = matches
    closest = list(dict.fromkeys(m for matches in near.values() for m in matches))
    shown = ", ".join(echo(h) for h in found) if found else "(none)"
    message = f"{source}: missing required column(s): {', '.join(missing)}; found: {shown}"
    if closest:
        message += f"; closest expected: {', '.join(closest)}"
    problems = [Problem(f"required column missing (the header has: {shown})", line=1, column=name) for name in missing]
    problems += [
        Problem(f"not an expected column; closest expected: {', '.join(matches)}", line=1, column=echo(header))
        for header, matches in near.items()
    ]
    return InputError(message, tuple(problems))


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


def is_remainder(register: pd.DataFrame) -> pd.Series:
    """Bool per row: the ``REMAINDER_NAME`` row that ``prepare_register`` adds (recognised by its name)."""
    return register["name"].astype(str).str.strip() == REMAINDER_NAME


def listed_preferred(register: pd.DataFrame) -> int:
    """Preferred listed by the holder rows (a remainder row left out)."""
    return int(register.loc[~is_remainder(register), "preferred_shares"].sum())


def is_partial(register: pd.DataFrame, n_issued: int) -> bool:
    """True if the holder rows list fewer preferred than the ``n_issued`` shares issued (but some)."""
    return 0 < listed_preferred(register) < n_issued


def prepare_register(register: pd.DataFrame, n_issued: int, partial: str = DEFAULT_PARTIAL) -> pd.DataFrame:
    """The register the holder book is built from (``calc.model.allocation.build_book``), given how a register
    listing fewer than the ``n_issued`` shares issued is read (``PARTIAL_HANDLING``):

    ``as_given``: the holder rows as typed, plus one ``REMAINDER_NAME`` row of n_issued − listed preferred
    (no footnotes, no common owned prior, ``REMAINDER_ISSUE``); the rows then sum to n_issued, so the
    pro_rata basis keeps every typed count (factor exactly 1). ``scale``: the holder rows only (the
    pro_rata basis scales them up to n_issued).

    A remainder row already present (a prepared register, uploaded or edited again) is dropped first, so
    the result depends only on the holder rows and the choice, and switching choices round-trips. A
    register listing at least n_issued (or nothing) is returned as it is, whatever the choice.
    """
    if partial not in PARTIAL_HANDLING:
        raise InputError(
            f"partial handling: '{echo(partial)}' is not one of {', '.join(PARTIAL_HANDLING)}",
            (Problem(f"must be one of {', '.join(PARTIAL_HANDLING)}", column="partial", value=echo(partial)),),
        )
    pooled = is_remainder(register)
    holders = register[~pooled].reset_index(drop=True) if pooled.any() else register
    listed = listed_preferred(holders)
    if not pooled.any() and not 0 < listed < n_issued:
        return register
    if partial == "scale" or not 0 < listed < n_issued:
        return holders
    row = {c: 0 if c in WHOLE_COLUMNS else "" for c in holders.columns} | {
        "name": REMAINDER_NAME,
        "preferred_shares": n_issued - listed,
        "issues": REMAINDER_ISSUE,
    }
    extra = pd.DataFrame([row], columns=list(dict.fromkeys([*holders.columns, *row])))
    out = pd.concat([holders, extra.astype({c: holders[c].dtype for c in holders.columns if c in WHOLE_COLUMNS})])
    return out.reset_index(drop=True)


def scale_factor(listed: int, n_issued: int) -> float:
    """n_issued / listed: what the pro_rata basis multiplies each listed holding by."""
    return n_issued / listed


def scaling_note(listed: int, n_issued: int) -> str:
    """The pro-rata scaling in words: ``650,000 listed, scaled ×2.90 to 1,885,000``."""
    return f"{listed:,} listed, scaled ×{scale_factor(listed, n_issued):.2f} to {n_issued:,}"


def remainder_note(listed: int, n_issued: int) -> str:
    """The ``as_given`` reading in words: ``650,000 listed as typed; 1,235,000 in an 'Unlisted holders
    (remainder)' row``."""
    return f"{listed:,} listed as typed; {n_issued - listed:,} in an '{REMAINDER_NAME}' row"


def partial_note(register: pd.DataFrame, n_issued: int, partial: str = DEFAULT_PARTIAL) -> str:
    """How ``prepare_register`` reads this register with this choice, in words ('' if it lists at least
    n_issued, or nothing: then the choice changes nothing)."""
    listed = listed_preferred(register)
    if not 0 < listed < n_issued:
        return ""
    return scaling_note(listed, n_issued) if partial == "scale" else remainder_note(listed, n_issued)
