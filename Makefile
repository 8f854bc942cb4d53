# The two commands of README.md live here: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers: one per core keeps the suite well inside CI's limit.
TEST_WORKERS ?= auto

.PHONY: run serve test lint check venv install install-dev demo clean e2e

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: set up everything, load the demo content and serve the admin and API with a task worker.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py load_demo_content
	$(PY) manage.py ensure_admin
	$(MAKE) --no-print-directory serve

## make serve: the web server, the task worker, the downloads and uploads sweeps and the portal on :3000
## (frontend/serve.sh, which serves nothing without Node.js 20+), stopped together with Ctrl-C.
# The portal proxies the account calls to the CMS: its origin must be trusted for CSRF.
export DJANGO_CSRF_TRUSTED_ORIGINS ?= http://127.0.0.1:3000,http://localhost:3000
serve:
	@echo "Admin: http://$(HOST):$(PORT)/admin/"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker --queue-name '*' & \
	$(PY) manage.py expire_downloads --every 600 --verbosity 0 & \
	$(PY) manage.py expire_uploads --every 3600 --verbosity 0 & \
	CMS_URL=http://$(HOST):$(PORT) frontend/serve.sh & \
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: install what tests need and run the whole suite.
test: install-dev
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=cms.settings.test $(PY) manage.py check
	$(PY) manage.py export_openapi --check

## make e2e: the real CMS and the built front end in Debian's Chromium (frontend/e2e/run.sh); screenshots in frontend/e2e/screenshots/.
e2e: install-dev
	frontend/e2e/run.sh $(E2E_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 media static

## make bench: the content API under load against stock Wagtail, on SQLite and PostgreSQL (docs/benchmarks.md).
## `make bench BENCH_PAGES=2000` is quicker; `make bench BENCH_ARGS="--help"` lists the options.
BENCH_PAGES ?= 10000
.PHONY: bench
bench: install
	@command -v wrk >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1 || \
	  { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >/dev/null 2>&1; } || \
	  echo "wrk could not be installed: bench/load.py will generate the load"
	$(PY) bench/run.py --pages $(BENCH_PAGES) $(BENCH_ARGS)
