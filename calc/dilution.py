"""Holder-level dilution at the horizon, vectorized over S scenarios × H holders.

Notation
--------
h_i    holder i's preferred on the chosen basis:
         registered  as listed in the filing
         pro_rata    listed holdings scaled to the N shares outstanding,
                     h_i = largest-remainder rounding of listed_i × N / Σ listed
c      common per preferred share on conversion at the exit date  (LP_x / 1000 × CR_x)
q      common per preferred share on a stock-settled redemption   (LP_x / (S_x × put_factor))
T      total common outstanding at the horizon (base + all new shares)
o_i    common obtainable within 60 days by holder i: floor(h_i × LP_h / 1000 × CR_h) while
       the holder still holds the preferred (or debentures) at the horizon, else 0

Allocation of the class-level share counts to holders:
  pro_rata   conversion floor(N c) and redemption ceil(N q) are split by the largest-
             remainder method: each holder gets floor(h_i c) (resp. floor(h_i q)), and the
             remaining shares go one each to the largest fractional parts (ties: filing
             order), so holder shares sum exactly to the class total and each holder is
             within one share of its exact entitlement.
  registered each holder rounds alone: floor(h_i c) (cash in lieu) and ceil(h_i q); the
             listed total exceeds the shares issued, so these do not sum to the class total.

  Ledger rows (``calc.ledger``): h_i is what the holder still holds at the exit; the common
  each row gives holders is added to their conversion/redemption shares, and exchange_i
  (exchange_common rows) is its own column.

  pro_forma_i          = prior_i + conversion_i + redemption_i + exchange_i
  pro_forma_pct_i      = 100 × pro_forma_i / T
  beneficial_pct_i     = 100 × (pro_forma_i + o_i) / (T + o_i)       (SEC Rule 13d-3(d)(1):
                         own obtainable shares added to the denominator, other holders' not)
  flags: beneficial_pct ≥ 5 and ≥ 10.
Fund families are rows too: member sums, with the family's own o in its denominator.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from calc.errors import InputError
from calc.rounding import ceil_shares, floor_shares

FAMILIES_PATH = Path(__file__).resolve().parent.parent / "data" / "fund_families.toml"
THRESHOLDS_PCT = (5.0, 10.0)


@dataclass(frozen=True)
class Family:
    name: str
    footnotes: tuple[str, ...]
    names: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class HolderBook:
    """Holdings (separate from the terms), as arrays over H holders."""

    names: tuple[str, ...]
    footnotes: tuple[str, ...]
    issues: tuple[str, ...]
    registered: np.ndarray  # (H,) int64 listed preferred
    pro_rata: np.ndarray  # (H,) int64, sums to the shares outstanding
    prior: np.ndarray  # (H,) int64 common owned prior
    families: tuple[Family, ...]
    membership: np.ndarray  # (F, H) bool
    family_of: tuple[str, ...]  # (H,) family names joined by '; ' ('' if none)

    @property
    def size(self) -> int:
        return len(self.names)


def load_families(path: Path = FAMILIES_PATH) -> tuple[Family, ...]:
    """Fund-family groupings from ``data/fund_families.toml``."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"fund families file {path}: {exc}") from exc
    families = []
    for i, entry in enumerate(raw.get("family", [])):
        if "name" not in entry or "source" not in entry:
            raise InputError(f"fund families file {path}: [[family]] {i + 1} needs 'name' and 'source'")
        families.append(Family(str(entry["name"]), tuple(map(str, entry.get("footnotes", []))),
                               tuple(map(str, entry.get("names", []))), str(entry["source"])))
    return tuple(families)


