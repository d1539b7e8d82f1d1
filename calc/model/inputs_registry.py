"""One row per non-scenario input (the scenario parameters are ``calc.model.params.SPECS``).

Each ``InputSpec`` names an input the CLI or the dashboard takes outside the scenario: Monte Carlo, EPS,
exchange offer and valuation. Its bounds are the one copy the model checks (``calc.model.montecarlo.validate_mc``,
``calc.model.eps``, ``calc.model.offer``, ``calc.model.valuation``), the CLI flags show in their help
(``cli.flags``, ``cli.commands.*``) and the dashboard widgets take as their ``min_value`` / ``max_value``
(``dashboard.*_view``). ``tests/test_inputs_registry.py`` checks that every flag and widget reads its row.

unit:   ``USD``, ``per year`` (a rate or volatility, 0.6 for 60 %), ``paths``, ``shares``, ``years`` or empty.
bounds: inclusive (low, high); ``low_open`` makes the low bound exclusive (``0 < price``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from calc.model.params import PRICE_RANGE_USD


@dataclass(frozen=True)
class InputSpec:
    name: str
    unit: str
    bounds: tuple[float, float]
    default: Any  # int, float or None (no default: the flag is required)
    label: str
    help: str
    flag: str
    low_open: bool = False  # the low bound itself is refused
    high_open: bool = False  # the high bound itself is refused

    def within(self, value: float | Fraction) -> bool:
        """``value`` inside the bounds (False for NaN)."""
        low, high = self.bounds
        return (low < value if self.low_open else low <= value) and (value < high if self.high_open else value <= high)


VOLATILITY = InputSpec(
    "volatility",
    "per year",
    (0.0, 5.0),  # 500 % a year: far past any traded stock's volatility
    0.6,
    "Volatility (annualized)",
    "annualized volatility",
    "--volatility",
)
PATHS = InputSpec("paths", "paths", (1, 1_000_000), 10_000, "Paths", "paths", "--paths")
SECURITIES_PATHS = InputSpec(  # the dashboard's every-security run has no progress bar: a tenth of PATHS at most
    "paths", "paths", (1, PATHS.bounds[1] // 10), 2_000, "Paths", "paths", "--paths"
)
SEED = InputSpec("seed", "", (0, 2**63 - 1), 0, "Seed", "random seed", "--seed")
NET_INCOME = InputSpec(
    "net_income_usd",
    "USD",
    (-(10**15), 10**15),  # |NI| for the period
    1_000_000_000,  # an illustrative figure (the dashboard's start value and the securities command's default)
    "Net income (loss), USD",
    "income (loss) from continuing operations for the period, USD, before preferred dividends",
    "--net-income",
)
BASIC_SHARES = InputSpec(
    "basic_shares",
    "shares",
    (1, 10**15),
    None,  # the terms' common shares outstanding (calc.model.eps.eps_defaults)
    "Basic weighted shares",
    "basic weighted-average common shares",
    "--basic-shares",
)
PERIOD_YEARS = InputSpec(
    "period_years", "years", (0, 100), 1, "Period (years)", "period length in years", "--period-years", low_open=True
)
TAX_RATE = InputSpec(  # the default, 0, is an assumption (calc.model.eps.DEFAULT_TAX_RATE)
    "tax_rate", "", (0, 1), 0, "Tax rate", "tax rate", "--tax-rate", high_open=True
)
TAX_RATE_WIDGET_MAX = 0.99  # a number widget's closed top under TAX_RATE's open one
OFFER_PRICE = InputSpec(
    "price",
    "USD",
    (0.0, 100_000.0),
    None,
    "Common price on D (S)",
    "common price on D, USD",
    "--price",
    low_open=True,
)
VALUE_PRICE = InputSpec(  # the scenario's price range (calc.model.params.PRICE_RANGE_USD)
    "price", "USD", PRICE_RANGE_USD, None, "Common price", "common price, USD", "--price"
)
VALUE_VOLATILITY = InputSpec(
    "volatility",
    "per year",
    (0.001, 5.0),  # 0.1 % to 500 % a year (the Monte Carlo's upper bound)
    0.6,
    "Volatility (annualized)",
    "annualized volatility",
    "--volatility",
)
VALUE_RATE = InputSpec(
    "rate",
    "per year",
    (-0.1, 1.0),
    0.03,
    "Risk-free rate",
    "risk-free rate, continuously compounded (0.03 for 3%)",
    "--rate",
)
VALUE_SPREAD = InputSpec(
    "spread",
    "per year",
    (0.0, 10.0),
    0.10,
    "Credit spread",
    "credit spread a year",
    "--spread",  # 0 to 1,000 %
)
VALUE_STEPS = InputSpec("steps", "steps", (2, 20_000), 800, "Tree steps", "tree steps", "--steps")

INPUTS: dict[str, tuple[InputSpec, ...]] = {
    "montecarlo": (VOLATILITY, PATHS, SEED),
    "securities": (VOLATILITY, SECURITIES_PATHS, SEED, NET_INCOME),
    "eps": (NET_INCOME, BASIC_SHARES, PERIOD_YEARS, TAX_RATE),
    "offer": (OFFER_PRICE,),
    "value": (VALUE_PRICE, VALUE_VOLATILITY, VALUE_RATE, VALUE_SPREAD, VALUE_STEPS),
}


def span(spec: InputSpec) -> str:
    """'1 to 1,000,000' for the spec's bounds (``2^63 - 1`` for the seed's top)."""
    low, high = spec.bounds
    shown = ["2^63 - 1" if x == 2**63 - 1 else f"{x:,}" if isinstance(x, int) else f"{x:,.10g}" for x in (low, high)]
    return " to ".join(shown)
