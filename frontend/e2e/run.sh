#!/usr/bin/env bash
# make e2e: the real CMS (gunicorn, db_worker, an aiosmtpd catcher) on a fresh SQLite database with the demo
# content, the built front end (next build && next start), then Playwright Test on Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PY:-$ROOT/.venv/bin/python}
WORK=$(mktemp -d /tmp/portal-e2e.XXXXXX)
CMS_PORT=${E2E_CMS_PORT:-18010}
SMTP_PORT=${E2E_SMTP_PORT:-18025}
PORTAL_PORT=${E2E_PORTAL_PORT:-3000}
# Its own cache too: the shared var/cache/ kept API answers of an earlier run, whose image renditions lay in
# that run's MEDIA_ROOT (the pages then showed no images).
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" MEDIA_ROOT="$WORK/media" CACHE_DIR="$WORK/cache" DJANGO_SETTINGS_MODULE=cms.settings.dev
export EMAIL_URL="smtp://127.0.0.1:$SMTP_PORT" ACCOUNTS_FRONTEND_URL="http://127.0.0.1:$PORTAL_PORT"
export DJANGO_CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$PORTAL_PORT" PORTAL_URL="http://127.0.0.1:$PORTAL_PORT" DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost"
export CMS_URL="http://127.0.0.1:$CMS_PORT" E2E_MAILDIR="$WORK/mail" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1
# The portal as load_demo_content registers it: the CMS signs webhooks with this secret and the front end
# verifies them with it; the key (preview scope) lets the front end read drafts.
DEMO_PORTAL_WEBHOOK_SECRET=$("$PY" -c 'import base64, secrets; print("whsec_" + base64.b64encode(secrets.token_bytes(32)).decode())')
DEMO_PORTAL_API_KEY=$("$PY" -c 'import secrets; print(f"fe_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}")')
export DEMO_PORTAL_WEBHOOK_SECRET DEMO_PORTAL_API_KEY CMS_WEBHOOK_SECRET="$DEMO_PORTAL_WEBHOOK_SECRET" CMS_API_KEY="$DEMO_PORTAL_API_KEY"
# For the specs: the CMS's Python (e2e/age_codes.py) and an ffmpeg to read durations when there is no ffprobe.
export E2E_PYTHON="$PY" E2E_FFMPEG="${E2E_FFMPEG:-$("$PY" -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')}"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
start() { setsid "$@" >>"$WORK/servers.log" 2>&1 & pids+=("$!"); }
wait_for() { for _ in $(seq 120); do curl -fsS -o /dev/null "$1" 2>/dev/null && return; sleep 1; done; echo "$1 did not answer; see $WORK/servers.log"; tail -50 "$WORK/servers.log"; exit 1; }

echo "e2e: preparing the CMS in $WORK"
"$PY" manage.py migrate --no-input -v 0
"$PY" manage.py load_demo_content -v 0
# An editor for the preview spec (createsuperuser reads the DJANGO_SUPERUSER_* variables).
export E2E_EDITOR_EMAIL=editor@example.org E2E_EDITOR_PASSWORD="Editeur-E2e-$RANDOM$RANDOM!"
DJANGO_SUPERUSER_EMAIL=$E2E_EDITOR_EMAIL DJANGO_SUPERUSER_PASSWORD=$E2E_EDITOR_PASSWORD DJANGO_SUPERUSER_FIRST_NAME=Edith \
  DJANGO_SUPERUSER_LAST_NAME=Editor "$PY" manage.py createsuperuser --no-input -v 0
mkdir -p "$E2E_MAILDIR"/tmp "$E2E_MAILDIR"/new "$E2E_MAILDIR"/cur  # a Maildir: aiosmtpd only fills it
start "$PY" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox "$E2E_MAILDIR"
start "$ROOT/.venv/bin/gunicorn" cms.wsgi -b "127.0.0.1:$CMS_PORT" -w 2 --access-logfile -
start "$PY" manage.py db_worker --queue-name '*'

cd frontend
# .ci/run has just installed it: npm ci only when node_modules is missing or older than the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error; fi
npm run build
# Next's data cache outlives the build: the API answers it holds are from the last run's database.
rm -rf .next/cache/fetch-cache
start npx next start -H 127.0.0.1 -p "$PORTAL_PORT"
wait_for "$CMS_URL/api/v1/sites/"
"$PY" -c "import socket; socket.create_connection(('127.0.0.1', $SMTP_PORT), 5)" || { echo "The SMTP catcher is not listening on $SMTP_PORT"; tail -20 "$WORK/servers.log"; exit 1; }
wait_for "$PORTAL_URL/fr/"
npx playwright test "$@"
