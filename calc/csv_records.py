"""CSV records with the line number a user sees in an editor (shared by every CSV reader
that reports problems by line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def numbered_records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) per record of a ``csv.reader``, skipping blank lines.

    Uses ``reader.line_num``, so a record whose quoted cell spans several lines is numbered
    by the line it starts on and the records after it keep their true line numbers.
    """
    line = reader.line_num + 1
    for cells in reader:
        if any(c.strip() for c in cells):
            yield line, cells
        line = reader.line_num + 1
