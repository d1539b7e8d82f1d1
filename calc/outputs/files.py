"""Safe file output: every output checked before any work, whole-or-nothing writes, and
spreadsheet-safe CSV cells.

Planning rule (``plan_outputs``), before a command does any work: an output may not be a
directory, a block device or socket, or the same file as an input or as another output
(compared by device and inode for existing files, by resolved path otherwise); its directory
must exist and be writable. ``-`` (or ``/dev/stdout``) is standard output, for one output only.
Stale temporary files of a target (``.NAME.*.part`` left by a killed run) are removed, with a note
on stderr.

Atomic rule: a regular file is written to a temporary file ``.NAME.PID.RANDOM.part`` beside it
and renamed onto it only when every output of the command is complete; on any exception
(Ctrl-C, SIGTERM and SIGHUP included, see ``signals_as_interrupts``) the temporary files are
removed, so a target is either the complete new file or untouched. A symlink is followed: its
target is replaced, the link stays. Character devices (``/dev/null``), FIFOs and standard
output are written directly, as the output is produced (not atomic).

Concurrency rule: the renames of one command's outputs happen together under an exclusive lock (``flock``)
on the directory of each renamed target, taken in one order, so two runs writing the same outputs at once
(threads or processes) leave the complete set of one of them, never the results of one beside the summary
or sidecar of the other. (A directory that cannot be opened or locked, as on some network file systems, is
renamed into unlocked.)

Shipped data rule: the files of ``data/`` (``calc.inputs.paths.DATA_DIR``) are inputs of every run: an output that
is the same file as one of them is refused like any other input.

Spreadsheet rule: a *text* cell that begins with ``=``, ``+``, ``-``, ``@``, tab or
carriage return is prefixed with a single quote so a spreadsheet shows it as text
instead of evaluating it; numeric columns are never altered.

Number rule (every CSV, machine-readable: plain digits, ``.`` for decimals, no separators, ISO dates), one per
column unit (``calc.model.columns.unit_of``; a column no registry names by its name's unit suffix): money
(``USD``) is rounded to cents, per-share prices and EPS (``PER_SHARE_COLUMNS``: price entered or computed to 4
decimals) to ``PER_SHARE_DECIMALS``, the conversion price to cents as the terms state it ($5.94; SUPP p. 1),
percentages (``pct``) to ``PCT_DECIMALS`` places and rates (``rate``) to ``RATE_DECIMALS`` (as the terms state
the conversion rate, 168.3502); each written with that fixed number of decimals, never ``1081.6000000000001`` or
``2.97e-05``. Integers as they are; floats of other columns (inputs such as ``annual_drift``) as the shortest text
that reads back the same number, a whole number without ``.0`` (``0``, ``1``, ``0.1234567``). Booleans are
``true``/``false`` (also in text columns holding them); a missing figure is an empty cell. (What a person reads
follows ``calc.outputs.formats`` instead.)

Sidecar rule: a command that writes a CSV can also write ``NAME.inputs.json`` beside it
(``sidecar_path``), planned and written with the CSV as one unit, holding every input that
produced the file (``calc.outputs.record``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import io
import json
import os
import signal
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, BinaryIO

from calc.errors import InputError
from calc.inputs.paths import DATA_DIR

if TYPE_CHECKING:  # numpy and pandas are imported where used: commands that need neither start faster
    import numpy as np
    import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXCEL_ENCODING = "utf-8-sig"  # UTF-8 with byte-order mark
STDOUT_NAMES = ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1")
INTERRUPT_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def neutralize_text(value: object) -> object:
    """Prefix ``'`` to a string starting with a formula trigger; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


