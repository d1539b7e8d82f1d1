"""The fund-family groupings (``data/fund_families.toml``) read into ``calc.model.allocation.Family`` rows."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from calc.errors import InputError
from calc.inputs.csv_records import read_toml
from calc.inputs.paths import FAMILIES_PATH
from calc.model.allocation import Family


def read_families(path: Path) -> tuple[Family, ...]:
    """Fund-family groupings from a TOML file (``data/fund_families.toml``: ``load_families``)."""
    raw = read_toml(path, f"fund families file {path}")
    families = []
    entries = raw.get("family", [])
    if not isinstance(entries, list):
        raise InputError(f"fund families file {path}: 'family' must be an array of tables [[family]]")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "name" not in entry or "source" not in entry:
            raise InputError(f"fund families file {path}: [[family]] {i + 1} needs 'name' and 'source'")
        families.append(
            Family(
                str(entry["name"]),
                tuple(map(str, entry.get("footnotes", []))),
                tuple(map(str, entry.get("names", []))),
                str(entry["source"]),
            )
        )
    return tuple(families)


@cache
def load_families() -> tuple[Family, ...]:
    """The shipped fund-family groupings (``data/fund_families.toml``), read once per
    process; also ``calc.inputs.data``."""
    return read_families(FAMILIES_PATH)
