# The two commands of the README: `make run` and `make test`. Everything else is a helper of those.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
DB      ?= data/oversight.duckdb
PORT    ?= 8501
PROCESSES ?= 2
HOST    ?= 127.0.0.1

.PHONY: run serve test test-fast lint bench loadtest install demo clean

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
	OVERSIGHT_DB=$(DB) $(BIN)/streamlit run oversight/app/asgi.py --server.port $(PORT)

## the same dashboard as N processes behind nginx, for a whole meeting at once (deploy/serve.py; README,
## docs/deployment.md): nginx on $(HOST):$(PORT) (HOST=0.0.0.0 to serve other machines), the processes on
## 127.0.0.1 at the ports after it
serve: install
	test -f $(DB) || $(BIN)/oversight demo --db $(DB)
	$(BIN)/oversight users ensure-admin --db $(DB)
	$(BIN)/python deploy/serve.py --processes $(PROCESSES) --port $(PORT) --host $(HOST) --db $(DB)

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

## leaders as websocket sessions against real servers on 127.0.0.1, one process and N behind nginx, at
## 10/25/50/100 sessions (scripts/loadtest; about 25 minutes; LOADTEST_ARGS="--sessions 10 --processes 2")
loadtest: install
	$(BIN)/python -m scripts.loadtest $(LOADTEST_ARGS)

demo: install
	$(BIN)/oversight demo --db $(DB)

clean:
	rm -rf $(VENV) $(DB) $(DB).wal
