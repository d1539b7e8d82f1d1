"""The command line, ``python -m calc COMMAND`` (``calc.__main__`` runs ``cli.main.main``): the only part of
the project that prints; a user interface, outside the pure package ``calc``.

``main`` (parser, error rule, exit codes), ``commands`` (one module per command, listed in
``commands.COMMANDS``), ``flags`` (shared scenario and ledger flags), ``arg_types`` (argparse value
types), ``progress`` (stderr progress bar), ``json_output`` (strict JSON printing).
"""
