# Two commands on a fresh machine: `make run` and `make test`. Each builds .venv from nothing if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Start Rounds on your database (created in the user data directory on first save).
run: $(STAMP)
	$(BIN)/rounds

## Fill the database with synthetic demo cases (only if it is empty), then open it.
demo: $(STAMP)
	$(BIN)/rounds demo --if-empty
	@if [ -t 0 ] && [ -t 1 ]; then $(BIN)/rounds; else echo "Open it with: make run"; fi

## Run the whole test suite.
test: $(STAMP)
	$(BIN)/python -m pytest

## Print store, export and TUI start-up figures at 1,000 and 10,000 cases, and the protocol sign-off's cost.
bench: $(STAMP)
	$(BIN)/python benchmarks/store_bench.py
	$(BIN)/python benchmarks/export_bench.py
	$(BIN)/python benchmarks/tui_bench.py
	$(BIN)/python benchmarks/protocol_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
