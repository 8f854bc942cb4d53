"""SQL queries per request, counted with Django's test client: a helper process of bench/run.py.

Run with the interpreter of the site being measured (the project's venv or
the stock baseline's), with that site's environment (DATABASE_URL, …):

    python bench/queries.py --pythonpath . --settings cms.settings.production --host 127.0.0.1 \
        --spec '[{"name": "listing", "path": "/api/v1/pages/?…", "mode": "uncached"}]'

Each spec entry is measured as a running server would see it:

- every request is made once first (renditions made on first use, Django's
  per-process caches such as content types filled);
- `uncached`: the project's response cache is switched off and the Django
  cache cleared, then the site directory (`cms.routing.HomeDirectory`) is
  loaded again, as a running process always has it; for a site without that
  module (the stock baseline), nothing is cleared;
- `cached`: the response cache is on and the response was just rendered, so
  the counted request is a hit;
- `headers` are sent with the counted request (e.g. If-None-Match for a 304).

Prints one JSON line: for each entry its status, body size and query count.
"""

import argparse
import json
import os
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pythonpath", required=True)
    parser.add_argument("--settings", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--spec", required=True, help="JSON list of {name, path, mode, headers}")
    args = parser.parse_args()

    sys.path.insert(0, os.path.abspath(args.pythonpath))
    os.environ["DJANGO_SETTINGS_MODULE"] = args.settings
    import django

    django.setup()

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    try:
        from cms.routing import HomeDirectory
    except ImportError:
        HomeDirectory = None

    client = Client()
    results = {}
    for entry in json.loads(args.spec):
        mode = entry.get("mode", "uncached")
        headers = entry.get("headers") or {}
        with override_settings(CMS_API_CACHE_ENABLED=(mode == "cached")):
            warm = client.get(entry["path"], HTTP_HOST=args.host)
            if mode == "uncached" and HomeDirectory is not None:
                cache.clear()
                HomeDirectory.load()
            with CaptureQueriesContext(connection) as captured:
                response = client.get(entry["path"], headers=headers, HTTP_HOST=args.host)
        results[entry["name"]] = {
            "queries": len(captured.captured_queries),
            "status": response.status_code,
            "warm_up_status": warm.status_code,
            "bytes": len(response.content),
        }
    print("BENCH_JSON " + json.dumps(results))


if __name__ == "__main__":
    main()