MONEY_DECIMALS = 2  # cents
PCT_DECIMALS = 6  # a percentage point to 10^-6: one holder of one preferred share (~4e-6 %) still shows
RATE_DECIMALS = 4  # the conversion rate as the terms state it (168.3502 common per preferred)
PER_SHARE_DECIMALS = 4  # per-share prices entered or computed to 4 decimals ($1.8900)
PER_SHARE_COLUMNS = frozenset(
    {
        "price_usd",
        "average_price_usd",
        "exercise_price_usd",
        "basic_eps_usd",
        "diluted_eps_usd",
        "eps_after_usd",
        "incremental_eps_usd",
        "breakeven_price_usd",
    }
)
SIDECAR_SUFFIX = ".inputs.json"


UNIT_DECIMALS = {"USD": MONEY_DECIMALS, "pct": PCT_DECIMALS, "rate": RATE_DECIMALS}


def _unit(column: str) -> str:
    """A column's unit: the registry's (``calc.model.columns.unit_of``), else its name's unit suffix (a column
    of a user's table, a scenario input): ``_usd``, ``_pct`` or ``_rate`` ending the name or a word of it
    (``beneficial_pct_13d3``)."""
    from calc.model.columns import REGISTERED, unit_of

    if column in REGISTERED:
        return unit_of(column)
    name = f"{column}_"
    return next((unit for unit in UNIT_DECIMALS if f"_{unit.lower()}_" in name), "")


def csv_decimals(column: str) -> int | None:
    """Decimal places of a float column in every CSV, by its unit (module docstring); ``None``: written as the
    shortest text of the number (``plain_number``)."""
    if column in PER_SHARE_COLUMNS:
        return PER_SHARE_DECIMALS
    return UNIT_DECIMALS.get(_unit(column))


def plain_number(value: float, decimals: int | None = None) -> str:
    """A float as the shortest text that reads back the same number (after rounding to ``decimals`` places when
    given), in plain digits, a whole number without ``.0``: ``0``, ``1``, ``20``, ``1.89``, ``0.00001``."""
    from decimal import Decimal

    number = round(float(value), decimals) + 0.0 if decimals is not None else float(value) + 0.0
    text = format(Decimal(repr(number)), "f")  # 1e-05 as 0.00001: plain digits, never an exponent
    return text[:-2] if text.endswith(".0") else text


def rounded(values: np.ndarray, decimals: int) -> np.ndarray:
    """``values`` rounded half-to-even to ``decimals`` places, ``-0.0`` written as ``0.0``."""
    import numpy as np

    return np.round(np.asarray(values, dtype=float), decimals) + 0.0


def fixed_text(values: np.ndarray, decimals: int) -> list[str]:
    """Floats ``rounded`` and written with ``decimals`` fixed decimals (``1081.60``, ``0.000030``)."""
    return [f"{v:.{decimals}f}" for v in rounded(values, decimals)]


def _fixed(values: pd.Series, decimals: int) -> pd.Series:
    """A float column as fixed-decimal text; missing values stay empty."""
    import numpy as np
    import pandas as pd

    text = fixed_text(values.to_numpy(dtype=float, na_value=np.nan), decimals)
    return pd.Series(text, index=values.index, dtype=object).where(values.notna(), None)


