"""QuantLib 1.44 (test-only dependency, requirements.txt) on the terms of the preferred it can express: the
reference of tests/test_valuation.py and benchmarks/bench_valuation.py.

Constant ratio 168.3502 (SUPP p. 1, the rate in force from 2002-06-01), cash puts at par on the put dates
(puts listed first: on 2006-08-01 QuantLib applies the put, then the call), a soft call at 120 % on the
dividend dates from 2006-08-01, cash coupons of $40 per $1,000 each Feb 1 / Aug 1 (8 % on 30/360), CRR tree,
Actual/365 Fixed, no dividend yield; QuantLib's face is 100, so values are × 10 per $1,000.
"""

from __future__ import annotations

import datetime as dt

import QuantLib as ql

from calc.inputs.data import load_terms


def quantlib_value(
    price_usd: float, spread_rate: float, steps: int, day: dt.date, volatility_rate: float, risk_free_rate: float
) -> float:
    """QuantLib's BinomialCRRConvertibleEngine on the expressible terms, per $1,000 (QuantLib's face is 100)."""
    terms = load_terms()
    p = terms.preferred

    def qd(d: dt.date) -> ql.Date:
        return ql.Date(d.day, d.month, d.year)

    ql.Settings.instance().evaluationDate = qd(day)
    calendar, day_count = ql.NullCalendar(), ql.Actual365Fixed()
    maturity = qd(p.mandatory_redemption_date)
    schedule = ql.Schedule(
        qd(dt.date(2001, 8, 1)),
        maturity,
        ql.Period(ql.Semiannual),
        calendar,
        ql.Unadjusted,
        ql.Unadjusted,
        ql.DateGeneration.Backward,
        False,
    )
    par = ql.BondPrice(100.0, ql.BondPrice.Dirty)
    callability = ql.CallabilitySchedule()
    for put in p.put_dates:  # puts first: on 2006-08-01 QuantLib applies the put, then the call
        callability.append(ql.Callability(par, ql.Callability.Put, qd(put)))
    for coupon_date in schedule:
        if coupon_date >= qd(p.issuer_call_from):
            callability.append(ql.SoftCallability(par, coupon_date, 1 + float(p.call_trigger_pct) / 100))
    ordered = ql.CallabilitySchedule()
    for c in sorted(callability, key=lambda c: c.date().serialNumber()):
        ordered.append(c)
    rate = float(terms.conversion_rates[-1].rate)
    bond = ql.ConvertibleFixedCouponBond(
        ql.AmericanExercise(qd(day), maturity),
        rate / 10,
        ordered,
        qd(p.issue_date),
        0,
        [float(p.dividend_rate)],
        ql.Thirty360(ql.Thirty360.BondBasis),
        schedule,
        100.0,
    )

    def flat(r: float) -> ql.YieldTermStructureHandle:
        return ql.YieldTermStructureHandle(ql.FlatForward(qd(day), r, day_count))

    process = ql.BlackScholesMertonProcess(
        ql.QuoteHandle(ql.SimpleQuote(price_usd)),
        flat(0.0),
        flat(risk_free_rate),
        ql.BlackVolTermStructureHandle(ql.BlackConstantVol(qd(day), calendar, volatility_rate, day_count)),
    )
    spread = ql.QuoteHandle(ql.SimpleQuote(spread_rate))
    bond.setPricingEngine(ql.BinomialCRRConvertibleEngine(process, steps, spread))
    return bond.NPV() * 10
