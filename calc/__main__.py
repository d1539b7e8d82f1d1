"""Entry point for ``python -m calc``."""

from calc.cli.main import main

raise SystemExit(main())
