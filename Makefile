# Kommungemensamt – the two commands are `make run` and `make test`; `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/kommungemensamt
# The data set make run/run-worker/demo load (manage.py load_dataset): tyreso or exempelkommun.
# Empty (make run DATASET=) starts an empty portal that guides its administrator through the set-up.
DATASET ?= tyreso
LOAD_DATASET = $(if $(strip $(DATASET)),DEBUG=1 $(PY) manage.py load_dataset $(DATASET),@echo "No data set loaded (DATASET is empty): the front page shows the set-up steps")

# Django 6 needs Python >= 3.12. Use $(PYTHON) if given, else the first suitable one found.
PYTHON ?= $(shell for c in python3.13 python3.12 \
	$$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3; do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help install run run-worker demo chromium pango redis-server nodejs oidc-idp xmlsec1 test test-browser test-postgres lint format messages check-deploy audit fault-test nodes-test bench clean

help: ## List the commands
	@echo "Kommungemensamt – kommungemensamma områden för en kommun (make run DATASET=tyreso, exempelkommun or empty)"
	@echo
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python >= 3.12 found (Django 6 needs it). Install one, or run: make PYTHON=/path/to/python3.12 ..." >&2; \
	  exit 1; \
	fi
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the dependencies

run: $(STAMP) ## Set up everything (SQLite), load DATASET (tyreso; exempelkommun; empty: none) and serve http://127.0.0.1:8000/
	DEBUG=1 $(PY) manage.py migrate --no-input -v0
	$(LOAD_DATASET)
	@DEBUG=1 $(PY) manage.py ensure_dev_superuser
	@echo "Serving the portal on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/, stop with Ctrl-C)"
	@echo "E-mail is printed here when its transaction commits (immediate tasks backend); make run-worker sends it through a worker as production does."
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The production e-mail path in development: the database tasks backend, and the outbox's
# worker (manage.py db_worker) running beside runserver; both stop with Ctrl-C.
run-worker: export TASKS_BACKEND := django_tasks_db.DatabaseBackend
run-worker: $(STAMP) ## Like run, but e-mail goes through the database task queue and a worker (db_worker) beside runserver
	DEBUG=1 $(PY) manage.py migrate --no-input -v0
	$(LOAD_DATASET)
	@DEBUG=1 $(PY) manage.py ensure_dev_superuser
	@echo "Serving the portal on http://$(HOST):$(PORT)/ with an e-mail worker (stop both with Ctrl-C)"
	DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

demo: $(STAMP) ## Like run, with clearly marked fictional demo data added (load_dataset DATASET --demo)
	DEBUG=1 $(PY) manage.py migrate --no-input -v0
	$(LOAD_DATASET) $(if $(strip $(DATASET)),--demo)
	@DEBUG=1 $(PY) manage.py ensure_dev_superuser
	@echo "Serving the portal on http://$(HOST):$(PORT)/"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

chromium: ## Install Debian's Chromium for the browser tests when it is missing
	@test -x /usr/bin/chromium || { \
	  echo "Installing Chromium (Debian package) for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	}

xmlsec1: ## Install Debian's xmlsec1 (pysaml2 signs and checks SAML messages with it) when it is missing
	@command -v xmlsec1 >/dev/null || { \
	  echo "Installing xmlsec1 (Debian package) for SAML sign-in"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq xmlsec1 >/dev/null; \
	}

pango: ## Install Debian's Pango and DejaVu fonts (WeasyPrint makes the report's PDF with them) when missing
	@test -n "$$(ls /usr/lib/libpangoft2-1.0.so.0 /usr/lib/*/libpangoft2-1.0.so.0 2>/dev/null)" \
	  && test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { \
	  echo "Installing Pango and DejaVu fonts (Debian packages) for the report's PDF"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	}

redis-server: ## Install Debian's redis-server (tests start their own on other ports) when it is missing
	@command -v redis-server >/dev/null || { \
	  echo "Installing redis-server (Debian package) for the Redis outage tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; \
	}

# The single sign-on tests' OpenID Connect provider (node's oidc-provider, tests/sso/oidc_idp/).
OIDC_IDP := tests/sso/oidc_idp

nodejs: ## Install Debian's nodejs and npm (the test OpenID Connect provider) when missing
	@command -v node >/dev/null && command -v npm >/dev/null || { \
	  echo "Installing nodejs and npm (Debian packages) for the single sign-on tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	}

$(OIDC_IDP)/node_modules/.package-lock.json: $(OIDC_IDP)/package-lock.json
	cd $(OIDC_IDP) && npm ci --no-audit --no-fund --loglevel=error

oidc-idp: nodejs $(OIDC_IDP)/node_modules/.package-lock.json ## Install the test OpenID Connect provider (npm ci) when missing or changed

test: $(STAMP) chromium redis-server oidc-idp xmlsec1 pango ## Install and run the whole test suite (SQLite, or DATABASE_URL)
	# Tests marked `postgres` need several real connections at once: `make test-postgres` runs them.
	$(PY) -m pytest -m "not postgres"

test-postgres: $(STAMP) redis-server oidc-idp xmlsec1 pango ## Run the suite (without the browser tests) against local PostgreSQL
	@psql "$(dir $(PG_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(PG_URL))'" | grep -q 1 \
	  || psql "$(dir $(PG_URL))postgres" -c "CREATE DATABASE $(notdir $(PG_URL))"
	DATABASE_URL=$(PG_URL) $(PY) -m pytest -m "not browser"

test-browser: $(STAMP) chromium oidc-idp xmlsec1 ## Run only the browser tests (Playwright + Chromium + axe-core)
	$(PY) -m pytest -m browser

bench: $(STAMP) ## Benchmark (not part of make test): seed PostgreSQL, serve with gunicorn, load with wrk, check the floors (~10 min)
	$(PY) bench/run.py

lint: $(STAMP) ## ruff check and format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP) ## Format the code with ruff
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

messages: $(STAMP) ## Update and compile the translation catalogues (sv, en)
	$(PY) manage.py makemessages -l sv -l en --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

check-deploy: $(STAMP) ## manage.py check --deploy with production settings
	DEBUG=0 SECRET_KEY=check-deploy-$$(openssl rand -hex 32) ALLOWED_HOSTS=example.org SITE_URL=https://example.org $(PY) manage.py check --deploy --fail-level WARNING

audit: $(STAMP) ## Known vulnerabilities in the installed dependencies (pip-audit where it reaches PyPI, else PyPI's JSON API; fails when any could not be checked)
	$(PY) scripts/audit.py

fault-test: $(STAMP) redis-server ## Under load: restart local PostgreSQL (503, recovery, no lost write), stop and pause an own Redis (no 5xx, recovery time; installs redis-server)
	$(PY) scripts/fault_test.py

nodes-test: $(STAMP) ## Two gunicorn nodes sharing PostgreSQL and Redis (logins, publications, rate limits), behind nginx under 200 slow clients (installs nginx-light)
	$(PY) scripts/nodes_test.py

clean: ## Remove the virtualenv and the development database
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .django_cache
