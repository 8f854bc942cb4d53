#!/usr/bin/env bash
# Time to first byte of a portal page served by `next start`, from Next.js's cache: one request warms the
# cache, then N requests one after another; prints the median, 90th percentile and maximum (curl's
# time_starttransfer). Usage: bench/portal_ttfb.sh [URL] [N]
#   default URL: the seed article in French on http://127.0.0.1:3000, N = 200.
set -euo pipefail
URL=${1:-http://127.0.0.1:3000/fr/actualites/defense-intelligente-les-ministres-font-le-point/}
N=${2:-200}
status=$(curl -s -o /dev/null -w '%{http_code}' "$URL")
[ "$status" = 200 ] || { echo "$URL answered $status" >&2; exit 1; }
for _ in $(seq "$N"); do curl -s -o /dev/null -w '%{time_starttransfer}\n' "$URL"; done | sort -n | awk -v n="$N" -v url="$URL" '
  { t[NR] = $1 * 1000 }
  END { printf "%s: %d requests, TTFB median %.1f ms, p90 %.1f ms, max %.1f ms\n", url, n, t[int((n + 1) / 2)], t[int(n * 0.9)], t[n] }'
