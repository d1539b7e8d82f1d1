"""The subcommands of ``python -m calc``: one module each, defining ``configure(parser)`` and
``run(args) -> int``.

``COMMANDS`` maps each command name to its help line (``ALIASES``: other names a command answers to, kept
for earlier scripts); ``cli.main`` lists them all in ``--help``
and imports only the module of the command being run (``cli.commands.<name>``).
"""

COMMANDS: dict[str, str] = {
    "breakeven": (
        "Compare the common issued per preferred retired on a date by an exchange (R per preferred) with the "
        "common the same share causes if left outstanding; find the flat break-even price."
    ),
    "bridge": (
        "The 2002-2004 share-count bridge: cover count at --from, + each source (every security's exchanges, "
        "settlement stock, ...), = model count at --to; the residual at each 10-Q/10-K cover date; the notes."
    ),
    "convert": "Common shares, fraction and cash in lieu for converting N preferred shares.",
    "eps": "Basic and diluted EPS: options (treasury stock), preferred or debentures (if-converted), antidilution.",
    "export": "Run every scenario of a grid CSV; write one row per scenario × holder (and a per-scenario summary).",
    "grid": "Write a scenario grid CSV for `export`: the cartesian product of parameter lists and ranges.",
    "holders": "Parse the Selling Securityholders table of a prospectus supplement into a register CSV.",
    "montecarlo": "Monte Carlo of total common outstanding (percentiles per event date) under GBM prices.",
    "offer": (
        "Evaluate an exchange offer of R common per preferred on a date: value delivered, yield to put, implied "
        "spread, break-even price, D-42 adjustment and inducement, capacity caps (NYSE 20 percent, registered, "
        "authorized)."
    ),
    "options": "Employee stock options from a grants CSV: vested/exercisable/expired/cancelled shares on a date.",
    "report": "Write one scenario as a self-contained HTML report (charts inline, no network needed; printable).",
    "scenario": (
        "Project the share issuance of one scenario; print the summary, optionally write timeline, holders, workbook."
    ),
    "securities": (
        "Every dilutive security (registry data/instruments.toml) on one price path: issued and potential "
        "shares by instrument, fully diluted count, diluted EPS with every instrument, Monte Carlo. "
        "Alias: dilution."
    ),
    "terms": "Print the terms of the preferred in force (the terms file) with the source of each (--sources).",
    "value": (
        "Fair value of the preferred on a credit-adjusted binomial lattice (per $1,000 and for the class, bond "
        "floor, conversion value, delta, debt/equity split), or the spread implied by a value (--target-value)."
    ),
}
ALIASES: dict[str, tuple[str, ...]] = {"securities": ("dilution",)}  # `dilution`: the command's earlier name
