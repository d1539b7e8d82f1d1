"""Safe file output: whole-or-nothing writes and spreadsheet-safe CSV cells.

Atomic rule: write to a temporary file beside the target, then ``os.replace`` it
onto the target; on any exception (Ctrl-C included) the temporary file is removed,
so a target is either the complete new file or untouched.

Spreadsheet rule: a *text* cell that begins with ``=``, ``+``, ``-``, ``@``, tab or
carriage return is prefixed with a single quote so a spreadsheet shows it as text
instead of evaluating it; numeric columns are never altered.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from calc.errors import InputError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXCEL_ENCODING = "utf-8-sig"  # UTF-8 with byte-order mark


def neutralize_text(value: object) -> object:
    """Prefix ``'`` to a string starting with a formula trigger; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with text (object/string) columns neutralized; numbers untouched;
    booleans written ``true``/``false`` (as the batch export writes them)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "true", False: "false"})
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralize_text)
    return out


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; move it onto ``target`` on success only."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"output {target}: directory {directory} does not exist")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o666 & ~_umask())  # mkstemp creates 0600; give the file the usual permissions
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def to_csv_bytes(frame: pd.DataFrame, excel: bool = True) -> bytes:
    """CSV bytes for a download: spreadsheet-safe cells, UTF-8 with BOM when ``excel``."""
    text = spreadsheet_safe(frame).to_csv(index=False, lineterminator="\n")
    return text.encode(EXCEL_ENCODING if excel else "utf-8")


def write_csv(frame: pd.DataFrame, target: Path | str, excel: bool = False) -> None:
    """Write ``frame`` as CSV atomically (spreadsheet-safe cells; BOM when ``excel``)."""
    write_csvs({target: frame}, excel)


def write_csvs(frames: dict[Path | str, pd.DataFrame], excel: bool = False) -> None:
    """Write several CSVs as one unit: every target is checked and written to its temporary
    file before any is renamed, so a bad second path leaves no first file behind."""
    with contextlib.ExitStack() as stack:
        temps = [(stack.enter_context(atomic_path(target)), frame) for target, frame in frames.items()]
        for tmp, frame in temps:
            tmp.write_bytes(to_csv_bytes(frame, excel))
