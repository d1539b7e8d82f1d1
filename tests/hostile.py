"""Hostile user text for the injection tests (issue 9 item 8), shared by AppTest and chromium tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_NAMES = ("![p](https://evil.example/x.png)", "[click](https://evil.example/go)",
                 '<img src="https://evil.example/y.png">', "**bold**", "`code` and $x$ :red[red]")
HOSTILE_FILE = "![f](https://evil.example/f.png) `x`.csv"


def hostile_register() -> bytes:
    """Ten real holders plus one ≥ 5% holder per hostile name (so the plain-words paragraph names each)."""
    frame = pd.read_csv(ROOT / "data" / "register.csv", dtype=str, keep_default_na=False).head(10)
    rows = frame[["name", "footnotes", "preferred_shares", "common_owned_prior"]].values.tolist()
    rows += [[name, "", "100000", str(400_000_000 + i)] for i, name in enumerate(HOSTILE_NAMES)]
    return pd.DataFrame(rows, columns=["name", "footnotes", "preferred_shares", "common_owned_prior"]) \
        .to_csv(index=False).encode()
