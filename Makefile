# Entry points, used by README and .ci/run (`make test` runs `make lint` first).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/python: requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt
	touch $(BIN)/python

.PHONY: setup run lint check test deep chromium bench
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

test: lint chromium
	$(BIN)/python -m pytest

# The inner loop: lint and every test except the browser ones (no chromium needed)
check: lint
	$(BIN)/python -m pytest -m "not browser"

# Every test, property tests at 500 examples each instead of 40 (slower; before a release)
deep: lint chromium
	HYPOTHESIS_PROFILE=deep $(BIN)/python -m pytest

# Performance targets of issue 14: one table (measured, baseline in the same run, ratio, target). Not part of `test`.
bench: setup
	$(BIN)/python benchmarks/run_all.py
