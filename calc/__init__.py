"""Lucent 8.00% Redeemable Convertible Preferred Stock: terms, register, conversion
arithmetic, scenario engine and dilution analytics.

Everything in this package is pure calculation: no Streamlit, no plotting, no printing
(the ``calc.commands`` package holds the command-line front end).
"""
