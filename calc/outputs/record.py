"""What produced an output: the product version, the time, the command's inputs and its input files.

``inputs_record`` is written beside every CSV the command line writes (``NAME.inputs.json``,
``calc.outputs.files.sidecar_path``), on the workbook's Inputs sheet and in the report, so a file
handed on says which scenario produced it. Input files are named with their size and SHA-256.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from calc.errors import InputError
from calc.inputs.csv_records import MAX_GRID_BYTES
from calc.inputs.paths import HISTORY_PATH, REPLAY_PATH
from calc.model.params import ScenarioParams
from calc.outputs.files import MONEY_DECIMALS, PCT_DECIMALS, PER_SHARE_DECIMALS, RATE_DECIMALS
from calc.scenario_doc import ScenarioDoc

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
PRODUCT = "lucent-preferred-dilution"
ROUNDING = (
    f"money (_usd) rounded to {MONEY_DECIMALS} decimals (cents), per-share prices and EPS to "
    f"{PER_SHARE_DECIMALS}, percentages (_pct) to {PCT_DECIMALS}, rates (_rate) to {RATE_DECIMALS}; "
    "share counts exact integers"
)
NOT_INPUTS = ("handler", "command")


@lru_cache(maxsize=1)
def product_version() -> str:
    """``[project].version`` of pyproject.toml (the single place the version is kept)."""
    with PYPROJECT.open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def file_fingerprint(path: Path | str, source: str) -> dict[str, object]:
    """Path, size in bytes and SHA-256 of an input file; OS errors become ``InputError`` naming ``source``.
    No input may exceed ``MAX_GRID_BYTES`` (the largest reader's cap), so a file that grew past it after
    it was read (or ``/dev/zero``) is refused rather than hashed forever."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
                if size > MAX_GRID_BYTES:
                    raise InputError(f"{source}: larger than the {MAX_GRID_BYTES:,}-byte limit of any input file")
    except OSError as exc:
        raise InputError(f"{source}: cannot read ({exc.strerror or exc})") from exc
    return {"path": str(path), "bytes": size, "sha256": digest.hexdigest()}


def history_file(history: bool) -> dict[str, Path | None]:
    """``{"--history": data/history.csv, "--history replay": data/replay.csv}`` when a run replays the 2002-2004
    history (``calc.inputs.history_replay``; ``None`` otherwise): the input files of that run, fingerprinted like the
    others."""
    return {"--history": HISTORY_PATH if history else None, "--history replay": REPLAY_PATH if history else None}


def now_utc() -> str:
    """The current time, UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def inputs_record(
    command: str,
    args: argparse.Namespace | Mapping[str, object],
    params: ScenarioParams | None = None,
    input_files: Mapping[str, Path | str | None] | None = None,
    generated_at: str | None = None,
    doc: ScenarioDoc | None = None,
) -> dict[str, object]:
    """JSON-ready record: product and version, time, command, every flag's value (defaults
    included), the scenario's resolved parameters, the input files, the rounding rule and, with ``doc``, the
    whole scenario document (``scenario_document``: ``--scenario`` takes the record file as it is)."""
    flags = vars(args) if isinstance(args, argparse.Namespace) else dict(args)
    record: dict[str, object] = {
        "product": PRODUCT,
        "version": product_version(),
        "generated_at": generated_at or now_utc(),
        "command": command,
        "flags": {k: v for k, v in flags.items() if k not in NOT_INPUTS},
    }
    if params is not None:
        record["scenario"] = params.as_dict()
    record["input_files"] = {
        flag: file_fingerprint(path, flag) for flag, path in (input_files or {}).items() if path is not None
    }
    record["rounding"] = ROUNDING
    if doc is not None:
        record["scenario_id"] = doc.id
        record["scenario_document"] = doc.to_dict()
    return record
