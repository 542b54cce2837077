# The two commands of the README: `make run` and `make test`. Everything else is a helper of those.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DB      ?= data/oversight.duckdb
PORT    ?= 8501

.PHONY: run test test-fast lint bench install demo clean

$(BIN)/oversight: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(BIN)/oversight

install: $(BIN)/oversight

## build the sample district on first run, then serve the dashboard
run: install
	@bash scripts/system_check.sh
	test -f $(DB) || $(BIN)/oversight demo --db $(DB)
	$(BIN)/oversight users ensure-admin --db $(DB)
	OVERSIGHT_DB=$(DB) $(BIN)/streamlit run app.py --server.port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

## the unit-level lane a developer runs while working: no browser, no servers or subprocesses, fewer
## property-test examples, both cores (`make test` is the whole suite and what CI runs)
test-fast: install
	OVERSIGHT_FAST_TESTS=1 $(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow and not browser" -n 2

bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

demo: install
	$(BIN)/oversight demo --db $(DB)

clean:
	rm -rf $(VENV) $(DB) $(DB).wal
