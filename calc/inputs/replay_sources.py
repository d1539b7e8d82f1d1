"""The reported figures of the 2002-2004 replay (``data/replay_sources.toml``): each a value with its source."""

from __future__ import annotations

import tomllib


def read_reported(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """(values, sources) of the reported figures (``data/replay_sources.toml``)."""
    table = tomllib.loads(text)["reported"]
    return {k: int(v["value"]) for k, v in table.items()}, {k: str(v["source"]) for k, v in table.items()}
