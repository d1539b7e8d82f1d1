"""The 8.00% preferred's per-share rules, each written once (float64 arrays, with exact ``Fraction`` counterparts).

Notation: LP liquidation preference per preferred share (USD), A an amount of LP (or face) being converted
or redeemed (USD), CR conversion rate (common per ``BASIS_USD`` of LP), S common price (USD), f a put or
sale factor (stock delivered at S × f), r the semiannual dividend rate, g a call trigger (% above the
conversion price). The float functions take float64 arrays (broadcast); the ``exact_*`` counterparts take
the exact values (``Fraction``; a float input's exact value is ``calc.model.rounding.decimal_value``) for the
cells the float rounding cannot settle (``calc.model.rounding``). Convertibles with another face per unit u pass
``basis=u``.

    conversion            c = A / 1000 × CR                      (common per preferred share: A = LP)
    conversion price      CP = 1000 / CR
    stock redemption      q = A / (S × f)                        (puts, calls and redemptions settled in stock)
    stock dividend        d = A × r / (S × f)                    (A = N × LP_start, f the sale factor)
    in the money          S × CR ≥ 1000 (conversion value ≥ LP)  called: S × CR ≥ 1000 × (1 + g/100)
    rational holder       converts at a decision date in the money, puts at a put date out of the money
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np

from calc.model.rounding import decimal_value, exact_at_least, quotient

BASIS_USD = 1000  # a conversion rate is common per $1,000 of liquidation preference (exact int)

Index = tuple[int, ...]


def conversion_per_share(amount: np.ndarray, rate: np.ndarray | float, basis: float = BASIS_USD) -> np.ndarray:
    """c = A / 1000 × CR: common for A USD of LP converted at CR common per $1,000."""
    return amount / basis * rate


def exact_conversion_per_share(amount: Fraction, rate: Fraction, basis: Fraction | int = BASIS_USD) -> Fraction:
    """c = A / 1000 × CR exactly."""
    return amount / basis * rate


def conversion_price(rate: np.ndarray) -> np.ndarray:
    """CP = 1000 / CR (USD per common share): the price at which the conversion value is the LP."""
    return BASIS_USD / rate


def exact_conversion_price(rate: Fraction) -> Fraction:
    """CP = 1000 / CR exactly."""
    return Fraction(BASIS_USD) / rate


def redemption_per_share(amount: np.ndarray, price: np.ndarray, put_factor: np.ndarray | float) -> np.ndarray:
    """q = A / (S × f): common delivered for A USD redeemed in stock valued at S × f."""
    return amount / (price * put_factor)


def redemption_shares(
    amount: np.ndarray, price: np.ndarray, put_factor: np.ndarray | float, where: np.ndarray
) -> np.ndarray:
    """q = A / (S × f) on ``where`` cells, 0 elsewhere, +inf past ``MAX_SHARES`` (``calc.model.rounding.quotient``)."""
    return quotient(amount, price * put_factor, where)


def exact_redemption_per_share(amount: Fraction, price: float, put_factor: float) -> Fraction:
    """q = A / (S × f) exactly (S, f: float inputs taken at their decimal value)."""
    return amount / (decimal_value(price) * decimal_value(put_factor))


def dividend_usd(amount: np.ndarray, coupon_rate: float) -> np.ndarray:
    """A × r: the dividend due on A USD of LP (A = N_record × LP_start)."""
    return amount * coupon_rate


def dividend_shares(due: np.ndarray, price: np.ndarray, sale_factor: np.ndarray, where: np.ndarray) -> np.ndarray:
    """d = A × r / (S × f): common for a dividend ``due`` paid in stock sold at S × f, on ``where`` cells, 0
    elsewhere, +inf past ``MAX_SHARES``."""
    return quotient(due, price * sale_factor, where)


def exact_dividend_shares(due: Fraction, price: float, sale_factor: float) -> Fraction:
    """d = A × r / (S × f) exactly (S, f: float inputs taken at their decimal value)."""
    return due / (decimal_value(price) * decimal_value(sale_factor))


def call_bound(trigger_pct: np.ndarray) -> np.ndarray:
    """1000 × (1 + g/100): the S × CR a rational issuer's call needs, per path (P, 1)."""
    return np.full((len(trigger_pct), 1), float(BASIS_USD)) * (1.0 + trigger_pct[:, None] / 100.0)


def exact_call_bound(trigger_pct: float) -> Fraction:
    """1000 × (1 + g/100) exactly."""
    return BASIS_USD * (1 + decimal_value(trigger_pct) / 100)


def in_the_money(
    prices: np.ndarray,
    rate: np.ndarray | float,
    exact_rate: Callable[[Index], Fraction],
    bound: np.ndarray | float = float(BASIS_USD),
    exact_bound: Callable[[Index], Fraction] = lambda _: Fraction(BASIS_USD),
) -> np.ndarray:
    """S × CR ≥ 1000 (conversion value ≥ LP, i.e. price ≥ conversion price), or ≥ ``bound``, cell by cell,
    decided exactly (``exact_at_least``; ``exact_rate``/``exact_bound`` give a cell's exact CR and bound)."""
    return exact_at_least(prices * rate, bound, lambda i: decimal_value(prices[i]) * exact_rate(i) >= exact_bound(i))


def rational_holder(
    in_money: np.ndarray, decision_date: np.ndarray, put_date: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(converts, puts) of a rational holder: converts at a decision date when in the money, puts at a put
    date when not (broadcast bool arrays)."""
    return decision_date & in_money, put_date & ~in_money