def _text_cell(value: object) -> object:
    """A cell of a text column: a boolean as ``true``/``false``, a string neutralized."""
    import numpy as np

    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return neutralize_text(value)


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``frame`` with text (object/string) columns neutralized; money, percentage and rate
    columns rounded and written with fixed decimals (``csv_decimals``); other numbers untouched;
    booleans written ``true``/``false`` (as the batch export writes them)."""
    import pandas as pd

    out = frame.copy()
    for column in out.columns:
        decimals = csv_decimals(column)
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "true", False: "false"})
        elif out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(_text_cell)
        elif decimals is not None and pd.api.types.is_float_dtype(out[column]):
            out[column] = _fixed(out[column], decimals)
        elif pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(plain_number).where(out[column].notna(), None)
    return out


def sidecar_path(given: str) -> str:
    """``out/timeline.csv`` -> ``out/timeline.inputs.json`` (no suffix: ``NAME.inputs.json``)."""
    path = Path(given)
    return str(path.with_name(path.stem + SIDECAR_SUFFIX)) if path.suffix else given + SIDECAR_SUFFIX


def to_csv_bytes(frame: pd.DataFrame, excel: bool = True) -> bytes:
    """CSV bytes for a download: spreadsheet-safe cells (numbers to their unit's precision), UTF-8 with BOM
    when ``excel``."""
    text = spreadsheet_safe(frame).to_csv(index=False, lineterminator="\n")
    return text.encode(EXCEL_ENCODING if excel else "utf-8")


# --------------------------------------------------------------------------- signals


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C's ``KeyboardInterrupt`` so temporary files are removed.

    ``exit_code`` is the shell convention 128 + signal number (143 for SIGTERM, 129 for SIGHUP).
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.exit_code = 128 + signum


class _Deferral:
    """While ``depth`` > 0 a signal is held in ``pending`` instead of raised (``interrupts_deferred``)."""

    depth = 0
    pending: int | None = None


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    for sig in INTERRUPT_SIGNALS:  # a repeated signal must not cut the clean-up short
        signal.signal(sig, signal.SIG_IGN)
    if _Deferral.depth:
        _Deferral.pending = signum
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Holds SIGTERM/SIGHUP's ``Interrupted`` until the block ends, then raises it.

    For code that must not be cut at an arbitrary bytecode: a lock or condition of ``queue.Queue`` or
    ``threading`` left half-taken by an exception raised from a signal handler can block the clean-up forever
    (the export's write-behind queue: ``calc.outputs.export``). Ctrl-C (``KeyboardInterrupt``) is not held."""
    _Deferral.depth += 1
    try:
        yield
    finally:
        _Deferral.depth -= 1
        if not _Deferral.depth and _Deferral.pending is not None:
            signum, _Deferral.pending = _Deferral.pending, None
            raise Interrupted(signum)


@contextlib.contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """While active, SIGTERM and SIGHUP raise ``Interrupted`` (main thread only; elsewhere a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in INTERRUPT_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


# --------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Target:
    """One output: ``path`` is the file written (symlinks resolved; ``None`` for standard output);
    ``streamed`` outputs (devices, FIFOs, standard output) are written directly, not atomically."""

    flag: str
    given: str
    path: Path | None
    streamed: bool

    def __str__(self) -> str:
        return f"{self.flag} {self.given}"


def _stat(path: str) -> os.stat_result | None:
    """``os.stat`` following symlinks; ``None`` if nothing is there (or a dangling link)."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise InputError(f"{path}: cannot be checked ({exc.strerror})") from exc


def _no_nul(flag: str, given: str) -> None:
    if "\0" in given:
        raise InputError(f"{flag} {given!r}: a file name cannot contain a NUL byte")


def _writable_directory(flag: str, given: str, directory: Path) -> None:
    if not directory.is_dir():
        raise InputError(f"{flag} {given}: directory {directory} does not exist")
    if not os.access(directory, os.W_OK):
        read_only = os.statvfs(directory).f_flag & os.ST_RDONLY
        why = "is on a read-only file system" if read_only else "is not writable (no permission)"
        raise InputError(f"{flag} {given}: directory {directory} {why}")


def _target(flag: str, given: str) -> Target:
    if not given.strip():
        raise InputError(f"{flag}: empty path: give a file name")
    if given in STDOUT_NAMES:
        return Target(flag, given, None, True)
    _no_nul(flag, given)
    found = _stat(given)
    if given.endswith(os.sep) or (found is not None and stat.S_ISDIR(found.st_mode)):
        raise InputError(f"{flag} {given}: is a directory; give a file name")
    if found is not None and (stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode)):
        return Target(flag, given, Path(given), True)
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise InputError(f"{flag} {given}: not a regular file, character device or FIFO")
    real = Path(os.path.realpath(given))
    _writable_directory(flag, given, real.parent)
    return Target(flag, given, real, False)


