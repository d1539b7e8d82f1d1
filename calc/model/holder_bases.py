"""Holder bases: the holdings the holder table starts from, and how class totals reach holders.

A registry like ``calc.model.params.SPECS``: each ``HolderBasis`` supplies its holdings (preferred per
holder, from the ``calc.model.allocation.HolderBook``) and its allocation rule. The scenario parameter
``holder_basis`` names one; ``calc.model.allocation``, ``calc.model.scenario`` and ``calc.model.ledger`` ask the basis,
never test its name.

  registered  h_i as listed in the filing; each holder rounds alone (floor(h_i c), ceil(h_i q)),
              so holder rows need not sum to the class total (the listed total exceeds the class);
              it stops at the class: once ledger rows retire the last preferred, every holder's
              listing left is 0 (``calc.model.ledger.holder_ledger``), nothing beyond the class acts later
  pro_rata    listings scaled to the N shares outstanding (largest remainder); class totals are
              split by largest remainder, so holder rows sum exactly to the class total
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from calc.model.allocation import HolderBook


@dataclass(frozen=True)
class HolderBasis:
    name: str
    help: str
    holdings: Callable[[HolderBook], np.ndarray]  # (H,) int64 preferred per holder
    splits_class_total: bool  # True: largest remainder of the class total; False: each holder rounds alone


BASES = (
    HolderBasis("registered", "as listed", lambda book: book.registered, splits_class_total=False),
    HolderBasis("pro_rata", "scaled to the shares outstanding", lambda book: book.pro_rata, splits_class_total=True),
)
BASIS_BY_NAME = {basis.name: basis for basis in BASES}
HOLDER_BASES = tuple(BASIS_BY_NAME)  # the choices of the holder_basis parameter


def basis_holdings(book: HolderBook, bases: Sequence[HolderBasis]) -> np.ndarray:
    """(S, H) preferred per holder, row s on scenario s's basis (one gather from the distinct bases' rows)."""
    distinct = {basis.name: i for i, basis in enumerate(dict.fromkeys(bases))}
    rows = np.stack([basis.holdings(book) for basis in dict.fromkeys(bases)])
    return rows[[distinct[basis.name] for basis in bases]]


def splits_class_total(bases: Sequence[HolderBasis]) -> np.ndarray:
    """(S,) bool: scenario s's class totals are split by largest remainder."""
    return np.array([basis.splits_class_total for basis in bases], dtype=bool)
