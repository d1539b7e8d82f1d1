"""Bounded, checked reading of the product's input files (filing text, holder, grid and grants
CSVs, the TOML data files), with the line number a user sees in an editor.

Every reader goes through ``checked_lines``, which enforces (issue 9 items 11, 15):
  - size: at most ``max_bytes`` bytes are read (the limit + 1th byte stops the read), so
    ``/dev/zero`` or a runaway file is refused after reading ``max_bytes``, not at MemoryError;
  - line length: a line longer than ``max_line_chars`` characters is refused when read;
  - encoding: UTF-8 (a byte-order mark is accepted), or UTF-16/UTF-32 when the file starts with
    their byte-order mark. Anything else (Latin-1, Windows-1252, UTF-16 without a mark) is
    refused, naming the line, character and byte, with how to convert; no replacement
    characters are ever produced;
  - NUL characters are refused (line and character named).
TOML files (``read_toml``: terms, instruments, option forms, fund families) are read the same way, at
most ``MAX_TOML_BYTES``, and a file nested too deeply to parse is an ``InputError``, like a syntax error.
CSV readers add (``csv_records``): at most ``MAX_CSV_ROWS`` records and ``MAX_CELL_CHARS``
characters per cell. Every failure is an ``InputError`` naming the source and the line.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from calc.errors import InputError, Problem, echo

MAX_TEXT_BYTES = 50_000_000  # holder (register) and grants files
MAX_TOML_BYTES = 2_000_000  # a TOML data file (the shipped ones are at most 41 kB)
MAX_GRID_BYTES = 256_000_000  # scenario grid files (up to MAX_CSV_ROWS scenarios)
MAX_CSV_ROWS = 1_000_000  # records after the header, blank lines not counted
MAX_CELL_CHARS = 1_000  # characters in one CSV cell
MAX_CSV_LINE_CHARS = 100_000  # characters in one line of a CSV file

BOMS = (  # longest first: the UTF-32-LE mark starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
BAD_CHAR_RE = re.compile("[\x00\ud800-\udfff]")  # NUL, or a byte the decoder could not read (escaped)
CONVERT_HINT = (
    "files must be UTF-8 (or UTF-16/UTF-32 with a byte-order mark); this one may be Latin-1 or "
    "Windows-1252: save it as UTF-8, e.g. `iconv -f WINDOWS-1252 -t UTF-8 old > new`"
)


class _Capped(io.RawIOBase):
    """A binary stream that refuses to deliver more than ``max_bytes`` bytes."""

    def __init__(self, inner: IO[bytes], max_bytes: int, source: str) -> None:
        super().__init__()
        self.inner, self.max_bytes, self.source, self.count = inner, max_bytes, source, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self.inner.read(min(len(view), self.max_bytes + 1 - self.count))
        self.count += len(data)
        if self.count > self.max_bytes:
            raise InputError(f"{self.source}: larger than the {self.max_bytes:,}-byte limit; nothing was read")
        view[: len(data)] = data
        return len(data)


def _bad_char(line: str, number: int, source: str) -> InputError:
    match = BAD_CHAR_RE.search(line)
    assert match is not None
    where = f"{source}: line {number}, character {match.start() + 1}"
    if match.group() == "\x00":
        return InputError(
            f"{where}: NUL character; text must not contain NUL (a binary file, or UTF-16 "
            "without its byte-order mark: save it as UTF-8)"
        )
    byte = ord(match.group()) - 0xDC00
    return InputError(f"{where}: byte 0x{byte:02X} cannot be decoded; {CONVERT_HINT}")


def _text_stream(binary: IO[bytes], source: str, max_bytes: int) -> IO[str]:
    """Decoded text of ``binary`` (encoding from its byte-order mark, else UTF-8), capped in bytes;
    undecodable bytes are kept as escapes for ``checked_lines`` to report."""
    buffered = io.BufferedReader(_Capped(binary, max_bytes, source))
    head = buffered.peek(4)[:4]
    encoding, bom = next(((enc, mark) for mark, enc in BOMS if head.startswith(mark)), ("utf-8", b""))
    buffered.read(len(bom))
    return io.TextIOWrapper(buffered, encoding=encoding, errors="surrogateescape", newline="")


def _read_line(handle: IO[str], size: int, source: str, number: int) -> str:
    """One line; a byte sequence the escape handler cannot keep (UTF-32 beyond U+10FFFF) is an error."""
    try:
        return handle.readline(size)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{source}: near line {number}: cannot be decoded as {exc.encoding.upper()} ({exc.reason}); {CONVERT_HINT}"
        ) from exc


def checked_lines(handle: IO[str], source: str, max_line_chars: int) -> Iterator[str]:
    """Lines of ``handle`` (line endings kept), each checked for length, NUL and undecodable bytes."""
    number = 0
    while line := _read_line(handle, max_line_chars + 2, source, number + 1):
        number += 1
        if len(line.rstrip("\r\n")) > max_line_chars:
            raise InputError(f"{source}: line {number} is longer than {max_line_chars:,} characters")
        if BAD_CHAR_RE.search(line):
            raise _bad_char(line, number, source)
        yield line


@contextlib.contextmanager
def opened_lines(path: Path | str, source: str, max_bytes: int, max_line_chars: int) -> Iterator[Iterator[str]]:
    """Checked lines of the file at ``path`` (see the module docstring); OS errors become ``InputError``."""
    try:
        with open(path, "rb") as binary:
            yield checked_lines(_text_stream(binary, source, max_bytes), source, max_line_chars)
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from exc


def bytes_lines(data: bytes, source: str, max_bytes: int, max_line_chars: int) -> Iterator[str]:
    """Checked lines of in-memory file content (an upload)."""
    if len(data) > max_bytes:
        raise InputError(f"{source}: larger than the {max_bytes:,}-byte limit; nothing was read")
    return checked_lines(_text_stream(io.BytesIO(data), source, max_bytes), source, max_line_chars)


def text_lines(text: str, source: str, max_line_chars: int) -> Iterator[str]:
    """Checked lines of already decoded text (a leading byte-order mark is dropped)."""
    if len(text) > MAX_TEXT_BYTES:
        raise InputError(f"{source}: larger than the {MAX_TEXT_BYTES:,}-character limit")
    return checked_lines(io.StringIO(text.removeprefix("\ufeff"), newline=""), source, max_line_chars)


def read_text(path: Path | str, source: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The whole checked text of a file (at most ``max_bytes`` bytes)."""
    with opened_lines(path, source, max_bytes, max_bytes) as lines:
        return "".join(lines)


