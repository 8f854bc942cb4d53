#!/usr/bin/env bash
# make run / make serve: install, build and start the portal on http://127.0.0.1:3000 beside the CMS.
# Without Node.js 20 or later it says so and returns, and the CMS is served alone.
set -euo pipefail
cd "$(dirname "$0")"
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -lt 20 ]; then
  echo "Portal: Node.js 20 or 22 (LTS) is needed for the front end on :3000; install it from https://nodejs.org/ and run make run again. Serving the CMS alone." >&2
  exit 0
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1
HOST=${PORTAL_HOST:-127.0.0.1} PORT=${PORTAL_PORT:-3000}
# The webhook secret and preview API key make run had load_demo_content register for this portal
# (var/demo-portal.env): without them /api/revalidate answers 503 and /preview shows no draft.
# Values set in the environment win (CMS_*, then DEMO_PORTAL_*), then .env's, as for the Makefile.
env_file=${DEMO_PORTAL_ENV:-../var/demo-portal.env}
. ./demo-portal-env.sh
demo_portal_env .. "$env_file"
export CMS_WEBHOOK_SECRET="${CMS_WEBHOOK_SECRET:-${DEMO_PORTAL_WEBHOOK_SECRET:-}}" CMS_API_KEY="${CMS_API_KEY:-${DEMO_PORTAL_API_KEY:-}}"
export PORTAL_URL="${PORTAL_URL:-http://$HOST:$PORT}"
[ -n "${CMS_WEBHOOK_SECRET:-}" ] || echo "Portal: no CMS_WEBHOOK_SECRET ($env_file is missing): webhooks will not revalidate pages." >&2
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent >/dev/null
echo "Portal: http://$HOST:$PORT/fr/"
exec npx next start -H "$HOST" -p "$PORT"
