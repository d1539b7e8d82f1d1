"""Entry point for ``python -m calc``: runs the command line (the top-level package ``cli``).

The only module of ``calc`` that imports ``cli``; nothing imports it (Python runs it as ``__main__``), so the
package stays free of the user interface and the import graph has no cycle (``tests/test_layers.py``).
"""

from cli.main import main

raise SystemExit(main())
