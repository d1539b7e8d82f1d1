"""Reading inputs: the ``data/`` paths, the parsers of what users type or upload (numbers, CSV records, the
filing, the register, grants, grids, events, scenario parameters) and of the shipped TOML files (terms,
instruments, option forms, fund families, history), and ``data``: one cached loader per shipped file.

Each parser reports every ``calc.errors.Problem`` at once and returns ``calc.model`` values. It imports
``calc.model``, ``calc.errors`` and (for the grid writer) ``calc.outputs.files``; the model never imports it.
"""
