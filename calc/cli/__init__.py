"""The command line, ``python -m calc COMMAND``: the only part of ``calc`` that prints.

``main`` (parser, error rule, exit codes), ``commands`` (one module per command, listed in
``commands.COMMANDS``), ``flags`` (shared scenario and ledger flags), ``arg_types`` (argparse value
types), ``progress`` (stderr progress bar), ``json_output`` (strict JSON printing).
"""
