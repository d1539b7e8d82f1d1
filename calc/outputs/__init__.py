"""Writing outputs: safe files (``files``: planned before any work, atomic writes, same-file checks), the grid
export (CSV/Parquet), the Excel workbook, the HTML report, the inputs record and the "In plain words" text.

It imports ``calc.model``, ``calc.inputs`` and ``calc.scenario_doc``; nothing in the model imports it.
"""
