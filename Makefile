# Nära — everything a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 3000
STAMP := $(VENV)/.installed
export REFLEX_USE_NPM := 1
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: run test setup messages lint lock licences

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }

# Reinstall when the locked versions change: exactly the versions (and files, by hash)
# the tests passed with, then the project itself without resolving anything again.
$(STAMP): requirements.lock pyproject.toml | $(BIN)/python
	# This machine's pip configuration warns about every absent local mirror; keep real errors.
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(BIN)/pip install --quiet --no-deps -e . 2>&1 | { grep -v '^WARNING: Location' || true; }
	touch $@

## Re-pin every dependency after changing pyproject.toml (then `make setup` and `make test`)
lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --extra test \
	  --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

setup: $(STAMP)
	$(BIN)/naranara migrate
	$(BIN)/naranara seed

## The app and its reminder worker, with the embedded SQLite database and demo data, on http://localhost:$(PORT)
run: setup
	@echo ""
	@echo "Nära starts on http://localhost:$(PORT) — demo sign-ins:"
	@$(BIN)/naranara demo-logins --url http://localhost:$(PORT)
	@echo ""
	@echo "The app and the reminder worker run together; Ctrl+C stops both."
	$(BIN)/naranara run --port $(PORT)

AXE := tests/e2e/node_modules/axe-core/axe.min.js
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json | $(STAMP)
	cd tests/e2e && npm ci --no-audit --no-fund
	touch $@

## Every test: unit, state and end-to-end in Chromium (installed from Debian if missing)
test: $(STAMP) $(AXE)
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  else sudo apt-get update -q && sudo apt-get install -y -q chromium; fi; }
	$(BIN)/ruff check
	@git status --porcelain > $(VENV)/git-status-before 2>/dev/null || true
	$(BIN)/python -m pytest -n auto --durations=25
	@# A run must leave the tree as it found it (no build output or data in git's view).
	@git status --porcelain 2>/dev/null | diff $(VENV)/git-status-before - \
	  || { echo "make test changed what git sees (above): ignore or remove it"; exit 1; }

## Re-extract translatable strings and merge them into locales/*/LC_MESSAGES/messages.po
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k t -k N_ -k gettext:2 -k ngettext:2,3 \
	  --no-default-keywords --sort-by-file --omit-header -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete

lint: $(STAMP)
	$(BIN)/ruff check

## Every installed dependency's licence, checked against the allow-list for EUPL-1.2
licences: $(STAMP)
	$(BIN)/python -m naranara.licences
