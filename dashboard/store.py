"""Saved scenarios in an embedded SQLite database.

Default path: ``scenarios.sqlite3`` in the repository root; set the environment
variable ``LUCENT_SCENARIO_DB`` to use another file. One row per scenario name:
the inputs as JSON of ``ScenarioParams.as_dict()`` (dates in ISO form) and the UTC
time saved. Every write runs in one transaction (``with connection:``), so a failed
write is rolled back and leaves every scenario saved before it intact; SQLite's
journal does the same if the process dies mid-write.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calc.errors import InputError
from calc.params import ScenarioParams, param_problems

ENV_VAR = "LUCENT_SCENARIO_DB"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "scenarios.sqlite3"
MAX_NAME = 100
SCHEMA = """CREATE TABLE IF NOT EXISTS scenarios (
    name TEXT PRIMARY KEY,
    params_json TEXT NOT NULL,
    saved_at TEXT NOT NULL
)"""
INSERT = "INSERT INTO scenarios (name, params_json, saved_at) VALUES (?, ?, ?)"
UPSERT = " ON CONFLICT(name) DO UPDATE SET params_json = excluded.params_json, saved_at = excluded.saved_at"


def default_path() -> Path:
    """``$LUCENT_SCENARIO_DB`` if set and not empty, else ``scenarios.sqlite3`` in the repo root."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else DEFAULT_PATH


def params_to_json(params: ScenarioParams) -> str:
    """JSON of ``params.as_dict()``; dates as YYYY-MM-DD, None as null."""

    def encode(value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value

    return json.dumps({k: encode(v) for k, v in params.as_dict().items()}, sort_keys=True)


def params_from_json(text: object) -> ScenarioParams:
    """Validated ``ScenarioParams`` from stored JSON (``InputError`` lists every problem).

    The rules are ``calc.params.param_problems``'s (the same as the sidebar's and the CLI's); anything else a
    tampered database can hold (not text, nesting too deep, a value the converters cannot take) is reported
    as unreadable rather than raised.
    """
    if not isinstance(text, str):
        raise InputError(f"saved scenario: stored inputs are {type(text).__name__}, not JSON text")
    try:
        values = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"saved scenario: stored inputs are not valid JSON ({type(exc).__name__})") from exc
    if not isinstance(values, dict):
        raise InputError("saved scenario: stored inputs are not a JSON object")
    try:
        params, problems = param_problems(values)
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        raise InputError(f"saved scenario: stored inputs cannot be read ({type(exc).__name__})") from exc
    if params is None:
        raise InputError(f"saved scenario: {len(problems)} problem(s)", tuple(problems))
    return params


@dataclass(frozen=True)
class SavedScenario:
    name: str
    params: ScenarioParams | None  # None when the stored inputs no longer validate
    saved_at: str
    problem: str = ""


class ScenarioStore:
    """Save / list / load / delete named scenarios in one SQLite file."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()

    def _connect(self) -> sqlite3.Connection:
        if not self.path.parent.is_dir():
            raise InputError(
                f"scenario database {self.path}: directory {self.path.parent} does not exist "
                f"(set {ENV_VAR} to a writable file path)"
            )
        try:
            connection = sqlite3.connect(self.path, timeout=5.0)
            with connection:
                connection.execute(SCHEMA)
        except sqlite3.Error as exc:
            raise InputError(f"scenario database {self.path}: {exc}") from exc
        return connection

    @staticmethod
    def check_name(name: str) -> str:
        clean = (name or "").strip()
        if not clean:
            raise InputError("scenario name: must not be empty")
        if len(clean) > MAX_NAME:
            raise InputError(f"scenario name: at most {MAX_NAME} characters (got {len(clean)})")
        return clean

    def save(self, name: str, params: ScenarioParams, overwrite: bool = False) -> str:
        """Store ``params`` under ``name``; returns the clean name.

        An existing scenario of that name is replaced only with ``overwrite=True``; otherwise
        ``InputError`` ("already exists") and nothing changes. The existence check is the primary key's
        uniqueness inside the one INSERT statement, so of two processes saving a new name at once exactly
        one succeeds and the other is told the name is taken.
        """
        clean = self.check_name(name)
        payload = params_to_json(params)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        connection = self._connect()
        try:
            with connection:
                connection.execute(INSERT + (UPSERT if overwrite else ""), (clean, payload, stamp))
        except sqlite3.IntegrityError as exc:  # the name is the primary key: one of two racing saves loses here
            raise InputError(f"scenario '{clean}' already exists") from exc
        except sqlite3.Error as exc:
            raise InputError(
                f"scenario database {self.path}: could not save '{clean}' ({exc}); nothing already saved was changed"
            ) from exc
        finally:
            connection.close()
        return clean

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple[str, str, str]]:
        if not self.path.exists():
            return []
        connection = self._connect()
        try:
            return connection.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise InputError(f"scenario database {self.path}: {exc}") from exc
        finally:
            connection.close()

    def entries(self) -> list[SavedScenario]:
        """Every saved scenario, by name; rows whose inputs no longer validate carry ``problem``."""
        out = []
        for name, payload, stamp in self._rows(
            "SELECT name, params_json, saved_at FROM scenarios ORDER BY name COLLATE NOCASE"
        ):
            name, stamp = str(name), str(stamp)  # a tampered row may hold numbers or blobs
            try:
                out.append(SavedScenario(name, params_from_json(payload), stamp))
            except InputError as exc:
                out.append(SavedScenario(name, None, stamp, str(exc)))
        return out

    def names(self) -> list[str]:
        """Saved scenario names, sorted case-insensitively."""
        return [str(row[0]) for row in self._rows("SELECT name, 1, 1 FROM scenarios ORDER BY name COLLATE NOCASE")]

    def load(self, name: str) -> ScenarioParams:
        rows = self._rows("SELECT name, params_json, saved_at FROM scenarios WHERE name = ?", (name,))
        if not rows:
            raise InputError(f"scenario '{name}' is not saved")
        return params_from_json(rows[0][1])

    def delete(self, name: str) -> bool:
        """Remove ``name``; True if it existed."""
        if not self.path.exists():
            return False
        connection = self._connect()
        try:
            with connection:
                cursor = connection.execute("DELETE FROM scenarios WHERE name = ?", (name,))
        except sqlite3.Error as exc:
            raise InputError(f"scenario database {self.path}: could not delete '{name}' ({exc})") from exc
        finally:
            connection.close()
        return cursor.rowcount > 0