def _identity(path: str) -> tuple[object, ...] | None:
    """Device and inode of an existing file, else its resolved path; ``None`` for a character
    device (a terminal or ``/dev/null`` can serve several streams without loss)."""
    found = _stat(path)
    if found is None:
        return ("path", os.path.realpath(path))
    if stat.S_ISCHR(found.st_mode):
        return None
    return ("inode", found.st_dev, found.st_ino)


def _stdout_identity() -> tuple[object, ...] | None:
    try:
        found = os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return ("stdout",)
    return None if stat.S_ISCHR(found.st_mode) else ("inode", found.st_dev, found.st_ino)


def _shipped_data_files() -> list[Path]:
    """The files of ``data/`` (``calc.inputs.paths.DATA_DIR``): inputs of every run, so never an output."""
    try:
        return sorted(path for path in DATA_DIR.iterdir() if path.is_file())
    except OSError:
        return []


def _check_distinct(inputs: Mapping[str, str], targets: Mapping[str, Target]) -> None:
    """Refuse an output that is the same file as an input, a shipped data file or an earlier output."""
    seen: dict[tuple[object, ...], str] = {}
    for flag, given in inputs.items():
        _no_nul(flag, given)
        key = _identity(given)
        if key is not None:
            seen.setdefault(key, f"the input {flag} {given}")
    for path in _shipped_data_files():
        key = _identity(str(path))
        if key is not None:
            seen.setdefault(key, f"the shipped data file data/{path.name} (an input of every run)")
    stdout_flags = [t.flag for t in targets.values() if t.path is None]
    if len(stdout_flags) > 1:
        raise InputError(f"{' and '.join(stdout_flags)} both write to standard output; only one output can")
    for target in targets.values():
        key = _stdout_identity() if target.path is None else _identity(target.given)
        if key is None:
            continue
        if key in seen:
            raise InputError(f"{target} is the same file as {seen[key]}; choose a different output file")
        seen[key] = str(target)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def _remove_stale_parts(target: Target) -> None:
    """Remove ``.NAME.*.part`` files beside ``target`` whose writing process is gone, saying so."""
    assert target.path is not None
    prefix = f".{target.path.name}."
    for part in sorted(target.path.parent.glob(glob.escape(prefix) + "*.part")):
        pid = part.name[len(prefix) :].split(".")[0]
        if pid.isdigit() and _pid_alive(int(pid)):
            continue
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
            print(f"note: removed {part}, a partial file left by an interrupted run", file=sys.stderr)


def sidecar_flag(flag: str) -> str:
    """The plan's name for the inputs sidecar of output ``flag`` (shown in messages)."""
    return f"{flag} (inputs sidecar)"


def plan_outputs(
    inputs: Mapping[str, Path | str | None], outputs: Mapping[str, Path | str | None], sidecars: Iterable[str] = ()
) -> OutputPlan:
    """Check every output (flag -> path; ``None`` = not requested) against the rules in the module
    docstring and against the inputs (flag -> path); raise ``InputError`` naming both flags.
    ``sidecars``: output flags whose file (when a regular file) gets ``NAME.inputs.json`` beside it."""
    given_inputs = {flag: str(path) for flag, path in inputs.items() if path is not None}
    targets = {flag: _target(flag, str(path)) for flag, path in outputs.items() if path is not None}
    for flag in sidecars:
        if flag in targets and not targets[flag].streamed:
            targets[sidecar_flag(flag)] = _target(sidecar_flag(flag), sidecar_path(targets[flag].given))
    _check_distinct(given_inputs, targets)
    for target in targets.values():
        if not target.streamed:
            _remove_stale_parts(target)
    uses_stdout = any(t.path is None for t in targets.values())
    return OutputPlan(targets, sys.stdout.buffer if uses_stdout else None)


# --------------------------------------------------------------------------- writing


def _size(count: int) -> str:
    """Byte count for a message: ``950 bytes``, ``12.3 KB`` ... ``4.2 TB`` (powers of 1000)."""
    if count < 1000:
        return f"{count:,} bytes"
    value, unit = count / 1000, "KB"
    for larger in ("MB", "GB", "TB"):
        if value < 1000:
            break
        value, unit = value / 1000, larger
    return f"{value:,.1f} {unit}"


