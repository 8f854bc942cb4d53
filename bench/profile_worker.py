"""Where a gunicorn worker's CPU goes under load: cProfile in every worker while wrk sends a URL list.

Run with the project's interpreter and the environment of a benchmark database
(DJANGO_SETTINGS_MODULE, DATABASE_URL, CACHE_DIR or REDIS_URL, API_CACHE_ENABLED, …):

    .venv/bin/python bench/profile_worker.py --urls /tmp/mix.txt --port 8390 --duration 10

The URL list is one of bench/traffic.py's (`path<TAB>etag` lines; bench/run.py
writes them under its work dir, kept with --keep-tmp). The driver starts
gunicorn (2 sync workers) with this same file as its configuration: each
worker makes a profiler at fork whose clock is the process's CPU time. The
driver asks once for every URL of the list (so that a cached server is warm,
and renditions are made), then switches the profilers on (a flag file the
workers look for before each request), loads the list with wrk, and stops
gunicorn: each worker writes its profile on the way out. Prints the CPU time
per request, then the top functions by own time and by cumulative time over
both workers.
"""

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# --- gunicorn configuration (gunicorn loads this file with -c) --------------------------------------------

_profile_dir = os.environ.get("BENCH_PROFILE_DIR")
_profiler = None
_requests = 0


def post_fork(server, worker):
    global _profiler
    _profiler = cProfile.Profile(time.process_time)


def pre_request(worker, req):
    global _requests
    if _profiler is not None and Path(_profile_dir, "on").exists():
        if not _requests:
            _profiler.enable()
        _requests += 1


def worker_exit(server, worker):
    if _profiler is not None and _requests:
        _profiler.disable()
        _profiler.dump_stats(str(Path(_profile_dir, f"worker-{os.getpid()}-{_requests}.prof")))


# --- the driver ------------------------------------------------------------------------------------------


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import traffic
    from procs import http_get

    parser = argparse.ArgumentParser(description="Profile gunicorn workers under wrk load.")
    parser.add_argument("--urls", required=True, help="a URL list of bench/traffic.py")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PROFILE_PORT", "8390")))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--conditional", action="store_true", help="send each line's ETag (304s)")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--dump", help="write the merged pstats here too")
    args = parser.parse_args()

    root = Path(__file__).resolve().parent.parent
    profile_dir = Path(tempfile.mkdtemp(prefix="cms-profile-"))
    env = {**os.environ, "BENCH_PROFILE_DIR": str(profile_dir)}
    base = f"http://127.0.0.1:{args.port}"
    gunicorn = [str(root / ".venv" / "bin" / "gunicorn"), "cms.wsgi:application", "-w", "2", "-c", __file__]
    server = subprocess.Popen([*gunicorn, "-b", f"127.0.0.1:{args.port}"], cwd=root, env=env)  # noqa: S603
    try:
        for _attempt in range(120):
            try:
                if http_get(base + "/api/v1/sites/", timeout=30)[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        paths = [line.split("\t", 1)[0] for line in Path(args.urls).read_text().splitlines() if line]
        _etags, statuses = traffic.warm(base, paths)
        print(f"warmed {sum(statuses.values())} distinct URLs: {dict(statuses)}", flush=True)
        (profile_dir / "on").touch()
        command = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency"]
        command += ["-s", str(root / "bench" / "wrk_traffic.lua"), base + "/", "--", args.urls]
        command += ["conditional"] if args.conditional else []
        output = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
        print(next((line for line in output.stdout.splitlines() if line.startswith("BENCH_JSON")), output.stdout))
    finally:
        server.terminate()
        server.wait(timeout=60)
    profiles = sorted(profile_dir.glob("worker-*.prof"))
    if not profiles:
        sys.exit(f"no worker wrote a profile in {profile_dir}")
    requests = sum(int(p.stem.rsplit("-", 1)[1]) for p in profiles)
    stats = pstats.Stats(*map(str, profiles))
    per_request = 1000 * stats.total_tt / requests
    print(f"{requests} requests profiled in {len(profiles)} workers: {per_request:.2f} ms CPU each")
    if args.dump:
        stats.dump_stats(args.dump)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