def read_toml(path: Path | str, source: str, max_bytes: int = MAX_TOML_BYTES) -> dict[str, Any]:
    """The tables of a TOML file, read by ``read_text`` (size, encoding, NUL) and parsed; a syntax error
    or nesting too deep for the parser is an ``InputError`` naming ``source``."""
    text = read_text(path, source, max_bytes)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML ({echo(exc, 200)})") from None
    except RecursionError:
        raise InputError(f"{source}: not readable TOML (arrays or tables nested too deeply)") from None


def csv_records(lines: Iterable[str], source: str) -> Iterator[tuple[int, list[str]]]:
    """(first line number, cells) per record of CSV ``lines`` (the header first), skipping blank
    lines; each cell at most ``MAX_CELL_CHARS`` characters, at most ``MAX_CSV_ROWS`` records after
    the header; a malformed record (``csv.Error``) is an ``InputError`` naming the line it starts on.

    A record whose quoted cell spans several lines is numbered by the line it starts on
    (``reader.line_num``), and the records after it keep their true line numbers.
    """
    reader = csv.reader(lines)
    count, start = 0, 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise InputError(
                f"{source}: line {start}: not a readable CSV record ({exc}; "
                f"a cell may have at most {MAX_CELL_CHARS:,} characters)"
            ) from exc
        if cells is None:
            return
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        for column, cell in enumerate(cells, 1):
            if len(cell) > MAX_CELL_CHARS:
                raise InputError(
                    f"{source}: line {line}, cell {column}: {len(cell):,} characters, more than "
                    f"the {MAX_CELL_CHARS:,} allowed"
                )
        if count > MAX_CSV_ROWS:
            raise InputError(f"{source}: more than {MAX_CSV_ROWS:,} rows (line {line})")
        count += 1
        yield line, cells


def split_ragged(
    header: list[str], records: Iterable[tuple[int, list[str]]]
) -> tuple[list[list[str]], list[int], list[Problem]]:
    """Records with as many cells as the header (cells, line numbers) and one
    'line N: K cells, the header has H' problem per other record (issue 9 item 10)."""
    kept: list[list[str]] = []
    lines: list[int] = []
    ragged: list[Problem] = []
    for line, cells in records:
        if len(cells) == len(header):
            kept.append(cells)
            lines.append(line)
        else:
            ragged.append(Problem(f"{len(cells)} cells, the header has {len(header)}", line=line))
    return kept, lines, ragged


def by_line(problems: Iterable[Problem]) -> list[Problem]:
    """Problems ordered by line (none = 0); stable, so a row's problems keep their order."""
    return sorted(problems, key=lambda p: p.line or 0)
