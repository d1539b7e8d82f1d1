# Entry points, used by README and .ci/run (`make test` runs `make lint` first).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/python: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	touch $(BIN)/python

.PHONY: setup run lint check test deep chromium libreoffice bench
setup: $(BIN)/python

run: setup
	$(BIN)/streamlit run app.py

# Debian's chromium for the browser tests (root; skipped when already present)
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q chromium)

# The checks configured in pyproject.toml: lint, formatting, types (tests/ and benchmarks/ included)
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# LibreOffice Calc for the workbook's print test (root; ~35 s; skipped when already present)
libreoffice:
	@command -v soffice >/dev/null 2>&1 || (apt-get update -q && apt-get install -y -q libreoffice-calc-nogui)

test: lint chromium libreoffice
	$(BIN)/python -m pytest

# The inner loop: lint and every test except the browser and LibreOffice ones (no chromium or soffice needed)
check: lint
	$(BIN)/python -m pytest -m "not browser and not render"

# Every test, property tests at 500 examples each instead of 40 (slower; before a release)
deep: lint chromium libreoffice
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest

# Performance targets of issue 14: one table (measured, baseline in the same run, ratio, target). Not part of `test`.
bench: setup
	$(BIN)/python benchmarks/run_all.py
