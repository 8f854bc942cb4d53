"""Search latency over a large bilingual portal: `/api/v1/search/` beside stock API v2 `?search=`, and suggestions.

Prepares a database (PostgreSQL by default) with `generate_content` until it
holds --pages searchable pages (half English, half their French
translations), makes sure both indexes are full (the portal's and Wagtail's
default backend), then sends each typical query --requests times to each
endpoint in-process through Django's test client (no HTTP server, response
cache off, one thread) and prints p50/p99 latency and requests/s as a
Markdown table (copied into docs/benchmarks.md), then the same for
`/api/v1/search/suggest/` with typical prefixes.

    .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --database-url sqlite:////tmp/search-bench.sqlite3 --pages 2000
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# (query, locale): what readers typically type; the load mix of bench/run.py sends them too.
from traffic import SEARCHES as QUERIES

ROOT = Path(__file__).resolve().parent.parent

# (prefix, locale): what readers have typed when suggestions are asked for.
PREFIXES = [
    ("défen", "fr"),
    ("secrétaire gén", "fr"),
    ("minis", "fr"),
    ("cyb", "en"),
    ("NATO Sec", "en"),
    ("mariti", "en"),
    ("Clai", None),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cms_search_bench")
    parser.add_argument("--pages", type=int, default=10_000, help="searchable pages, translations included")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per query and endpoint")
    return parser.parse_args()


def setup_django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    # One client sends every request: the anonymous rate limit would measure itself.
    os.environ["API_ANONYMOUS_RATE_LIMIT"] = "1000000/s"
    if database_url.startswith("postgres"):
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        admin = database_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()


def prepare(pages: int) -> int:
    from django.core.management import call_command

    from search import vocabulary
    from search.models import SearchDocument, VocabularyWord

    call_command("migrate", verbosity=0)
    if not VocabularyWord.objects.exists():  # documents indexed before the vocabulary existed
        print(f"Counting the vocabulary: {vocabulary.recount()} words", flush=True)
    have = SearchDocument.objects.count()
    missing = max(0, pages - have) // 2
    if missing:
        print(f"Generating {2 * missing} pages (have {have})...", flush=True)
        news, interviews = missing * 6 // 10, missing * 25 // 100
        call_command("generate_content", news=news, interviews=interviews, videos=missing - news - interviews)
    return SearchDocument.objects.count()


def api_v2_urls():
    """Wagtail's stock API v2 pages endpoint, mounted for this run only."""
    from django.urls import include, path
    from wagtail.api.v2.router import WagtailAPIRouter
    from wagtail.api.v2.views import PagesAPIViewSet

    router = WagtailAPIRouter("wagtailapi")
    router.register_endpoint("pages", PagesAPIViewSet)
    from cms import urls as project_urls

    return [path("api/v2/", router.urls), path("", include(project_urls))]


urlpatterns = []


def measure(client, url: str, params: dict, requests: int) -> dict:
    for _ in range(3):  # warm: renditions, per-process caches
        response = client.get(url, params)
        assert response.status_code == 200, (url, params, response.content[:300])
    timings = []
    started = time.perf_counter()
    for _ in range(requests):
        before = time.perf_counter()
        client.get(url, params)
        timings.append(time.perf_counter() - before)
    elapsed = time.perf_counter() - started
    timings.sort()
    return {
        "p50": statistics.median(timings) * 1000,
        "p99": timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))] * 1000,
        "rps": requests / elapsed,
        "count": _count(response),
    }


def _count(response) -> int:
    body = response.json()
    if "count" not in body and "meta" not in body:
        return len(body.get("items", []))  # suggestions
    return body.get("count", body.get("meta", {}).get("total_count", 0))


def main():
    args = parse_args()
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    total = prepare(args.pages)
    urlpatterns.extend(api_v2_urls())
    client = Client()
    rows = []
    with override_settings(CMS_API_CACHE_ENABLED=False, ROOT_URLCONF=__name__):
        for query, locale in QUERIES:
            ours = {"q": query, **({"locale": locale} if locale else {})}
            stock = {"search": query, "type": "wagtailcore.Page", **({"locale": locale} if locale else {})}
            portal = measure(client, "/api/v1/search/", ours, args.requests)
            wagtail = measure(client, "/api/v2/pages/", stock, args.requests)
            rows.append((query, locale or "any", portal, wagtail))
            print(f"  {query!r}: {portal['p50']:.1f} ms / {wagtail['p50']:.1f} ms", flush=True)

        suggested = []
        for prefix, locale in PREFIXES:
            params = {"q": prefix, **({"locale": locale} if locale else {})}
            timing = measure(client, "/api/v1/search/suggest/", params, args.requests)
            suggested.append((prefix, locale or "any", timing))
            print(f"  suggest {prefix!r}: {timing['p50']:.1f} ms", flush=True)

    load = os.getloadavg()[0]
    print(
        f"\n{total} searchable pages on {connection.vendor}, {args.requests} requests per query, one thread, "
        f"{os.cpu_count()} CPUs, load average {load:.1f}\n"
    )
    header = ["query", "locale", "/api/v1/search/ p50", "p99", "req/s", "matches"]
    header += ["API v2 `?search=` p50", "p99", "req/s", "matches"]
    print("| " + " | ".join(header) + " |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for query, locale, portal, wagtail in rows:
        print(
            f"| {query} | {locale} | {portal['p50']:.1f} ms | {portal['p99']:.1f} ms | {portal['rps']:.0f} | "
            f"{portal['count']} | {wagtail['p50']:.1f} ms | {wagtail['p99']:.1f} ms | {wagtail['rps']:.0f} | "
            f"{wagtail['count']} |"
        )

    print("\n| prefix | locale | /api/v1/search/suggest/ p50 | p99 | req/s | suggestions |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for prefix, locale, timing in suggested:
        print(
            f"| {prefix} | {locale} | {timing['p50']:.1f} ms | {timing['p99']:.1f} ms | {timing['rps']:.0f} | "
            f"{timing['count']} |"
        )


if __name__ == "__main__":
    main()
