"""Where the CPU time of one API request goes: cProfile over repeated requests, in process.

Run with the project's interpreter and the environment of a benchmark database
(the same variables bench/run.py sets: DJANGO_SETTINGS_MODULE, DATABASE_URL, …):

    .venv/bin/python bench/profile_request.py --mode uncached -n 100 \
        "/api/v1/pages/?type=news.NewsArticlePage&locale=en&fields=*&limit=20"

The whole request goes through Django's WSGI handler (middleware, django-ninja,
rendering, the cache) from Django's test client, as in a gunicorn worker but
without the socket. The test client leaves database connections open between
requests; a server closes them when they are too old (CONN_MAX_AGE), so this
does too, around each request. The profiler's clock is CPU time (`time.process_time`), so
other load on the machine does not inflate the figures; cProfile's own
overhead does, roughly evenly. With several paths, the requests go through them in turn, after
one warm-up request each. Prints the mean CPU time per request, the
queries per request, then the top functions by own time and by cumulative time.
"""

import argparse
import cProfile
import itertools
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# Where an API request's time goes, in the project's own terms (cumulative, so they overlap).
DEFAULT_FOCUS = ",".join(
    [
        "handlers/base.py:get_response",
        "ninja/operation.py:run",
        "ninja/operation.py:_get_values",
        "ninja/operation.py:_run_checks",
        "cms/caching.py:cached_json",
        "cms/caching.py:_lookup",
        "cms/pages_api.py:_list_pages",
        "cms/page_queries.py:live_specific",
        "cms/page_queries.py:specific_pages",
        "cms/page_rendering.py:render_pages",
        "cms/api_render.py:load",
        "cms/api_render.py:_load_pages",
        "cms/api_render.py:_load_snippets",
        "cms/api_images.py:_load_images",
        "taxonomy/api.py:load_links",
        "cms/page_rendering.py:_render_page",
        "cms/page_rendering.py:as_json",
        "pydantic/type_adapter.py:validate_python",
        "pydantic/type_adapter.py:dump_json",
        "django/db/models/sql/compiler.py:as_sql",
        "django/db/backends/utils.py:_execute",
        "django/db/backends/base/base.py:connect",
    ]
)


def focus_report(stats, names: list[str], requests: int) -> None:
    print(f"\n--- focus: cumulative ms per request (CPU, under cProfile), {requests} requests")
    for name in names:
        path, _, function = name.rpartition(":")
        total = 0.0
        for (filename, _line, func), (_cc, _nc, _tt, cumulative, _callers) in stats.stats.items():
            if func == function and filename.endswith(path):
                total += cumulative
        print(f"{1000 * total / requests:9.2f}  {name}")


def _label(paths: list[str]) -> str:
    return paths[0] if len(paths) == 1 else f"{paths[0]} and {len(paths) - 1} more paths"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="+", help="one or more paths, asked in turn (e.g. a listing at 20 offsets)")
    parser.add_argument("-n", type=int, default=100, help="requests profiled (after one warm-up)")
    parser.add_argument("--mode", choices=["uncached", "cached"], default="uncached")
    parser.add_argument("--header", action="append", default=[], help='"Name: value" sent with each request')
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--dump", help="write the raw pstats here too (e.g. for snakeviz)")
    parser.add_argument(
        "--plain", action="store_true", help="only time the requests (CPU), without cProfile and its overhead"
    )
    parser.add_argument(
        "--focus",
        default=DEFAULT_FOCUS,
        help="comma-separated `file:function` names whose cumulative time per request is listed first",
    )
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")
    import django

    django.setup()
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    headers = dict(h.split(":", 1) for h in args.header)
    headers = {k.strip(): v.strip() for k, v in headers.items()}
    client = Client()

    paths = itertools.cycle(args.path)

    def get(headers=headers, path=None):
        # Around each request, as Django's handler does outside tests (the test client does not).
        close_old_connections()
        try:
            return client.get(path or next(paths), headers=headers, HTTP_HOST=args.host)
        finally:
            close_old_connections()

    with override_settings(CMS_API_CACHE_ENABLED=args.mode == "cached"):
        # One warm-up request per path: what a running server has seen before (renditions, caches).
        warm, *_others = [get(headers={}, path=path) for path in args.path]
        with CaptureQueriesContext(connection) as captured:
            get()
        queries = len(captured.captured_queries)  # now: the log is reset by every request
        if args.plain:
            started = time.process_time()
            for _ in range(args.n):
                get()
            cpu = time.process_time() - started
            print(
                f"{_label(args.path)} [{args.mode}] status {warm.status_code}, {len(warm.content)} bytes, "
                f"{queries} queries; {1000 * cpu / args.n:.2f} ms CPU per request (no profiler)"
            )
            return
        profiler = cProfile.Profile(time.process_time)
        started = time.process_time()
        profiler.enable()
        for _ in range(args.n):
            get()
        profiler.disable()
        cpu = time.process_time() - started
    print(
        f"{_label(args.path)} [{args.mode}] status {warm.status_code}, {len(warm.content)} bytes, "
        f"{queries} queries; {1000 * cpu / args.n:.2f} ms CPU per request under cProfile"
    )
    stats = pstats.Stats(profiler)
    if args.dump:
        stats.dump_stats(args.dump)
    focus_report(stats, [name for name in args.focus.split(",") if name], args.n)
    stats.strip_dirs()
    for key in ("tottime", "cumulative"):
        print(f"\n--- top {args.top} by {key} (seconds over {args.n} requests)")
        stats.sort_stats(key).print_stats(args.top)


if __name__ == "__main__":
    main()
