"""The model: the preferred's terms as data, its per-share rules, the schedule, the vectorized engine, the ledger
plan and rules, the holder allocation and every projection (scenario, Monte Carlo, break-even, every security, EPS,
options, measures, issuance sources, sensitivity), and the scenario parameters with their rules.

Pure: it reads no file and calls no cached loader. Terms, the holder book, the registry and the events are
arguments (the entry points load them through ``calc.inputs.data``). It imports only ``calc.model`` and
``calc.errors`` (``tests/test_layers.py``).
"""
