# Two commands on a fresh machine: `make run` and `make test`. Each builds .venv from nothing if needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run demo test bench clean

# The app alone needs only its own dependencies; the tests and benchmarks add theirs (pyproject extras).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(DEV_STAMP) $(RUN_STAMP)

## Start Rounds on your database (created in the user data directory on first save).
run: $(RUN_STAMP)
	$(BIN)/rounds

## Fill the database with synthetic demo cases (only if it is empty), then open it.
demo: $(RUN_STAMP)
	$(BIN)/rounds demo --if-empty
	@if [ -t 0 ] && [ -t 1 ]; then $(BIN)/rounds; else echo "Open it with: make run"; fi

## Lint (ruff: mistakes, not taste), check types (mypy), then run the whole test suite.
test: $(DEV_STAMP)
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy
	$(BIN)/python -m pytest

## Store, export and start-up details, then every figure of issue 12 in one table, at 1,000 and
## 10,000 cases. BENCH_QUICK=1: 1,000 cases only and fewer runs, for iterating.
BENCH_SIZES := $(if $(BENCH_QUICK),1000,1000 10000)
bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/store_bench.py --cases $(BENCH_SIZES) $(if $(BENCH_QUICK),--toggles 50)
	$(BIN)/python benchmarks/export_bench.py --sizes $(BENCH_SIZES)
	$(BIN)/python benchmarks/tui_bench.py --cases $(BENCH_SIZES) $(if $(BENCH_QUICK),--runs 2)
	$(BIN)/python benchmarks/rounds_bench.py $(if $(BENCH_QUICK),--quick)
	$(BIN)/python benchmarks/server_bench.py
	$(BIN)/python benchmarks/torture.py
	$(BIN)/python benchmarks/protocol_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
