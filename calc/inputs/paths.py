"""Where the shipped data files are (``data/``): one path each.

This module imports nothing of the project, so any module may import it (a parser's default file, the
output rule that refuses to overwrite ``data/``). The cached loaders of these files are in ``calc.inputs.data``.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
TERMS_PATH = DATA_DIR / "terms.toml"  # calc.model.terms
REGISTER_PATH = DATA_DIR / "register.csv"  # calc.inputs.register
FILING_PATH = DATA_DIR / "prospectus_supplement_2002-08-28_8pct_preferred.txt"  # calc.inputs.filing
FAMILIES_PATH = DATA_DIR / "fund_families.toml"  # calc.model.allocation
FORMS_PATH = DATA_DIR / "option_forms.toml"  # calc.model.option_forms
HISTORY_PATH = DATA_DIR / "history.csv"  # calc.model.ledger events
ACTUAL_SHARES_PATH = DATA_DIR / "common_shares_actual.csv"  # calc.inputs.history
CARRYING_VALUE_PATH = DATA_DIR / "preferred_carrying_value.csv"  # calc.inputs.history
ILLUSTRATIVE_GRANTS_PATH = DATA_DIR / "grants_illustrative.csv"  # calc.inputs.grants_csv
EXECUTIVE_GRANTS_PATH = DATA_DIR / "grants_executive_example.csv"  # calc.inputs.grants_csv
INSTRUMENTS_PATH = DATA_DIR / "instruments.toml"  # calc.model.instruments
EXCHANGE_DESK_PATH = DATA_DIR / "exchange_desk.toml"  # calc.inputs.exchange_desk_toml
REPLAY_PATH = DATA_DIR / "replay.csv"  # calc.inputs.history_replay: the 2002-2004 replay after data/history.csv
REPLAY_SOURCES_PATH = DATA_DIR / "replay_sources.toml"  # calc.inputs.replay_sources: the reported figures
PRICES_PATH = DATA_DIR / "prices.csv"  # calc.inputs.prices_csv: the closes found
DOCUMENTS_PATH = DATA_DIR / "documents.toml"  # calc.outputs.citations: document keys -> citations
