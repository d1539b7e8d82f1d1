"""Sources read as citations (calc.outputs.citations, data/documents.toml). Golden texts: the citations the data
files' own "Documents referred to" headers give for each key (SUPP = the Aug 28, 2002 prospectus supplement,
BASE = the Jan 8, 2002 prospectus, not among the source documents), written out by hand."""

from __future__ import annotations

import csv
import re
import tomllib

import pytest

from calc.inputs.paths import DATA_DIR
from calc.outputs.citations import citation, library

FORBIDDEN = re.compile(r"data/|\.toml|\.csv|issue \d|brief:|\(BASE\)|README|\d{4}-\d\d-\d\d")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "SUPP p. 11, footnote (3): 'the initial liquidation preference of the preferred stock of "
            "$1,000.00 per share'",
            "Prospectus supplement, Aug 28, 2002, p. 11, footnote (3): 'the initial liquidation preference of the "
            "preferred stock of $1,000.00 per share'",
        ),
        (
            "brief: dividends payable semiannually (BASE)",
            "Base prospectus, Jan 8, 2002 (not verified; as summarized): dividends payable semiannually",
        ),
        (
            "brief: issued 2001-08-06 (BASE)",
            "Base prospectus, Jan 8, 2002 (not verified; as summarized): issued Aug 6, 2001",
        ),
        (
            "assumption (issue 10): under call = rational the issuer calls",
            "Assumption: under call = rational the issuer calls",
        ),
        (
            "424B3: issued in a private placement on 2002-03-19 (per issue 13)",
            "Lucent Technologies Capital Trust I prospectus, 2002: issued in a private placement on Mar 19, 2002",
        ),
        (
            "per issue 22: $0.58 on 2002-10-11 was an intraday low, not a close, so it is not in data/prices.csv",
            "$0.58 on Oct 11, 2002 was an intraday low, not a close, so it is not in the recorded closes",
        ),
        (
            "assumption: unverified close of 2001-12-31 kept from the registry (issue 22: still unverified)",
            "Assumption: unverified close of Dec 31, 2001 kept from the registry (still unverified)",
        ),
        (
            "11-K line 284: 'Company contribution ... 8,749'",
            "Form 11-K for 2002, Long Term Savings and Security Plan, line 284: 'Company contribution ... 8,749'",
        ),
        ("NYSE 312.03(c): shareholder approval", "NYSE Listed Company Manual, section 312.03(c): shareholder approval"),
        # "NYSE" alone is the exchange, "Form 10-K" is already spelled out: neither is a key here
        ("assumption: Lucent's NYSE close on 2001-12-31", "Assumption: Lucent's NYSE close on Dec 31, 2001"),
        (
            "Form 10-K for fiscal 2003, cover page, per issue 10; verified per issue 22",
            "Form 10-K for fiscal 2003, cover page; verified",
        ),
        (
            "BASE (prospectus dated Jan 8, 2002), per issue 10: the conversion option",
            "Base prospectus, Jan 8, 2002 (not verified): the conversion option",
        ),
        ("", ""),
    ],
)
def test_a_stored_source_reads_as_a_citation(source, expected):
    assert citation(source) == expected


def _every_source() -> list[str]:
    """Every ``source`` / ``note`` text of the shipped TOML files and every ``source`` cell of the shipped CSVs."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("source", "note") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for path in sorted(DATA_DIR.glob("*.toml")):
        walk(tomllib.loads(path.read_text(encoding="utf-8")))
    for path in sorted(DATA_DIR.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            found += [row["source"] for row in csv.DictReader(handle) if row.get("source")]
    return found


def test_no_shipped_source_keeps_a_path_an_issue_number_or_a_document_key():
    sources = _every_source()
    assert len(sources) > 100
    keys = [d.key for d in library().documents if d.bare]
    key_left = re.compile(rf"(?<![\w.-])(?<!Form )(?:{'|'.join(re.escape(k) for k in keys)})(?![\w-])")
    for source in sources:
        text = citation(source)
        assert not FORBIDDEN.search(text), (source, text)
        bare = text
        for document in library().documents:
            bare = bare.replace(document.citation, "")
        assert not key_left.search(bare), (source, text)
        assert "()" not in text and "(;" not in text and "  " not in text, (source, text)


def test_every_key_the_data_headers_name_has_a_citation():
    """The keys listed under "Documents referred to" in each data file's header are in data/documents.toml."""
    keys = {d.key for d in library().documents}
    header_key = re.compile(r"^#\s+([A-Z0-9][A-Z0-9-]+(?: D-42)?)\s+=", re.MULTILINE)
    named: set[str] = set()
    for path in DATA_DIR.glob("*.toml"):
        named |= set(header_key.findall(path.read_text(encoding="utf-8")))
    assert named, "the headers name documents"
    assert named <= keys, named - keys