def largest_remainder(exact: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Integers per row of ``exact`` (S, H) summing to ``totals`` (S,), each within one of exact.

    floor every entry, then give the row's remaining units to its largest fractional
    parts (ties by column order).
    """
    base = floor_shares(exact)
    remainder = exact - base
    deficit = totals - base.sum(axis=1)
    if (deficit < 0).any() or (deficit > exact.shape[1]).any():
        raise ArithmeticError("largest-remainder allocation: totals inconsistent with entitlements")
    order = np.argsort(-remainder, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(exact.shape[1])[None, :].repeat(len(exact), 0), axis=1)
    return base + (ranks < deficit[:, None])


def build_book(register: pd.DataFrame, shares_outstanding: int,
               families: tuple[Family, ...] | None = None) -> HolderBook:
    """Holder arrays from a validated register (``calc.register.validate_register``)."""
    families = load_families() if families is None else families
    registered = register["preferred_shares"].to_numpy(dtype=np.int64)
    listed = int(registered.sum())
    if listed <= 0:
        raise InputError("register: listed preferred shares sum to zero; nothing to allocate")
    scaled = largest_remainder((registered * (shares_outstanding / listed))[None, :],
                               np.array([shares_outstanding]))[0]
    names = tuple(register["name"].astype(str))
    notes = tuple(register["footnotes"].astype(str))
    membership = np.array([[bool(set(n.split(";")) & set(f.footnotes)) or name in f.names
                            for name, n in zip(names, notes)] for f in families], dtype=bool).reshape(
        len(families), len(names))
    family_of = tuple("; ".join(f.name for f, m in zip(families, membership[:, i]) if m) for i in range(len(names)))
    return HolderBook(names=names, footnotes=notes, issues=tuple(register["issues"].astype(str)),
                      registered=registered, pro_rata=scaled,
                      prior=register["common_owned_prior"].to_numpy(dtype=np.int64),
                      families=families, membership=membership, family_of=family_of)


@dataclass(frozen=True)
class ExitTerms:
    """Per-scenario class-level outcome, arrays of shape (S,)."""

    conversion_per_share: np.ndarray  # c (0 when the class did not convert)
    redemption_per_share: np.ndarray  # q (0 unless redeemed in stock)
    conversion_total: np.ndarray  # floor(N c)
    redemption_total: np.ndarray  # ceil(N q)
    obtainable_per_share: np.ndarray  # LP_h / 1000 × CR_h while still held at the horizon, else 0
    total_shares: np.ndarray  # T
    pro_rata: np.ndarray  # bool: holder_basis == pro_rata
    holding: np.ndarray | None = None  # (S, H) preferred held at the exit after ledger rows (None: the basis)
    ledger: Mapping[str, np.ndarray] | None = None  # (S, H) common from ledger rows (calc.ledger.holder_ledger)


def _allocate(exact: np.ndarray, totals: np.ndarray, pro_rata: np.ndarray,
              alone: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Largest-remainder rows where ``pro_rata``; elsewhere each holder rounds ``alone``."""
    shares = alone(exact)
    if pro_rata.any():
        shares[pro_rata] = largest_remainder(exact[pro_rata], totals[pro_rata])
    return shares


def holder_arrays(book: HolderBook, ex: ExitTerms) -> dict[str, np.ndarray]:
    """(S, H + F) arrays: holders then families; see the module docstring."""
    basis = np.where(ex.pro_rata[:, None], book.pro_rata[None, :], book.registered[None, :])
    holding = basis if ex.holding is None else ex.holding
    conv_exact = holding * ex.conversion_per_share[:, None]
    red_exact = holding * ex.redemption_per_share[:, None]
    conversion = _allocate(conv_exact, ex.conversion_total, ex.pro_rata, floor_shares)
    redemption = _allocate(red_exact, ex.redemption_total, ex.pro_rata, ceil_shares)
    ledger = ex.ledger or {}
    zeros = np.zeros(basis.shape, dtype=np.int64)
    conversion += ledger.get("conversion_shares", zeros)
    redemption += ledger.get("redemption_shares", zeros)
    obtainable = floor_shares(holding * ex.obtainable_per_share[:, None])
    prior = np.broadcast_to(book.prior[None, :], basis.shape)
    columns = {"registered_preferred_shares": np.broadcast_to(book.registered[None, :], basis.shape),
               "basis_preferred_shares": basis, "conversion_shares": conversion,
               "redemption_shares": redemption, "exchange_shares": ledger.get("exchange_shares", zeros),
               "common_owned_prior": prior, "obtainable_shares_60d": obtainable}
    member = book.membership.T.astype(np.int64)  # (H, F)
    columns = {k: np.concatenate([v, v @ member], axis=1) for k, v in columns.items()}
    pro_forma = (columns["common_owned_prior"] + columns["conversion_shares"] + columns["redemption_shares"]
                 + columns["exchange_shares"])
    total = ex.total_shares[:, None].astype(float)
    columns["pro_forma_shares"] = pro_forma
    columns["pro_forma_pct"] = 100.0 * pro_forma / total
    beneficial = 100.0 * (pro_forma + columns["obtainable_shares_60d"]) / (total + columns["obtainable_shares_60d"])
    columns["beneficial_pct_13d3"] = beneficial
    for threshold in THRESHOLDS_PCT:
        columns[f"flag_{threshold:g}pct"] = beneficial >= threshold
    return columns


def row_labels(book: HolderBook) -> pd.DataFrame:
    """Descriptive columns for the H + F rows: kind, name, family, footnotes, issues."""
    f = len(book.families)
    return pd.DataFrame({
        "kind": ["holder"] * book.size + ["family"] * f,
        "name": list(book.names) + [fam.name for fam in book.families],
        "family": list(book.family_of) + [fam.name for fam in book.families],
        "footnotes": list(book.footnotes) + [";".join(fam.footnotes) for fam in book.families],
        "issues": list(book.issues) + [""] * f,
    })


def holder_frame(book: HolderBook, ex: ExitTerms) -> pd.DataFrame:
    """Holder table for a single scenario (S = 1)."""
    arrays = holder_arrays(book, ex)
    numbers = pd.DataFrame({name: values[0] for name, values in arrays.items()})
    return pd.concat([row_labels(book), numbers], axis=1)
