# Thin aliases of the standard commands. Everything installs into .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/kokeilu
REDIS_URL ?= redis://127.0.0.1:6379/0
# test-api: a throwaway seeded SQLite file; no throttling, PDF rendering or request logs.
API_DB := $(CURDIR)/var/test-api.sqlite3
API_ENV := DATABASE_URL=sqlite:///$(API_DB) KOKEILU_API_THROTTLE_USER=100000/minute \
	KOKEILU_API_THROTTLE_ANON=100000/minute KOKEILU_CONTRACT_PDF=false DJANGO_LOG_LEVEL=ERROR

.PHONY: install run test test-services lint format services messages
.PHONY: test-api

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

messages: install
	@if find . -path ./.venv -prune -o -name '*.po' -print | grep -q .; then \
		$(PY) manage.py compilemessages --ignore=.venv --verbosity 0; fi

run: install messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: install messages
	$(PY) -m pytest -n 2 -m "not services and not browser"

services:
	pg_isready -q -h 127.0.0.1 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
	for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done

test-api: install
	rm -f $(API_DB) $(API_DB)-wal $(API_DB)-shm
	$(API_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	$(API_ENV) $(PY) manage.py seed_demo
	$(API_ENV) $(PY) manage.py api_schemathesis --user agent
	rm -f $(API_DB) $(API_DB)-wal $(API_DB)-shm

test-services: install messages services
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) $(PY) -m pytest -m "not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
