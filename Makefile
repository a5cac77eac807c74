# Thin aliases of the standard commands. Everything installs into .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PG_URL ?= postgres://postgres@127.0.0.1:5432/kokeilu
REDIS_URL ?= redis://127.0.0.1:6379/0
# check-deploy: Django's deployment checklist with production-like settings (HTTPS, HSTS,
# secure cookies, a random key), failing on any warning.
DEPLOY_ENV := DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=kokeilu.example.org \
	DJANGO_SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") \
	DJANGO_SECURE_COOKIES=true DJANGO_SECURE_SSL_REDIRECT=true DJANGO_SECURE_HSTS_SECONDS=31536000 \
	DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=true DJANGO_SECURE_HSTS_PRELOAD=true
# test-e2e: Playwright on Debian's Chromium, axe-core from npm (tests/e2e/package.json).
CHROMIUM ?= /usr/bin/chromium
# test-api: a throwaway seeded SQLite file; no throttling, PDF rendering or request logs.
API_DB := $(CURDIR)/var/test-api.sqlite3
API_ENV := DATABASE_URL=sqlite:///$(API_DB) KOKEILU_API_THROTTLE_USER=100000/minute \
	KOKEILU_API_THROTTLE_ANON=100000/minute KOKEILU_CONTRACT_PDF=false DJANGO_LOG_LEVEL=ERROR
# bench: B1-B3 (bench/run.py) on SQLite, then on PostgreSQL (a fresh test_kokeilu_bench).
# Sizes: make bench BENCH_SIZES=1000,10000 BENCH_LIFECYCLES=50 BENCH_REPEAT=20
BENCH_SIZES ?= 1000,10000,100000
BENCH_LIFECYCLES ?= 100
BENCH_REPEAT ?= 30
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/kokeilu_bench
BENCH_ARGS = --sizes $(BENCH_SIZES) --lifecycles $(BENCH_LIFECYCLES) --repeat $(BENCH_REPEAT)
BENCH_ENV := DJANGO_SETTINGS_MODULE=bench.settings CELERY_BROKER_URL=redis://127.0.0.1:6379/10

.PHONY: install run test test-services lint format services messages
.PHONY: test-api check-deploy test-e2e messages-update
.PHONY: bench

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

# Update locale/fi and locale/sv from the source (makemessages, keeping Viewflow's strings;
# see docs/translations.md), then compile them. Translate what it reports as untranslated.
messages-update: install
	$(PY) manage.py messages_update
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

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
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=$(REDIS_URL) $(PY) -m pytest -n 2 -m "not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check
	$(MAKE) check-deploy

check-deploy: install
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

test-e2e: install messages
	test -x $(CHROMIUM) || (apt-get update -qq && apt-get install -y -qq chromium)
	cd tests/e2e && (npm ci --no-audit --no-fund --loglevel=error || \
		npm install --no-audit --no-fund --loglevel=error)
	mkdir -p var/e2e/screenshots
	KOKEILU_E2E_CHROMIUM=$(CHROMIUM) $(PY) -m pytest -p no:xdist -m browser tests/e2e

bench: install messages services
	mkdir -p var/bench
	$(BENCH_ENV) DATABASE_URL=sqlite:///$(CURDIR)/var/bench.sqlite3 \
		$(PY) -m bench.run $(BENCH_ARGS) --json var/bench/sqlite.json --markdown var/bench/sqlite.md
	$(BENCH_ENV) DATABASE_URL=$(BENCH_PG_URL) \
		$(PY) -m bench.run $(BENCH_ARGS) --json var/bench/postgresql.json \
		--markdown var/bench/postgresql.md

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
