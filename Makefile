# The two commands of README.md live here: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The portal (frontend/serve.sh) beside the CMS.
PORTAL_PORT ?= 3000
# The webhook secret and API key load_demo_content registers for the portal and the portal uses (made once).
DEMO_PORTAL_ENV := var/demo-portal.env
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
run: install $(DEMO_PORTAL_ENV)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py collectstatic --no-input --verbosity 0
	. frontend/demo-portal-env.sh && demo_portal_env . $(DEMO_PORTAL_ENV) && $(PY) manage.py load_demo_content
	$(PY) manage.py ensure_admin
	$(MAKE) --no-print-directory serve

## make serve: the web server, the task worker, the downloads and uploads sweeps and the portal on :$(PORTAL_PORT)
## (frontend/serve.sh, which serves nothing without Node.js 20+), stopped together with Ctrl-C.
# The portal proxies the account calls to the CMS: its origin must be trusted for CSRF.
# Only for run and serve: exported to every recipe, they would reach `make test`'s settings too.
run serve: export DJANGO_CSRF_TRUSTED_ORIGINS ?= http://$(HOST):$(PORTAL_PORT),http://127.0.0.1:$(PORTAL_PORT),http://localhost:$(PORTAL_PORT)
# Account e-mails, previews and webhooks go to the portal where it runs (load_demo_content registers it there).
run serve: export ACCOUNTS_FRONTEND_URL ?= http://$(HOST):$(PORTAL_PORT)
run serve: export PORTAL_PORT := $(PORTAL_PORT)
# Not a secret worth more than this machine: a fresh random pair per checkout, kept out of git (/var/).
$(DEMO_PORTAL_ENV): | $(VENV)/.installed
	mkdir -p $(dir $@)
	umask 077 && $(PY) -c 'import base64, secrets; print("DEMO_PORTAL_WEBHOOK_SECRET=whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()); print(f"DEMO_PORTAL_API_KEY=fe_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}")' > $@.tmp && mv $@.tmp $@
serve:
	@echo "Admin: http://$(HOST):$(PORT)/admin/"
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) manage.py db_worker --queue-name '*' & \
	$(PY) manage.py expire_downloads --every 600 --verbosity 0 & \
	$(PY) manage.py expire_uploads --every 3600 --verbosity 0 & \
	CMS_URL=http://$(HOST):$(PORT) PORTAL_HOST=$(HOST) DEMO_PORTAL_ENV=$(CURDIR)/$(DEMO_PORTAL_ENV) frontend/serve.sh & \
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

## make bench-uploads: a 5 GB master through the tus upload path against `curl -T` to a plain endpoint, and the
## ingest of a one-hour 1080p master against sha256sum (docs/benchmarks.md). Quicker: BENCH_ARGS="--size-gb 0.5".
.PHONY: bench-uploads
bench-uploads: install
	$(PY) bench/uploads.py $(BENCH_ARGS)
