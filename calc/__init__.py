"""Lucent 8.00% Redeemable Convertible Preferred Stock: terms, register, conversion
arithmetic, scenario engine and dilution analytics.

The calculation modules of this package are pure: no Streamlit, no plotting, no printing.
The one exception is the subpackage ``calc.cli`` (``python -m calc``), the command-line front
end: it parses flags, calls the calculations and prints or writes their results.
"""
