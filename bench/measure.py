"""Load one database's servers with each scenario of bench/traffic.py, stock and project interleaved."""

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import load
import traffic
from procs import http_get, loadavg, log, process_tree_cpu
from sites import BENCH_DIR, PROJECT_GUNICORN, PROJECT_PYTHON, ROOT, Server, gunicorn_command, project_env

PROJECT_LISTING = "/api/v1/pages/?type=news.NewsArticlePage&locale=en&fields=*&limit=20"
STOCK_LISTING = "/api/v2/pages/?type=bench_site.NewsArticlePage&fields=*&limit=20&locale=en"
SCENARIOS = ("hot", "offsets", "mix")
# In this order for each scenario and connection count: stock first, then the project's three.
MODES = ("stock", "uncached", "cached", "304")


def load_once(
    url: str, *, loader: str, duration: float, threads: int, connections: int, url_file=None, conditional=False
) -> dict:
    if loader == "wrk":
        seconds = max(1, round(duration))  # wrk takes whole seconds
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
        command += ["-s", str(BENCH_DIR / "wrk_traffic.lua"), url]
        if url_file:
            command += ["--", str(url_file)] + (["conditional"] if conditional else [])
        output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120, check=False)  # noqa: S603
        for line in output.stdout.splitlines():
            if line.startswith("BENCH_JSON "):
                return json.loads(line.removeprefix("BENCH_JSON "))
        raise RuntimeError(f"wrk printed no result ({output.returncode}):\n{output.stdout}\n{output.stderr}")
    return load.run(
        url, duration=duration, threads=threads, connections=connections, url_file=url_file, conditional=conditional
    )


def summarize(raw: dict, expected: set[int]) -> dict:
    seconds = raw["duration_us"] / 1e6
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    unexpected = sum(v for k, v in statuses.items() if k not in expected)
    errors = sum(v for k, v in raw["errors"].items() if k != "status")
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["latency_us"]["p50"] / 1000, 1),
        "p90_ms": round(raw["latency_us"]["p90"] / 1000, 1),
        "p99_ms": round(raw["latency_us"]["p99"] / 1000, 1),
        "max_ms": round(raw["latency_us"]["max"] / 1000, 1),
        "bytes_per_request": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
        "statuses": raw["statuses"],
        "unexpected_responses": unexpected,
        "socket_errors": errors,
    }


def count_queries(python: Path, pythonpath: Path, settings: str, env: dict, spec: list[dict], logs: Path) -> dict:
    command = [str(python), str(BENCH_DIR / "queries.py"), "--pythonpath", str(pythonpath)]
    command += ["--settings", settings, "--spec", json.dumps(spec)]
    output = subprocess.run(  # noqa: S603
        command, cwd=pythonpath, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    with open(logs / "queries.log", "a") as log_file:
        log_file.write(f"\n$ {settings}\n{output.stdout}\n{output.stderr}\n")
    for line in output.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"queries.py failed ({output.returncode}):\n{output.stderr[-3000:]}")


def redis_database(url: str, offset: int) -> str:
    """`url` with its database number lowered by `offset` (one Redis database per server)."""
    if not url:
        return ""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) - offset
    if number < 0:
        raise ValueError(f"--redis-url {url}: databases {number + offset} down to {number} are needed")
    return urlunsplit(parts._replace(path=f"/{number}"))


def flush_redis(url: str) -> None:
    """Empty a Redis database the run owns, so that no entry of an earlier run answers."""
    if url:
        import redis

        redis.Redis.from_url(url).flushdb()


def _traffic(servers: dict, work: Path) -> dict:
    """The URL lists of every scenario, for both sites, written to files; the cached server warmed on them."""
    lists = {}
    content = traffic.project_content(servers["uncached"].base)
    news_count = len(content["news.NewsArticlePage"]["en"])
    project = {
        "hot": [PROJECT_LISTING],
        "offsets": traffic.offsets_list(PROJECT_LISTING, news_count),
        "mix": traffic.mix_list(traffic.project_urls(content)),
    }
    lists["project"] = project
    if "baseline" in servers:
        stock_content = traffic.stock_content(servers["baseline"].base)
        stock_news = len(stock_content["bench_site.NewsArticlePage"]["en"])
        lists["stock"] = {
            "hot": [STOCK_LISTING],
            "offsets": traffic.offsets_list(STOCK_LISTING, stock_news),
            "mix": traffic.mix_list(traffic.stock_urls(stock_content)),
        }
    everything = [path for paths in project.values() for path in paths]
    log(f"warming the cached server on {len(set(everything)):,} distinct URLs")
    etags, statuses = traffic.warm(servers["cached"].base, everything)
    if set(statuses) != {200}:
        raise RuntimeError(f"the cached server answered the warm-up with {dict(statuses)}")
    files = {}
    for site, by_scenario in lists.items():
        for scenario, paths in by_scenario.items():
            files[(site, scenario)] = traffic.write_list(work / "urls" / f"{site}-{scenario}.txt", paths, etags)
    return {
        "files": files,
        "described": {f"{site}/{s}": traffic.describe(p) for site, by_s in lists.items() for s, p in by_s.items()},
        "examples": {f"{site}/{s}": p[:3] for site, by_s in lists.items() for s, p in by_s.items()},
        "news_count": {"project": news_count, "stock": stock_news if "baseline" in servers else None},
    }


