"""Lucent 8.00% Redeemable Convertible Preferred Stock: terms, register, conversion
arithmetic, scenario engine and dilution analytics.

Packages by job (docs/architecture.md): ``calc.model`` (the calculations, pure), ``calc.inputs`` (parsers and
the cached loaders of ``data/``), ``calc.outputs`` (files, export, workbook, report, record, narrative);
``calc.errors`` is shared by all of them; ``calc.scenario_doc`` and ``calc.scenario_run`` are the one-document
layer the command line and the dashboard both use. No module of this package prints or imports Streamlit; the
command line is the top-level package ``cli`` (``python -m calc`` runs it through ``calc.__main__``).
"""
