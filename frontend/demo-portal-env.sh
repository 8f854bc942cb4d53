# Sourced by the Makefile (make run) and by frontend/serve.sh, so that the CMS registers, and the portal uses,
# the same webhook secret and API key for the demo portal. A variable set in the environment wins, then
# .env beside manage.py (which the CMS's settings read as well), then var/demo-portal.env (written by make run).
# POSIX sh: make runs its recipes with /bin/sh.
demo_portal_env() {  # $1: the folder of manage.py; $2: var/demo-portal.env
  for name in DEMO_PORTAL_WEBHOOK_SECRET DEMO_PORTAL_API_KEY; do
    eval "value=\${$name:-}"
    for file in "$1/.env" "$2"; do
      if [ -z "$value" ] && [ -f "$file" ]; then
        # NAME=value or export NAME=value, the last one if repeated, without the quotes around it.
        value=$(sed -n "s/^[[:space:]]*\(export[[:space:]][[:space:]]*\)\{0,1\}$name=//p" "$file" | tail -n 1 |
          sed "s/^\"\(.*\)\"\$/\1/; s/^'\(.*\)'\$/\1/")
      fi
    done
    if [ -n "$value" ]; then export "$name=$value"; fi
  done
}