def _project_servers(kind: str, database_url: str, args, work: Path, logs: Path) -> tuple[dict, dict]:
    media = work / kind / "media"
    envs, servers = {}, {}
    for number, mode in enumerate(("cached", "uncached", "queries")):
        redis_url = redis_database(args.redis_url, number) if kind == "postgresql" else ""
        flush_redis(redis_url)
        envs[mode] = project_env(
            database_url,
            media,
            cached=(mode != "uncached"),
            redis_url=redis_url,
            rate_limit=args.rate_limit,
            cache_dir=work / kind / f"cache-{mode}",
        )
    for mode in ("uncached", "cached"):
        servers[mode] = Server(
            f"project ({mode})",
            gunicorn_command(PROJECT_GUNICORN, "cms.wsgi:application", args.workers),
            ROOT,
            envs[mode],
            "/api/v1/sites/",
            logs / f"gunicorn-{kind}-project-{mode}.log",
        )
    return servers, envs


def bench_database(kind: str, database_url: str, baseline_url: str | None, args, work: Path, logs: Path, baseline):
    """Serve, load and count one database's cases; returns its results."""
    servers, envs = _project_servers(kind, database_url, args, work, logs)
    if baseline_url is not None:
        servers["baseline"] = Server(
            "stock Wagtail",
            gunicorn_command(baseline.venv / "bin" / "gunicorn", "bench_site.wsgi:application", args.workers),
            baseline.site,
            baseline.env(baseline_url),
            "/api/v2/pages/?limit=1",
            logs / f"gunicorn-{kind}-baseline.log",
        )
    cache = "redis" if args.redis_url and kind == "postgresql" else "disk"
    result = {"database": kind, "cases": {}, "queries": {}, "notes": [], "cache": cache}
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait_ready()
        log(f"{kind}: servers up ({', '.join(f'{s.name} :{s.port}' for s in servers.values())})")
        plan = _traffic(servers, work / kind)
        result["traffic"] = {k: v for k, v in plan.items() if k != "files"}
        result["queries"] = _queries(servers, envs, baseline, baseline_url, logs, result["notes"])
        runs = {}
        for round_number in range(args.rounds):
            for scenario in SCENARIOS:
                for connections in args.connection_counts:
                    for mode in MODES:
                        if mode == "stock" and "baseline" not in servers:
                            continue
                        key = f"{scenario}/c{connections}/{mode}"
                        run = _measure(servers, plan, scenario, mode, connections, args)
                        run["round"] = round_number + 1
                        runs.setdefault(key, []).append(run)
                        flag = f"  ({run['unexpected_responses']} unexpected)" if run["unexpected_responses"] else ""
                        log(
                            f"{kind} {key:22s} {run['rps']:8.1f} req/s  p50 {run['p50_ms']:7.1f} ms"
                            f"  p99 {run['p99_ms']:7.1f} ms  app CPU {run['app_cpu_ms_per_request']} ms/req"
                            f"  load {run['load_average_before']}{flag}"
                        )
        result["runs"] = runs
    finally:
        for server in servers.values():
            server.stop()
    return result


def _measure(servers: dict, plan: dict, scenario: str, mode: str, connections: int, args) -> dict:
    site = "baseline" if mode == "stock" else ("uncached" if mode == "uncached" else "cached")
    server = servers[site]
    url_file = plan["files"][("stock" if mode == "stock" else "project", scenario)]
    options = {"loader": args.loader, "threads": args.threads, "connections": connections, "url_file": url_file}
    options["conditional"] = mode == "304"
    if args.warmup > 0:
        load_once(server.base + "/", duration=args.warmup, **options)
    load_before, cpu_before = loadavg(), process_tree_cpu(server.process.pid)
    raw = load_once(server.base + "/", duration=args.duration, **options)
    cpu = process_tree_cpu(server.process.pid) - cpu_before
    expected = {304} if mode == "304" else ({200, 302} if mode == "stock" else {200})
    run = summarize(raw, expected)
    run["app_cpu_ms_per_request"] = round(1000 * cpu / run["requests"], 2) if run["requests"] else None
    run["load_average_before"] = load_before
    return run


def _queries(servers, envs, baseline, baseline_url, logs, notes) -> dict:
    """SQL queries per request of the hot URLs (a listing, a detail, a find), in separate processes."""
    _status, _headers, body = http_get(servers["uncached"].base + PROJECT_LISTING)
    article = json.loads(body)["items"][0]
    detail = f"/api/v1/pages/{article['id']}/"
    _status, _headers, body = http_get(servers["uncached"].base + detail)
    find = f"/api/v1/pages/find/?site={article.get('site') or 'localhost'}&path={json.loads(body)['url']}"
    paths = {"listing": PROJECT_LISTING, "detail": detail, "find": find}
    modes = ("uncached", "cached")
    spec = [{"name": f"{e}/{mode}", "path": p, "mode": mode} for e, p in paths.items() for mode in modes]
    queries = {"paths": paths}
    queries["project"] = count_queries(PROJECT_PYTHON, ROOT, "cms.settings.production", envs["queries"], spec, logs)
    if baseline_url is not None:
        stock_article = json.loads(http_get(servers["baseline"].base + STOCK_LISTING)[2])["items"][0]["id"]
        spec = [
            {"name": "listing/stock", "path": STOCK_LISTING, "mode": "uncached"},
            {"name": "detail/stock", "path": f"/api/v2/pages/{stock_article}/", "mode": "uncached"},
        ]
        try:
            queries["stock"] = count_queries(
                baseline.python, baseline.site, "bench_site.settings", baseline.env(baseline_url), spec, logs
            )
        except RuntimeError as exc:
            notes.append(f"stock query count failed: {exc}")
    return queries