def _write_error(target: Target, exc: OSError, written: int) -> InputError:
    """One line naming the output, the cause and what is left behind. ``written``: the bytes of the output
    handed to the file so far, the failing write included (the output needs at least that many)."""
    left = "output is incomplete" if target.streamed else "no output written"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT) and not target.streamed and target.path is not None:
        free = os.statvfs(target.path.parent)
        needed = f"at least {_size(written)}" if written else "more room"
        reason = f"disk full; it needs {needed}, {_size(free.f_bavail * free.f_frsize)} free"
    elif exc.errno == errno.EROFS:
        reason = "read-only file system"
    else:
        reason = exc.strerror or str(exc)
    return InputError(f"{target}: cannot write ({reason}); {left}")


@contextlib.contextmanager
def _reported(target: Target, written: int = 0) -> Iterator[None]:
    """Turn an ``OSError`` on ``target`` into ``InputError`` (a closed pipe stays ``BrokenPipeError``)."""
    try:
        yield
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise _write_error(target, exc, written) from exc


class Sink(io.BufferedIOBase):
    """Binary output of one target: counts bytes and turns write errors into ``InputError``."""

    def __init__(self, target: Target, handle: BinaryIO) -> None:
        super().__init__()
        self.target = target
        self.handle = handle
        self.written = 0

    @property
    def name(self) -> str:
        return self.target.given

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.written

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        size = memoryview(data).nbytes
        with _reported(self.target, self.written + size):  # a failing write still says what the output needs
            self.handle.write(data)
        self.written += size
        return size

    def finish(self) -> None:
        """Flush to the target (close it unless it is standard output)."""
        with _reported(self.target, self.written):
            self.handle.flush()
            if self.target.path is not None:
                self.handle.close()


