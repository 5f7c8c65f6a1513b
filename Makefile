# DEL: two commands for people (`make run`, `make test`), the rest for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ASSETS := del_tool/static/vendor/dkfds/.built
TRANSLATIONS := del_tool/translations
CATALOGUES := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGUES:.po=.mo)
HOST ?= 127.0.0.1
#: Test processes (pytest-xdist); every test gets its own database, so they run side by side.
#: A file's tests stay in one process, in order (module fixtures such as the fuzzing world).
PYTEST_WORKERS ?= auto
PORT ?= 5000
#: Coverage costs the SQLite pass about 40 % more time (branch tracing), so `make test` leaves it
#: out; `make coverage` runs the suite with it.
PYTEST_COVERAGE ?=

.PHONY: run test setup install assets translations messages lint typecheck security pytest \
        bench bench-quick audit clean coverage

## run: set everything up (first time only), load demo data into an empty database, serve the
## web app with a job worker beside it
run: setup
	$(BIN)/del-tool setup --demo
	@echo "Serving DEL on http://$(HOST):$(PORT)  (Ctrl-C stops)"
	$(BIN)/del-tool serve --host $(HOST) --port $(PORT)

## test: lint, types, security scan, the test suite on SQLite (and PostgreSQL if configured), and
## the benchmark's smoke run
test: install assets translations lint typecheck security pytest bench-quick

setup: install assets translations instance/config.py

install: $(INSTALLED)
$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e ".[test,dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

## assets: copy Det Fælles Designsystem's built files from node_modules into the app's static folder
assets: $(ASSETS)
$(ASSETS): node_modules/.package-lock.json
	rm -rf del_tool/static/vendor/dkfds
	mkdir -p del_tool/static/vendor/dkfds
	cp -R node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/fonts \
	      node_modules/dkfds/dist/img del_tool/static/vendor/dkfds/
	touch $@

## translations: compile the message catalogues
translations: $(COMPILED)
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(INSTALLED)
	$(BIN)/pybabel compile --use-fuzzy -d $(TRANSLATIONS) -l $* --statistics

## messages: extract UI strings and update the catalogues (then translate the new entries)
messages: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	    --width=100 -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching \
	    --ignore-obsolete --width=100

instance/config.py: | $(INSTALLED)
	$(BIN)/del-tool init

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

security: $(INSTALLED)
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive del_tool

## pytest: the suite on SQLite with the browser tests (skipped, with the reason, without Chromium),
## then again on PostgreSQL without them (they test pages, not the database)
pytest: $(INSTALLED) $(ASSETS) $(COMPILED)
	@if [ -x "$${DEL_CHROMIUM:-/usr/bin/chromium}" ]; then \
	    echo "== Browser tests run in the SQLite pass (Chromium: $${DEL_CHROMIUM:-/usr/bin/chromium}) =="; \
	else \
	    echo "== Chromium not found at $${DEL_CHROMIUM:-/usr/bin/chromium}: browser tests will be SKIPPED (.ci/run installs it) =="; \
	fi
	DEL_TEST_POSTGRES_URL= $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_COVERAGE)
	@if [ -n "$$DEL_TEST_POSTGRES_URL" ]; then \
	    echo "== The suite again on PostgreSQL ($$DEL_TEST_POSTGRES_URL), browser tests left out =="; \
	    $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -q -p no:cacheprovider -m "not browser"; \
	else \
	    echo "DEL_TEST_POSTGRES_URL is not set: PostgreSQL run skipped (.ci/run sets it)."; \
	fi

## coverage: the suite on SQLite with branch coverage, reported per file
coverage: $(INSTALLED) $(ASSETS) $(COMPILED)
	$(MAKE) pytest PYTEST_COVERAGE="--cov --cov-report=term" DEL_TEST_POSTGRES_URL=

## bench: the benchmark at S, M and L on SQLite and PostgreSQL (about 15 minutes); JSON in bench/results/
bench: $(INSTALLED) $(COMPILED)
	$(BIN)/python -m bench

## bench-quick: the benchmark on tiny data, a smoke test in `make test` (asserts nothing about time)
bench-quick: $(INSTALLED) $(COMPILED)
	$(BIN)/python -m bench --quick --strict --out "$${DEL_BENCH_DIR:-$${TMPDIR:-/tmp}/del-bench}"

## audit: check dependencies against the advisory database (needs network; not part of test)
audit: $(INSTALLED)
	$(BIN)/pip-audit --skip-editable

clean:
	rm -rf $(VENV) node_modules del_tool/static/vendor .pytest_cache .mypy_cache .ruff_cache \
	       .coverage htmlcov $(COMPILED)
