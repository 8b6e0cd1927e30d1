# Two commands for a newcomer: `make run` and `make test`. Everything else is plumbing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint e2e screenshots clean-db stack-test bench-compare

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 introuvable ($(PYTHON))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	DJANGO_SETTINGS_MODULE=clasportal.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=clasportal.settings.dev $(PY) manage.py seed_demo --if-empty
	@echo "Portail Clas : http://$(HOST):$(PORT)/  (comptes de démonstration dans le README, mot de passe demo-clas-2026)"
	DJANGO_SETTINGS_MODULE=clasportal.settings.dev CELERY_TASK_ALWAYS_EAGER=true $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Starts a throwaway PostgreSQL (unless DATABASE_URL is given), runs every check, stops it even on
# failure; then the real stack under faults (make stack-test).
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	bash scripts/with-postgres.sh bash scripts/checks.sh
	bash scripts/stack-test.sh

# The real stack under faults: PostgreSQL, Redis, S3 (moto), SMTP sink, gunicorn, Celery worker
# and beat, a scenario over HTTP (make test runs it too). See README, « La pile réelle ».
stack-test: install
	bash scripts/stack-test.sh

# Browser journeys alone (make test runs them too).
e2e: install
	bash scripts/ensure-chromium.sh
	bash scripts/with-postgres.sh $(PY) -m pytest -m e2e tests/e2e

# Regenerates docs/screenshots from the browser journeys.
screenshots: install
	bash scripts/ensure-chromium.sh
	CLAS_SCREENSHOTS_DIR=docs/screenshots bash scripts/with-postgres.sh $(PY) -m pytest -m e2e tests/e2e

# The previous commit (BASE, default HEAD~1) and this checkout side by side on the national data,
# production settings over HTTP (bench/README.md). QUICK=1: one round, ≤ 5 minutes.
BASE ?= HEAD~1
bench-compare:  # on an installed checkout (make install): never reinstalls
	bash scripts/with-postgres.sh $(PY) bench/compare.py --base $(BASE) $(if $(QUICK),--quick,)

clean-db:
	rm -f db.sqlite3
