"""Command-line subcommands of ``python -m calc``.

Each module here is one subcommand and defines ``NAME``, ``HELP``,
``configure(parser)`` and ``run(args) -> int``; ``calc.cli`` discovers them.
"""
