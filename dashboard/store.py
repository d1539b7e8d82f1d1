"""Saved scenarios in an embedded SQLite database: whole scenario documents (``calc.scenario_doc``).

Default path: ``scenarios.sqlite3`` in the repository root; set the environment variable
``LUCENT_SCENARIO_DB`` to use another file. Tables:

  documents  one row per scenario document, by content (``key`` = the document's SHA-256; its first 8 hex
             digits are the scenario id the URL carries: ``?scenario=<id>``); the holder table and grants
             texts are kept once in ``blobs`` and referenced by hash, so a document that differs only in a
             parameter does not store an uploaded table again
  blobs      text by SHA-256
  scenarios  one row per name: the saved document's key (``doc_key``), its parameters as JSON (read alone
             for rows saved before documents were kept: those load as "parameters only") and the UTC time

Every write runs in one transaction (``with connection:``), so a failed write is rolled back and leaves every
scenario saved before it intact; SQLite's journal does the same if the process dies mid-write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from calc.errors import InputError
from calc.inputs.params import param_problems
from calc.model.params import ScenarioParams
from calc.scenario_doc import ScenarioDoc, doc_from_dict, params_json_values

ENV_VAR = "LUCENT_SCENARIO_DB"
DEFAULT_PATH = Path(__file__).resolve().parent.parent / "scenarios.sqlite3"
MAX_NAME = 100
INVISIBLE_CATEGORIES = ("Cc", "Cf", "Co", "Cn", "Cs")  # control, format (zero-width, bidi), private, unassigned
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS scenarios (name TEXT PRIMARY KEY, params_json TEXT NOT NULL, saved_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, doc_json TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, text TEXT NOT NULL)",
)
DOC_COLUMN = "ALTER TABLE scenarios ADD COLUMN doc_key TEXT"  # databases made before documents were kept
INSERT = "INSERT INTO scenarios (name, params_json, saved_at, doc_key) VALUES (?, ?, ?, ?)"
UPSERT = (
    " ON CONFLICT(name) DO UPDATE SET params_json = excluded.params_json, saved_at = excluded.saved_at,"
    " doc_key = excluded.doc_key"
)
BLOB_PARTS = ("holders", "grants")  # document parts whose ``csv`` text is kept in ``blobs``


def default_path() -> Path:
    """``$LUCENT_SCENARIO_DB`` if set and not empty, else ``scenarios.sqlite3`` in the repo root."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value).expanduser() if value else DEFAULT_PATH


def params_to_json(params: ScenarioParams) -> str:
    """JSON of ``params.as_dict()``; dates as YYYY-MM-DD, None as null."""
    return json.dumps(params_json_values(params), sort_keys=True)


def params_from_json(text: object) -> ScenarioParams:
    """Validated ``ScenarioParams`` from stored JSON (``InputError`` lists every problem).

    The rules are ``calc.inputs.params.param_problems``'s (the same as the sidebar's and the CLI's); anything else a
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


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_blobs(doc: ScenarioDoc) -> tuple[str, dict[str, str]]:
    """The document's JSON with each holder/grants text replaced by ``{"blob": sha256}``, and the texts by hash."""
    values = doc.to_dict()
    blobs: dict[str, str] = {}
    for part in BLOB_PARTS:
        entry = dict(values[part])  # type: ignore[call-overload]
        if isinstance(entry.get("csv"), str):
            digest = _sha(entry["csv"])
            blobs[digest] = entry["csv"]
            entry["csv"] = {"blob": digest}
        values[part] = entry
    return json.dumps(values, sort_keys=True), blobs


@dataclass(frozen=True)
class SavedScenario:
    name: str
    doc: ScenarioDoc | None  # None when the stored inputs no longer validate
    saved_at: str
    problem: str = ""
    params_only: bool = False  # saved before whole documents were kept: parameters only (filing holders, no events)

    @property
    def params(self) -> ScenarioParams | None:
        return self.doc.params if self.doc is not None else None


