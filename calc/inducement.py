"""What an exchange does to income available to common (SEC D-42) and the inducement it paid.

Notation (one exchange of n preferred for N_c common at price S on D)
    FV    fair value of the consideration = N_c × S (+ any cash)
    CV    carrying amount of the preferred retired = n × C / N_C, with C = $1,680,000,000 carried for
          N_C = 1,710,000 preferred at 2002-09-30 (Lucent 2003 annual report; $982.46 per preferred)
    N_k   common the same n would get converting at the original terms: floor(n × LP/1000 × CR_D)
          (``calc.conversion``; CR_D the rate in force on D, 168.3502 from 2002-06-01)

    D-42 adjustment to income available to common   ΔIAC = CV − FV
          (SEC D-42, ASC 260-10-S99-2: the excess of FV over CV is subtracted; an excess of CV is added)
    its effect on basic EPS of a period with weighted shares W:   ΔEPS = ΔIAC / W
          basic EPS after = (IAC + ΔIAC) / W   (IAC the period's income available to common before it)
    inducement   I = (N_c − N_k) × S   (fair value of the common issued beyond conversion at the original terms)

The replayed 2002 exchanges (``data/history.csv``) at the prices of ``replay_price`` are set beside
Lucent's reported $125M for the $555M retired through 2002-12-12 (Prospect News); the replay covers only
the exchanges our sources itemize, so the comparison scales the replay's inducement per $ of preference
retired to $555M and reports the residual.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from calc.capacity import DeskFacts
from calc.conversion import exact_common_shares, rate_at
from calc.data import history_events, load_desk_facts, load_terms
from calc.errors import InputError
from calc.terms import Terms


def carrying_per_preferred_usd(facts: DeskFacts) -> Fraction:
    """C / N_C: the carrying amount per preferred share ($1,680M / 1,710,000 = $982.46)."""
    return Fraction(facts.carrying_value_usd) / facts.carrying_value_preferred_shares


def d42_adjustment_usd(fair_value_usd: float, preferred_shares: int, carrying_per_share_usd: float) -> float:
    """ΔIAC = CV − FV with CV = n × carrying per share (positive: income available to common rises)."""
    return preferred_shares * carrying_per_share_usd - fair_value_usd


def eps_effect(adjustment_usd: float, weighted_shares: int, income_available_usd: float | None) -> dict[str, object]:
    """ΔEPS = ΔIAC / W, and basic EPS before and after when the period's IAC is given."""
    if weighted_shares < 1:
        raise InputError(f"weighted_shares: {weighted_shares:,} must be at least 1")
    out: dict[str, object] = {
        "weighted_shares": weighted_shares,
        "basic_eps_effect_usd": adjustment_usd / weighted_shares,
    }
    if income_available_usd is not None:
        out["basic_eps_before_usd"] = income_available_usd / weighted_shares
        out["basic_eps_after_usd"] = (income_available_usd + adjustment_usd) / weighted_shares
    return out


def replay_price(date: dt.date, terms: Terms, facts: DeskFacts) -> float:
    """S on a replayed exchange date: linear in days between the two sourced closes, flat outside
    (``market.replay_price_rule`` in data/exchange_desk.toml, an assumption)."""
    d0, s0 = terms.market.closing_price_date, float(terms.market.closing_price_usd)
    d1, s1 = facts.offer_close_date, float(facts.offer_close_usd)
    w = min(max((date - d0).days / (d1 - d0).days, 0.0), 1.0)
    return s0 + w * (s1 - s0)


@dataclass(frozen=True)
class ExchangeReplay:
    """One exchange: n preferred for N_c common on D at S."""

    date: dt.date
    preferred_shares: int
    common_shares: int
    price_usd: float
    conversion_shares: int  # N_k

    @property
    def fair_value_usd(self) -> float:
        return self.common_shares * self.price_usd

    @property
    def inducement_usd(self) -> float:
        return (self.common_shares - self.conversion_shares) * self.price_usd

    def as_dict(self, carrying_per_share_usd: float) -> dict[str, object]:
        return {
            "date": self.date.isoformat(),
            "preferred_shares": self.preferred_shares,
            "common_shares": self.common_shares,
            "common_per_preferred": self.common_shares / self.preferred_shares,
            "price_usd": self.price_usd,
            "conversion_shares_original_terms": self.conversion_shares,
            "fair_value_usd": self.fair_value_usd,
            "inducement_usd": self.inducement_usd,
            "d42_adjustment_usd": d42_adjustment_usd(
                self.fair_value_usd, self.preferred_shares, carrying_per_share_usd
            ),
        }


def exchange(date: dt.date, n: int, common: int, price_usd: float, terms: Terms) -> ExchangeReplay:
    """One exchange with N_k at the rate in force on D (LP $1,000: dividends paid)."""
    lp = terms.preferred.initial_liquidation_preference_usd
    converted = math.floor(exact_common_shares(n, lp_usd=lp, rate=rate_at(terms, date)))
    return ExchangeReplay(date, n, common, price_usd, converted)


def replayed_exchanges(terms: Terms | None = None, facts: DeskFacts | None = None) -> list[ExchangeReplay]:
    """The ``exchange_common`` rows of data/history.csv at ``replay_price``."""
    terms, facts = terms or load_terms(), facts or load_desk_facts()
    out = []
    for e in history_events():
        if e.action != "exchange_common" or e.preferred_shares is None:
            continue
        common = (
            e.common_shares
            if e.common_shares is not None
            else math.floor(e.preferred_shares * (e.common_per_preferred or 0))
        )
        out.append(exchange(e.date, e.preferred_shares, common, replay_price(e.date, terms, facts), terms))
    return out


def inducement_comparison(terms: Terms | None = None, facts: DeskFacts | None = None) -> dict[str, object]:
    """The replay's inducement beside Lucent's reported figure, scaled to the preference it covers."""
    terms, facts = terms or load_terms(), facts or load_desk_facts()
    rows = replayed_exchanges(terms, facts)
    carrying = float(carrying_per_preferred_usd(facts))
    replay_usd = sum(r.inducement_usd for r in rows)
    retired_usd = sum(r.preferred_shares for r in rows) * float(terms.preferred.initial_liquidation_preference_usd)
    reported_retired = float(facts.inducement_reported_preferred_retired_usd)
    scaled = replay_usd / retired_usd * reported_retired if retired_usd else 0.0
    reported = float(facts.inducement_reported_usd)
    return {
        "exchanges": [r.as_dict(carrying) for r in rows],
        "replay_inducement_usd": replay_usd,
        "replay_preferred_retired_usd": retired_usd,
        "replay_scaled_to_reported_retired_usd": scaled,
        "reported_inducement_usd": reported,
        "reported_preferred_retired_usd": reported_retired,
        "residual_usd": reported - scaled,
        "explanation": (
            f"The replay covers ${retired_usd / 1e6:,.0f}M of the ${reported_retired / 1e6:,.0f}M Lucent retired "
            f"by {facts.inducement_reported_date}: the rest was exchanged after 2002-10-23 in deals our sources "
            "do not itemize. The replayed dates (2002-09-16, 2002-10-15) and their prices "
            f"({facts.replay_price_rule}) are assumptions; Lucent valued each deal at its own date's price. "
            "Scaled to the preference retired, the replay gives "
            f"${scaled / 1e6:,.1f}M against ${reported / 1e6:,.0f}M reported "
            f"(residual ${(reported - scaled) / 1e6:,.1f}M)."
        ),
    }
