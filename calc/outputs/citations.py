"""Sources as citations: a stored source text ("SUPP p. 11, footnote (3): '...'") as a person reads it
("Prospectus supplement, Aug 28, 2002, p. 11, footnote (3): '...'").

The document keys and their citations are data (``data/documents.toml``); the data files keep their short keys
and their provenance notes. ``citation`` is the one place that turns them into text for the dashboard, the CLI,
the workbook and the report:
- a document key (``SUPP``, ``AR2003``, ``11-K`` ...) becomes its citation, with a comma before a locator
  (``p. 11``, ``line 284``, ``312.03(c)``);
- ``brief: X (BASE)`` (a term taken from the product brief, stated in the base prospectus that is not among the
  source documents) becomes ``Base prospectus, Jan 8, 2002 (not verified; as summarized): X``;
- ``assumption: ...`` / ``derived: ...`` open with a capital;
- references to the project's issues ("per issue 22", "(issue 10)") are dropped;
- a shipped file's path (``data/history.csv``) becomes what the file is ("the 2002 exchanges");
- ISO dates (``2004-08-02``) read ``Aug 2, 2004``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from calc.inputs.paths import DOCUMENTS_PATH
from calc.outputs.formats import human_dates

NOT_VERIFIED = "not verified"
_ISSUE = r"issue \d+(?: item \d+)?"
_FILE = re.compile(r"(?:\bdata/)?\b([\w.-]+\.(?:csv|toml|txt))\b")


@dataclass(frozen=True)
class Document:
    """One cited document: its key in the source texts, its citation, whether it ships in ``data/`` and whether
    the terms taken from it were checked against it."""

    key: str
    citation: str
    in_data: bool
    verified: bool
    aliases: tuple[str, ...]
    bare: bool


@dataclass(frozen=True)
class Library:
    """Every document by key, and the shipped files' names for a person."""

    documents: tuple[Document, ...]
    files: dict[str, str]


@lru_cache(maxsize=1)
def library() -> Library:
    """``data/documents.toml`` read once."""
    with DOCUMENTS_PATH.open("rb") as handle:
        raw = tomllib.load(handle)
    documents = tuple(
        Document(
            key=key,
            citation=str(entry["citation"]),
            in_data=bool(entry.get("in_data", False)),
            verified=bool(entry.get("verified", True)),
            aliases=tuple(str(a) for a in entry.get("aliases", ())),
            bare=bool(entry.get("bare", True)),
        )
        for key, entry in raw["documents"].items()
    )
    return Library(documents=documents, files={str(k): str(v) for k, v in raw.get("files", {}).items()})


def _cited(document: Document) -> str:
    return document.citation if document.verified else f"{document.citation} ({NOT_VERIFIED})"


@lru_cache(maxsize=1)
def _key_pattern() -> tuple[re.Pattern[str], dict[str, Document]]:
    """One pattern matching any alias or key as a whole token, longest first; and each spelling's document."""
    spelled: dict[str, Document] = {}
    for document in library().documents:
        for spelling in (*document.aliases, *((document.key,) if document.bare else ())):
            spelled[spelling] = document
    alternatives = "|".join(re.escape(s) for s in sorted(spelled, key=len, reverse=True))
    return re.compile(rf"(?<![\w.-])(?<!Form )(?:{alternatives})(?![\w-])"), spelled


def _drop_issue_references(text: str) -> str:
    """Drop the project's issue numbers: "(issue 10)", "per issue 22", "(issue 20 item 12: 'x')" -> "('x')"."""
    text = re.sub(rf"\s*\(\s*(?:per |as quoted in |as reported in )?{_ISSUE}\s*\)", "", text)
    text = re.sub(rf"\(\s*(?:per )?{_ISSUE}[:;]\s*", "(", text)
    text = re.sub(rf"\s*\(\s*{_ISSUE}\b[^()]*\)", "", text)
    text = re.sub(rf"[,;]?\s*\b(?:per|as quoted in|as reported in|as|in) {_ISSUE}\b", "", text)
    text = re.sub(rf"\b{_ISSUE}\b:?\s*", "", text)
    return text


def _documents(text: str) -> str:
    """Each document key or alias replaced by its citation; a comma before a locator that follows it."""
    pattern, spelled = _key_pattern()

    def replace(match: re.Match[str]) -> str:
        cited = _cited(spelled[match.group(0)])
        rest = text[match.end() : match.end() + 2]
        needs_comma = rest.startswith(" ") and rest[1:2] not in ("", ":", ";", "/", ")", "(", ",", "-")
        return cited + ("," if needs_comma else "")

    return pattern.sub(replace, text)


def _files(text: str) -> str:
    """A shipped file's path as what the file is."""
    names = library().files

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return names.get(name, name.rsplit(".", 1)[0].replace("_", " "))

    return _FILE.sub(replace, text)


def _tidy(text: str) -> str:
    """Whitespace and punctuation left by the removals."""
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+([,;:)])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"([,;:])(?=[,;:])", "", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip().lstrip(",;: ").strip()


def _opening(text: str) -> str:
    """``brief: X (BASE)`` as a citation of the base prospectus marked as not verified; ``assumption:`` and
    ``derived:`` with a capital."""
    brief = re.match(r"brief:\s*(.*)", text, flags=re.DOTALL)
    if brief:
        base = next(d for d in library().documents if d.key == "BASE")
        body = brief.group(1)
        body = re.sub(r"\s*\(BASE\)", "", body, count=1)
        return f"{base.citation} ({NOT_VERIFIED}; as summarized): {body}"
    for word in ("assumption", "derived"):
        if text.startswith(word):
            return word.capitalize() + text[len(word) :]
    return text


def citation(source: str) -> str:
    """A stored source as a citation a person reads (see the module docstring); the empty string stays empty."""
    text = _drop_issue_references(str(source).strip())
    text = _tidy(text)
    text = _opening(text)
    text = re.sub(r"\(brief\)", "(product brief)", text)
    text = re.sub(r"\bthe brief\b", "the product brief", text)
    text = re.sub(r"\bbrief:\s*", "product brief: ", text)
    text = _files(text)
    text = _documents(text)
    text = human_dates(text)
    return _tidy(text)
