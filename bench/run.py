"""`make bench`: the content API under traffic that looks like readers, against stock Wagtail in the same run.

For each database (SQLite with the embedded default cache, PostgreSQL with
Redis when --redis-url is given):

1. prepare the data (sites.py): the project's database is migrated and
   filled by `generate_content` (BENCH_PAGES pages, half English, half their
   French translations); the stock Wagtail 8 site of ../shared/baseline-wagtail
   gets its own virtualenv and a tree from its own `seed` command. The stock
   databases are kept between runs (--fresh-baseline rebuilds them).
   Preparation runs --jobs jobs at a time; nothing is measured meanwhile;
2. serve each with gunicorn (--workers sync workers): the project twice
   (response cache off, response cache on), the baseline once;
3. build each site's URL lists (traffic.py: one hot URL, every offset of the
   news listing, a Zipf mix over every page) and warm the cached server on
   every distinct URL, keeping their ETags for the 304 cases;
4. load each list from another process on 127.0.0.1 with wrk and
   wrk_traffic.lua (or load.py when wrk is missing), at each connection count,
   stock and project interleaved (measure.py): this machine is shared and its
   speed drifts;
5. count SQL queries per request of the hot URLs (queries.py);
6. write bench/results/<timestamp>.json and the results of docs/benchmarks.md
   (report.py).

    .venv/bin/python bench/run.py --help
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from measure import bench_database  # noqa: E402
from pg import PG_HOST, PG_PORT, find_pg_user, pg_execute, pg_url  # noqa: E402
from procs import PROCESSES, log, machine_info  # noqa: E402
from report import DOC, finish, write_doc  # noqa: E402
from sites import BASELINE_DB, PROJECT_DB, ROOT, Baseline, page_counts, prepare_project  # noqa: E402

DEFAULT_BASELINE_SRC = ROOT.parent / "shared" / "baseline-wagtail"
if not DEFAULT_BASELINE_SRC.exists():  # a worktree beside the main checkout
    DEFAULT_BASELINE_SRC = Path("/work/shared/baseline-wagtail")
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cms-bench"
RESULTS_DIR = BENCH_DIR / "results"
# Stock `seed --n` (news articles; it adds n/4 interviews and n/4 videos, each in en and fr).
DEFAULT_BASELINE_N = int(os.environ.get("BENCH_BASELINE_N", "700"))


def parse_args():
    parser = argparse.ArgumentParser(description="Benchmark the content API against stock Wagtail (make bench).")
    env = os.environ.get
    parser.add_argument(
        "--pages", type=int, default=int(env("BENCH_PAGES", "10000")), help="project pages (BENCH_PAGES)"
    )
    parser.add_argument(
        "--baseline-n",
        type=int,
        default=None,
        help="stock `seed --n` (default: as many news as ours, at most BENCH_BASELINE_N=700)",
    )
    parser.add_argument("--databases", default=env("BENCH_DATABASES", "sqlite,postgresql"))
    parser.add_argument("--duration", type=float, default=float(env("BENCH_DURATION", "10")), help="seconds per case")
    parser.add_argument(
        "--warmup", type=float, default=float(env("BENCH_WARMUP", "2")), help="seconds before each case"
    )
    parser.add_argument(
        "--rounds", type=int, default=int(env("BENCH_ROUNDS", "1")), help="repeat every case, keep the median"
    )
    parser.add_argument("--threads", type=int, default=int(env("BENCH_THREADS", "2")), help="wrk -t")
    parser.add_argument(
        "--connections", default=env("BENCH_CONNECTIONS", "4,8"), help="wrk -c, each case at each (comma-separated)"
    )
    parser.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", "2")), help="gunicorn sync workers")
    parser.add_argument("--jobs", type=int, default=int(env("BENCH_JOBS", "2")), help="databases prepared at once")
    parser.add_argument("--loader", choices=["auto", "wrk", "python"], default=env("BENCH_LOADER", "auto"))
    parser.add_argument(
        "--rate-limit",
        default=env("BENCH_RATE_LIMIT", "100000000/s"),
        help="API_ANONYMOUS_RATE_LIMIT for the project's servers",
    )
    parser.add_argument(
        "--redis-url",
        default=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        help="Redis for the PostgreSQL run: the cached server uses this database, the uncached one the database "
        "below it, the query counter the one below that (all three are emptied); SQLite always runs with the "
        "embedded default cache; empty: PostgreSQL with the embedded default too",
    )
    parser.add_argument("--no-baseline", action="store_true", help="measure the project only")
    parser.add_argument("--fresh-baseline", action="store_true", help="re-seed the stock databases")
    parser.add_argument("--baseline-src", type=Path, default=Path(env("BENCH_BASELINE_SRC", DEFAULT_BASELINE_SRC)))
    parser.add_argument("--cache-dir", type=Path, default=Path(env("BENCH_CACHE_DIR", DEFAULT_CACHE_DIR)))
    parser.add_argument("--pg-users", default=env("BENCH_PG_USERS", "postgres,root"))
    parser.add_argument(
        "--prepare-baseline-only", action="store_true", help="only build (or check) the cached stock databases"
    )
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (databases, logs)")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument(
        "--rewrite-doc", type=Path, metavar="RESULTS_JSON", help="only rewrite docs/benchmarks.md from saved results"
    )
    args = parser.parse_args()
    args.connection_counts = [int(c) for c in str(args.connections).split(",") if c.strip()]
    return args


def make_command(args) -> str:
    """How this run was started, as `make bench …` (BENCH_* settings and extra arguments included)."""
    # BENCH_PAGES and BENCH_ARGS come back from the arguments (make exports them to the environment too).
    settings = [
        f"{k}={v}"
        for k, v in sorted(os.environ.items())
        if k.startswith("BENCH_") and k not in ("BENCH_PAGES", "BENCH_ARGS")
    ]
    if args.pages != 10000:
        settings.append(f"BENCH_PAGES={args.pages}")
    extra, skip = [], False
    for arg in sys.argv[1:]:
        if skip:
            skip = False
        elif arg == "--pages":
            skip = True
        elif not arg.startswith("--pages="):
            extra.append(arg)
    if extra:
        settings.append(f'BENCH_ARGS="{" ".join(extra)}"')
    return " ".join(["make bench", *settings])


def rewrite_doc(path: Path) -> None:
    """docs/benchmarks.md from a results file, its figures recomputed from the rounds it keeps."""
    results = json.loads(path.read_text())
    for db in results["databases"]:
        finish(db)
    results["results_file"] = path.name
    write_doc(results)
    log(f"wrote {DOC.relative_to(ROOT)} from {path}")


def main():
    args = parse_args()
    if args.rewrite_doc:
        rewrite_doc(args.rewrite_doc)
        return
    started_at = time.monotonic()
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M")
    machine = machine_info()
    counts = page_counts(args.pages)
    # The stock seed command commits, indexes and checks slugs page by page (about 3 pages/s
    # here under load, slower as the tree grows): its tree is capped, see docs/benchmarks.md.
    args.baseline_n = args.baseline_n or min(counts["news"], DEFAULT_BASELINE_N)
    if args.loader == "auto":
        args.loader = "wrk" if shutil.which("wrk") else "python"
    work = Path(tempfile.mkdtemp(prefix="cms-bench-"))
    logs = work / "logs"
    logs.mkdir()
    log(
        f"{args.pages} pages {counts}, stock seed --n {args.baseline_n}; loader {args.loader}; "
        f"{machine['nproc']} CPUs, load {machine['load_average'][0]:.2f}; work dir {work}"
    )
    notes = []
    if args.loader == "python":
        notes.append("wrk was not available: the load came from bench/load.py (Python), which may cap high rates.")
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    results = {
        "started": started,
        "command": make_command(args),
        "machine": machine,
        "config": {
            "pages": args.pages,
            "counts": counts,
            "baseline_n": args.baseline_n,
            "duration": args.duration,
            "warmup": args.warmup,
            "rounds": args.rounds,
            "threads": args.threads,
            "connection_counts": args.connection_counts,
            "workers": args.workers,
            "loader": args.loader,
            "rate_limit": args.rate_limit,
            "redis_url": args.redis_url,
        },
        "databases": [],
        "notes": notes,
        "prepare": {},
    }

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        pg_user = None
        if "postgresql" in databases:
            pg_user, why = find_pg_user([u.strip() for u in args.pg_users.split(",") if u.strip()])
            if pg_user is None:
                log(f"PostgreSQL skipped: {why}")
                databases.remove("postgresql")
                results["databases"].append(
                    {"database": "postgresql", "skipped": f"no PostgreSQL at {PG_HOST}:{PG_PORT} ({why})"}
                )
        baseline = None
        if not args.no_baseline:
            try:
                baseline = Baseline(args.baseline_src, args.cache_dir, args.baseline_n)
                baseline.setup(logs)
            except (OSError, RuntimeError) as exc:
                log(f"stock baseline unavailable: {exc}")
                notes.append(f"The stock baseline could not be set up ({exc}); no ratios.")
                baseline = None

        # 1. Prepare every database (longest jobs first), then measure on a machine we no longer load.
        jobs = {}
        # Not a `with` block: on an interrupt its exit would wait for every job to end.
        pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
        try:
            if baseline is not None:
                if "sqlite" in databases:
                    jobs["baseline-sqlite"] = pool.submit(baseline.prepare_sqlite, logs, args.fresh_baseline)
                if "postgresql" in databases:
                    jobs["baseline-postgresql"] = pool.submit(
                        baseline.prepare_postgresql, pg_user, logs, args.fresh_baseline
                    )
            for kind in [] if args.prepare_baseline_only else databases:
                workdir = work / kind
                workdir.mkdir()
                url = f"sqlite:///{workdir / 'cms.sqlite3'}" if kind == "sqlite" else pg_url(pg_user, PROJECT_DB)
                jobs[f"project-{kind}"] = pool.submit(
                    prepare_project,
                    f"project-{kind}",
                    url,
                    workdir,
                    counts,
                    pg_user if kind == "postgresql" else None,
                    logs,
                )
            failures = {}
            for name, future in jobs.items():
                try:
                    results["prepare"][name] = future.result()
                except Exception as exc:
                    failures[name] = str(exc)
                    log(f"{name} failed: {exc}")
                    results["prepare"][name] = {"error": str(exc)}

        finally:
            if sys.exc_info()[0] is not None:
                PROCESSES.stop_all()
            pool.shutdown(wait=True, cancel_futures=True)

        # 2. Measure each database in turn.
        for kind in [] if args.prepare_baseline_only else databases:
            if f"project-{kind}" in failures:
                results["databases"].append(
                    {"database": kind, "error": failures[f"project-{kind}"][:2000], "cases": {}}
                )
                continue
            url = f"sqlite:///{work / kind / 'cms.sqlite3'}" if kind == "sqlite" else pg_url(pg_user, PROJECT_DB)
            baseline_url = None
            if baseline is not None and f"baseline-{kind}" not in failures:
                if kind == "sqlite":
                    copy = work / kind / "baseline.sqlite3"
                    shutil.copyfile(baseline.sqlite_path(), copy)
                    baseline_url = f"sqlite:///{copy}"
                else:
                    baseline_url = pg_url(pg_user, BASELINE_DB)
            if kind == "postgresql":
                # Planner statistics, as autovacuum would have gathered them on a live server (it is
                # off on some machines, e.g. this one's: without them the stock listing's plans
                # take seconds).
                for database in [PROJECT_DB] + ([BASELINE_DB] if baseline_url else []):
                    pg_execute(pg_user, "VACUUM ANALYZE", dbname=database)
            log(f"{kind}: measuring")
            try:
                db = bench_database(kind, url, baseline_url, args, work, logs, baseline)
                if baseline_url is None and baseline is not None:
                    db["notes"].append(f"the stock site could not be prepared: {failures.get(f'baseline-{kind}')}")
                finish(db)
            except Exception as exc:
                log(f"{kind}: failed: {exc!r} (traceback in {logs / 'errors.log'})")
                with open(logs / "errors.log", "a") as errors:
                    traceback.print_exc(file=errors)
                db = {"database": kind, "error": str(exc)[:2000], "cases": {}}
            results["databases"].append(db)
    except KeyboardInterrupt:
        log("interrupted: stopping every process started")
        PROCESSES.stop_all()
        if not args.keep_tmp:
            shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        PROCESSES.stop_all()

    results["minutes"] = (time.monotonic() - started_at) / 60
    RESULTS_DIR.mkdir(exist_ok=True)
    name = f"bench-{datetime.datetime.now(datetime.UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    results["results_file"] = name
    (RESULTS_DIR / name).write_text(json.dumps(results, indent=2, default=str))
    shutil.copyfile(RESULTS_DIR / name, RESULTS_DIR / "latest.json")
    # The logs (generator output, gunicorn, query counts) beside the figures they explain.
    shutil.copytree(logs, RESULTS_DIR / name.replace(".json", "-logs"), dirs_exist_ok=True)
    if not args.no_doc and not args.prepare_baseline_only:
        write_doc(results)
        log(f"wrote {DOC.relative_to(ROOT)}")
    log(f"wrote bench/results/{name}; {results['minutes']:.1f} minutes")
    for db in results["databases"]:
        for key, case in db.get("cases", {}).items():
            if key.startswith("mix/") and case.get("x_stock") is not None:
                log(f"{db['database']} {key}: {case['x_stock']}× stock req/s, p99 {case['p99_ms']} ms")
    if args.keep_tmp:
        log(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if any(db.get("error") for db in results["databases"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