class ScenarioStore:
    """Save / list / load / delete named scenarios, and keep documents by content for links, in one SQLite file."""

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
                for statement in SCHEMA:
                    connection.execute(statement)
                columns = {row[1] for row in connection.execute("PRAGMA table_info(scenarios)")}
                if "doc_key" not in columns:
                    connection.execute(DOC_COLUMN)
        except sqlite3.Error as exc:
            raise InputError(f"scenario database {self.path}: {exc}") from exc
        return connection

    @staticmethod
    def check_name(name: str) -> str:
        """The name as saved: NFKC-normalized (full-width ``Ｑ3`` is ``Q3``), runs of spaces as one space, trimmed.
        Invisible and control characters (zero-width spaces, bidirectional overrides, format characters) are
        refused: two names that look the same are the same name."""
        clean = " ".join(unicodedata.normalize("NFKC", name or "").split())
        hidden = sorted({ch for ch in clean if unicodedata.category(ch) in INVISIBLE_CATEGORIES})
        if hidden:
            codes = ", ".join(f"U+{ord(ch):04X}" for ch in hidden)
            raise InputError(f"scenario name: invisible or control characters are not allowed (found {codes})")
        if not clean:
            raise InputError("scenario name: must not be empty")
        if len(clean) > MAX_NAME:
            raise InputError(f"scenario name: at most {MAX_NAME} characters (got {len(clean)})")
        return clean

    @staticmethod
    def _put(connection: sqlite3.Connection, doc: ScenarioDoc) -> None:
        payload, blobs = split_blobs(doc)
        connection.executemany("INSERT OR IGNORE INTO blobs (sha256, text) VALUES (?, ?)", blobs.items())
        connection.execute("INSERT OR IGNORE INTO documents (key, doc_json) VALUES (?, ?)", (doc.key, payload))

    def put_document(self, doc: ScenarioDoc) -> str:
        """Keep ``doc`` by content (nothing happens if it is already kept); returns its id."""
        connection = self._connect()
        try:
            with connection:
                self._put(connection, doc)
        except sqlite3.Error as exc:
            raise InputError(f"scenario database {self.path}: could not keep scenario {doc.id} ({exc})") from exc
        finally:
            connection.close()
        return doc.id

    def save(self, name: str, doc: ScenarioDoc | ScenarioParams, overwrite: bool = False) -> str:
        """Store the whole document under ``name``; returns the clean name.

        An existing scenario of that name is replaced only with ``overwrite=True``; otherwise
        ``InputError`` ("already exists") and nothing changes. The existence check is the primary key's
        uniqueness inside the one INSERT statement, so of two processes saving a new name at once exactly
        one succeeds and the other is told the name is taken.
        """
        clean = self.check_name(name)
        doc = doc if isinstance(doc, ScenarioDoc) else ScenarioDoc(doc)
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        connection = self._connect()
        try:
            with connection:
                self._put(connection, doc)
                row = (clean, params_to_json(doc.params), stamp, doc.key)
                connection.execute(INSERT + (UPSERT if overwrite else ""), row)
        except sqlite3.IntegrityError as exc:  # the name is the primary key: one of two racing saves loses here
            raise InputError(f"scenario '{clean}' already exists") from exc
        except sqlite3.Error as exc:
            raise InputError(
                f"scenario database {self.path}: could not save '{clean}' ({exc}); nothing already saved was changed"
            ) from exc
        finally:
            connection.close()
        return clean

    def _rows(self, sql: str, args: tuple = ()) -> list[tuple]:
        if not self.path.exists():
            return []
        connection = self._connect()
        try:
            return connection.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise InputError(f"scenario database {self.path}: {exc}") from exc
        finally:
            connection.close()

    def _document(self, key: object) -> ScenarioDoc:
        """The kept document of ``key``, its texts put back from ``blobs``."""
        rows = self._rows("SELECT doc_json FROM documents WHERE key = ?", (str(key),))
        if not rows:
            raise InputError(f"saved scenario: its document {str(key)[:8]} is missing from the database")
        try:
            values = json.loads(rows[0][0])
            for part in BLOB_PARTS:
                ref = values.get(part, {}).get("csv")
                if isinstance(ref, dict):
                    found = self._rows("SELECT text FROM blobs WHERE sha256 = ?", (str(ref.get("blob")),))
                    if not found:
                        raise InputError(f"saved scenario: the {part} table it uses is missing from the database")
                    values[part]["csv"] = found[0][0]
        except (json.JSONDecodeError, RecursionError, AttributeError, TypeError) as exc:
            raise InputError(f"saved scenario: stored document cannot be read ({type(exc).__name__})") from exc
        return doc_from_dict(values, "saved scenario")

    def document(self, scenario_id: str) -> ScenarioDoc | None:
        """The kept document whose id is ``scenario_id`` (8 hex digits), or None."""
        if len(scenario_id) != 8 or any(c not in "0123456789abcdef" for c in scenario_id):
            return None
        rows = self._rows("SELECT key FROM documents WHERE key >= ? AND key < ?", (scenario_id, scenario_id + "g"))
        return self._document(rows[0][0]) if rows else None

    def _entry(self, name: object, payload: object, stamp: object, key: object) -> SavedScenario:
        name, stamp = str(name), str(stamp)  # a tampered row may hold numbers or blobs
        try:
            if key is None:
                return SavedScenario(name, ScenarioDoc(params_from_json(payload)), stamp, params_only=True)
            return SavedScenario(name, self._document(key), stamp)
        except InputError as exc:
            return SavedScenario(name, None, stamp, str(exc), params_only=key is None)

    def entries(self) -> list[SavedScenario]:
        """Every saved scenario, by name; rows whose inputs no longer validate carry ``problem``."""
        sql = "SELECT name, params_json, saved_at, doc_key FROM scenarios ORDER BY name COLLATE NOCASE"
        return [self._entry(*row) for row in self._rows(sql)]

    def load(self, name: str) -> SavedScenario:
        """The scenario saved as ``name`` (``InputError`` if none, or if its inputs no longer validate)."""
        rows = self._rows("SELECT name, params_json, saved_at, doc_key FROM scenarios WHERE name = ?", (name,))
        if not rows:
            raise InputError(f"scenario '{name}' is not saved")
        entry = self._entry(*rows[0])
        if entry.doc is None:
            raise InputError(entry.problem)
        return entry

    def delete(self, name: str) -> bool:
        """Remove ``name``; True if it existed (its document stays kept for links that name it)."""
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
