# Démarches — the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= demarches.settings.dev

.PHONY: install run test test-fast lint demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	npm ci --no-audit --no-fund --silent
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: install
	$(BIN)/python manage.py referentiels_charger
	$(BIN)/python manage.py charger_demo

## Install everything, load the demo data and serve on http://127.0.0.1:8000 with background jobs.
run: demo
	$(BIN)/python manage.py lancer

## The whole test suite (unit, integration, browser journeys).
test: install
	@command -v chromium >/dev/null 2>&1 || (apt-get install -y chromium >/dev/null 2>&1 || true)
	DJANGO_SETTINGS_MODULE=demarches.settings.test $(BIN)/pytest tests

test-fast:
	DJANGO_SETTINGS_MODULE=demarches.settings.test $(BIN)/pytest tests -m "not e2e" -x -q
