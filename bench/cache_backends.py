"""Which shared cache for the embedded default: a hit's cost and whether counters survive concurrency.

The project's default cache (no REDIS_URL) must be shared by every process
of one machine (web workers, the task worker, cron commands), so that
invalidation and the rate-limit and code-attempt counters hold across them
(docs/benchmarks.md, "The embedded default cache"). This measures, for each
candidate backend, with the shapes the API uses:

- *hit*: `get_many([entry, epoch])` of a cached listing (a dict holding 30 KB
  of JSON), the one read a cache hit makes (cms/caching.py);
- *counter*: `add` then `incr` of a window counter, what every rate-limited
  request does (cms/api_access.py, accounts/throttle.py);
- *lost increments*: --processes processes increment one counter --increments
  times each, at the same time; anything short of the product was lost.

    .venv/bin/python bench/cache_backends.py
    .venv/bin/python bench/cache_backends.py --redis-url redis://127.0.0.1:6379/3

Each backend runs in fresh processes with Django configured for it alone (no
project settings), so that only the backend is measured.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODY = json.dumps({"items": [{"id": n, "title": "x" * 1400} for n in range(20)]}).encode()  # ~30 KB


def backends(work: Path, redis_url: str) -> dict[str, dict]:
    found = {
        "local memory (per process)": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "Django FileBasedCache": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(work / "filebased"),
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
        "Django DatabaseCache (SQLite)": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cms_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
        "diskcache DjangoCache": {"BACKEND": "diskcache.DjangoCache", "LOCATION": str(work / "diskcache")},
    }
    if redis_url:
        found["Redis"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    return found


def configure(cache_settings: dict, database: str) -> None:
    import django
    from django.conf import settings

    settings.configure(
        CACHES={"default": cache_settings},
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": database}},
        INSTALLED_APPS=[],
    )
    django.setup()


def child(mode: str, cache_settings: dict, database: str, count: int) -> dict:
    """Run in a fresh process: time `count` operations, or add `count` increments to the shared counter."""
    configure(cache_settings, database)
    from django.core.cache import cache

    if mode == "increment":
        for _ in range(count):
            if not cache.add("counter", 1, timeout=600):
                try:
                    cache.incr("counter")
                except ValueError:
                    cache.set("counter", 1, timeout=600)
        return {}
    cache.set("entry", {"body": BODY, "etag": '"x"', "tags": {"page:1": 3}, "epoch": 7}, timeout=600)
    cache.set("epoch", 7, timeout=None)
    samples = {"hit": [], "counter": []}
    for _ in range(count):
        started = time.perf_counter()
        found = cache.get_many(["entry", "epoch"])
        samples["hit"].append(time.perf_counter() - started)
        assert found["entry"]["epoch"] == found["epoch"]
        started = time.perf_counter()
        if not cache.add("window", 1, timeout=600):
            cache.incr("window")
        samples["counter"].append(time.perf_counter() - started)
    return {name: 1e6 * statistics.median(values) for name, values in samples.items()}


def spawn(mode: str, cache_settings: dict, database: str, count: int) -> subprocess.Popen:
    spec = json.dumps({"mode": mode, "cache": cache_settings, "database": database, "count": count})
    return subprocess.Popen(  # noqa: S603
        [sys.executable, __file__, "--child", spec], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


def measure(name: str, cache_settings: dict, work: Path, args) -> dict:
    database = str(work / f"{len(os.listdir(work))}.sqlite3")
    if cache_settings["BACKEND"].endswith("DatabaseCache"):
        configure_table = spawn("createcachetable", cache_settings, database, 0)
        configure_table.wait()
    timing = spawn("time", cache_settings, database, args.operations)
    figures = json.loads(timing.communicate()[0])
    children = [spawn("increment", cache_settings, database, args.increments) for _ in range(args.processes)]
    for process in children:
        process.wait()
    reader = spawn("read", cache_settings, database, 0)
    counted = json.loads(reader.communicate()[0])["counter"]
    expected = args.processes * args.increments
    if cache_settings["BACKEND"].endswith("LocMemCache"):
        counted = None  # each process counted in its own memory: nothing was shared at all
    return {"backend": name, **figures, "counted": counted, "expected": expected}


def child_main(spec: dict) -> None:
    if spec["mode"] == "createcachetable":
        configure(spec["cache"], spec["database"])
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)
        print("{}")
    elif spec["mode"] == "read":
        configure(spec["cache"], spec["database"])
        from django.core.cache import cache

        print(json.dumps({"counter": cache.get("counter", 0)}))
    else:
        print(json.dumps(child(spec["mode"], spec["cache"], spec["database"], spec["count"])))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child_main(json.loads(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--operations", type=int, default=3000, help="timed hits and counter updates")
    parser.add_argument("--processes", type=int, default=4, help="processes incrementing one counter at once")
    parser.add_argument("--increments", type=int, default=500, help="increments per process")
    args = parser.parse_args()
    print(
        "| backend | hit: `get_many(entry, epoch)` | counter: `add`/`incr` | "
        f"{args.processes} processes × {args.increments} increments counted |"
    )
    print("| --- | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory(prefix="cms-cache-bench-") as work:
        for name, cache_settings in backends(Path(work), args.redis_url).items():
            row = measure(name, cache_settings, Path(work), args)
            counted = "– (not shared)" if row["counted"] is None else f"{row['counted']:,} of {row['expected']:,}"
            print(f"| {name} | {row['hit']:.0f} µs | {row['counter']:.0f} µs | {counted} |", flush=True)


if __name__ == "__main__":
    main()
