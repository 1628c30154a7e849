# xconsole — the two set-up commands are `make demo` and `make test`; both work from a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-dev
RUNTIME := $(VENV)/.installed-runtime

.PHONY: demo test test-under-load test-fast lint bench screenshots serve clean

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

## Run the demo: the console on the embedded sandbox with demo teams (no account, no keyring).
## Installs the runtime dependencies only; the test tools come with `make test`.
demo: $(RUNTIME)
	$(VENV)/bin/xconsole --sandbox

## Everything CI runs: system packages when missing, the import contracts, then the test suite.
test: $(STAMP)
	bash scripts/ensure-system-deps.sh
	$(VENV)/bin/lint-imports
	scripts/with-secret-service.sh $(PY) -m pytest -q -n auto

## The test suite with two CPU-bound processes running beside it (a busy 2-core machine): tests
## wait for conditions, never for time, so it must pass like this too. The burners always stop.
test-under-load: $(STAMP)
	bash scripts/ensure-system-deps.sh
	bash -c '$(PYTHON) -c "while True: pass" & b1=$$!; $(PYTHON) -c "while True: pass" & b2=$$!; \
		trap "kill $$b1 $$b2 2>/dev/null" EXIT; trap "exit 130" INT TERM; \
		scripts/with-secret-service.sh $(PY) -m pytest -q -n auto'

test-fast: $(STAMP)
	$(PY) -m pytest -q -x -m "not keyring"

lint: $(STAMP)
	$(VENV)/bin/lint-imports

## Serve the sandbox over HTTP on 127.0.0.1:8787 (persistent database in the user data dir).
serve: $(RUNTIME)
	$(VENV)/bin/xconsole sandbox serve

## Benchmarks against a bare Textual app (bytecode compiled first, as a user's install would be).
bench: $(STAMP)
	bash scripts/ensure-system-deps.sh
	$(PY) -m compileall -q xconsole bench tests $(VENV)/lib >/dev/null || true
	PYTHONDONTWRITEBYTECODE= scripts/with-secret-service.sh $(PY) bench/run.py

screenshots: $(STAMP)
	bash scripts/ensure-system-deps.sh
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
