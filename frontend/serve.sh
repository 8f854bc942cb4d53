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
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
npm run build --silent >/dev/null
echo "Portal: http://127.0.0.1:3000/fr/"
exec npx next start -H 127.0.0.1 -p 3000
