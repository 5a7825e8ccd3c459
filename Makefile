SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run prod test setup setup-dev migrate-check clean

# The service with demo data on SQLite in instance/, at http://127.0.0.1:$(PORT).
run: setup
	./scripts/system-deps.sh run
	$(BIN)/flask db upgrade
	$(BIN)/flask seed --demo
	CPP_PUBLIC_URL=$${CPP_PUBLIC_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# The production setup (gunicorn + PostgreSQL database cpp_prod + Redis, JSON logs) with demo data,
# at http://127.0.0.1:8000 unless PORT is given; see deploy/README.md.
prod: setup
	./scripts/system-deps.sh run
	PORT=$(if $(filter-out file,$(origin PORT)),$(PORT),8000) ./deploy/local-prod.sh

# Lint, then the whole suite on SQLite (with the browser journeys) and, at the same time, on PostgreSQL followed by
# every bench on tiny data (`--smoke`, seconds each), so that no bench rots.
test: setup-dev
	./scripts/system-deps.sh test
	$(BIN)/ruff check cpp_app tests bench migrations
	$(BIN)/bandit -q -r cpp_app -c pyproject.toml
	./scripts/test-passes.sh

setup: $(VENV)/.installed-run
setup-dev: $(VENV)/.installed-dev node_modules/.installed

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# The Nu HTML Checker and axe-core, which the browser tests run over every page.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache node_modules