@contextlib.contextmanager
def _locked_directories(targets: Iterable[Target]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the directory of each target (the concurrency rule of the module
    docstring), taken in sorted order so that two runs never wait for each other in a cycle."""
    directories = sorted({str(t.path.parent) for t in targets if t.path is not None})
    with contextlib.ExitStack() as stack:
        for directory in directories:
            try:
                fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                continue
            stack.callback(os.close, fd)  # closing the descriptor releases its lock
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield


@dataclass(frozen=True)
class OutputPlan:
    """Checked outputs (flag -> ``Target``), ready to be written together."""

    targets: dict[str, Target]
    stdout: BinaryIO | None  # standard output as planned (before the report is moved to stderr)

    def check_inputs(self, inputs: Mapping[str, Path | str]) -> None:
        """Refuse, as ``plan_outputs`` does, an output that is the same file as one of these inputs (files known
        only once another input has been read, such as the events files a grid names)."""
        _check_distinct({flag: str(path) for flag, path in inputs.items()}, self.targets)

    def reporting(self) -> contextlib.AbstractContextManager[object]:
        """Context for a command's printed report: moved to stderr when an output is standard output."""
        return contextlib.redirect_stdout(sys.stderr) if self.stdout else contextlib.nullcontext()

    @contextlib.contextmanager
    def open(self) -> Iterator[dict[str, Sink]]:
        """Yield a ``Sink`` per flag; on a clean exit finish every output, then rename every
        temporary file onto its target; on any exception remove every temporary file."""
        temps: dict[str, Path] = {}
        sinks: dict[str, Sink] = {}
        try:
            for flag, target in self.targets.items():
                sinks[flag] = Sink(target, self._handle(target, temps))
            yield sinks
            for sink in sinks.values():
                sink.finish()
            with _locked_directories(self.targets[flag] for flag in temps):
                for flag, tmp in list(temps.items()):
                    with _reported(self.targets[flag]):
                        os.replace(tmp, self.targets[flag].path)  # type: ignore[arg-type]
                    del temps[flag]
        finally:
            for sink in sinks.values():
                if sink.target.path is not None:
                    with contextlib.suppress(OSError):
                        sink.handle.close()
            for tmp in temps.values():
                tmp.unlink(missing_ok=True)

    def _handle(self, target: Target, temps: dict[str, Path]) -> BinaryIO:
        if target.path is None:
            assert self.stdout is not None
            return self.stdout
        with _reported(target):
            if target.streamed:
                return open(target.path, "wb")
            fd, name = tempfile.mkstemp(
                prefix=f".{target.path.name}.{os.getpid()}.", suffix=".part", dir=target.path.parent
            )
            temps[target.flag] = Path(name)
            os.fchmod(fd, 0o666 & ~_umask())  # mkstemp creates 0600; give the file the usual permissions
            return os.fdopen(fd, "wb")

    def write(self, writers: Mapping[str, Callable[[Sink], None]]) -> None:
        """Write every output with its writer (flag -> function of the sink), as one unit."""
        with self.open() as sinks:
            for flag, writer in writers.items():
                writer(sinks[flag])

    def write_frames(
        self, frames: Mapping[str, pd.DataFrame], excel: bool = False, record: Mapping[str, object] | None = None
    ) -> None:
        """Write data frames as spreadsheet-safe CSV (BOM when ``excel``), and ``record`` (the inputs,
        ``calc.outputs.record.inputs_record``) into each planned sidecar, as one unit."""
        self.write(self.frame_writers(frames, excel, record))

    def frame_writers(
        self, frames: Mapping[str, pd.DataFrame], excel: bool = False, record: Mapping[str, object] | None = None
    ) -> dict[str, Callable[[Sink], None]]:
        """Writers of ``frames`` as CSV and of their planned sidecars (for ``write`` with other writers)."""
        writers = {flag: _frame_writer(frame, excel) for flag, frame in frames.items()}
        return writers | self.sidecar_writers(frames, record)

    def sidecar_writers(
        self, flags: Iterable[str], record: Mapping[str, object] | None
    ) -> dict[str, Callable[[Sink], None]]:
        """Writers of the planned sidecars of ``flags``: ``record`` as JSON naming its file."""
        writers: dict[str, Callable[[Sink], None]] = {}
        for flag in flags:
            target = self.targets.get(sidecar_flag(flag))
            if target is not None and record is not None:
                payload = dict(record, file=Path(self.targets[flag].given).name)
                writers[target.flag] = _json_writer(payload)
        return writers

    def requested(self, flags: Iterable[str]) -> list[str]:
        """The flags of ``flags`` that were given an output (sidecars excluded)."""
        return [flag for flag in flags if flag in self.targets]

    def wrote(self) -> list[str]:
        """``wrote PATH`` lines for the report."""
        return [f"wrote {'standard output' if t.path is None else t.given}" for t in self.targets.values()]


def _frame_writer(frame: pd.DataFrame, excel: bool) -> Callable[[Sink], None]:
    def write(sink: Sink) -> None:
        sink.write(to_csv_bytes(frame, excel))

    return write


def _json_default(value: object) -> object:
    """Dates as ISO text; numpy scalars as Python numbers; paths, decimals and fractions as text (exact); a
    missing value (``pd.NA``, ``NaT``, a NaN scalar) as ``null``, never the text "None", "NaT" or "<NA>"."""
    import pandas as pd

    if value is pd.NaT or value is pd.NA:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        item = value.item()
        return None if isinstance(item, float) and item != item else item
    return str(value)


def sidecar_json(payload: Mapping[str, object]) -> str:
    """An inputs record (``calc.outputs.record.inputs_record``) as the JSON text of a sidecar (CLI and dashboard)."""
    return json.dumps(payload, indent=2, allow_nan=False, ensure_ascii=False, default=_json_default) + "\n"


def _json_writer(payload: Mapping[str, object]) -> Callable[[Sink], None]:
    def write(sink: Sink) -> None:
        sink.write(sidecar_json(payload).encode("utf-8"))

    return write


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
