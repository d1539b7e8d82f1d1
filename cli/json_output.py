"""Strict JSON for the command line: never ``NaN`` or ``Infinity`` (not JSON)."""

from __future__ import annotations

import json


def print_json(payload: object) -> None:
    """Print ``payload`` as one line of standard JSON; a non-finite float raises ``ValueError``
    (a bug: every printed number comes from a bounded input) instead of emitting ``Infinity``."""
    print(json.dumps(payload, allow_nan=False))
