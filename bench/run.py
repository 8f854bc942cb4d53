"""`make bench`: the content API under load, against stock Wagtail's API in the same run.

For each database (SQLite, PostgreSQL):

1. prepare the data: the project's database is migrated and filled by
   `generate_content` (BENCH_PAGES pages, half English, half their French
   translations); the stock Wagtail 8 site of ../shared/baseline-wagtail gets
   its own virtualenv and a tree from its own `seed` command (`--n 700` by
   default: that command makes about 3 pages/s here, see docs). The
   stock databases are kept between runs (they depend only on the baseline's
   sources and the page count; --fresh-baseline rebuilds them). Preparation
   runs --jobs jobs at a time; nothing is measured meanwhile;
2. serve each with gunicorn (--workers sync workers, like the stock figures):
   the project twice (response cache off, response cache on), the baseline
   once; idle servers cost nothing while another is measured;
3. load each URL from another process on 127.0.0.1 with wrk (or bench/load.py
   when wrk is missing), after a warm-up of --warmup seconds (renditions are
   made on first use; with the local-memory cache each worker warms its own
   copy). The cases alternate between stock and project so that both see the
   same machine: this machine is shared and its speed drifts;
4. count SQL queries per request with Django's test client (bench/queries.py);
5. write bench/results/<timestamp>.json and the tables of docs/benchmarks.md.

Every process started here is in its own process group and is killed on the
way out, whatever happens. All load goes to 127.0.0.1.

    .venv/bin/python bench/run.py --help
"""

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import load  # noqa: E402  (bench/load.py, the fallback load generator)

PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
PROJECT_GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
DEFAULT_BASELINE_SRC = ROOT.parent / "shared" / "baseline-wagtail"
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cms-bench"
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS_DIR = BENCH_DIR / "results"
START_MARK = "<!-- bench:results:start (written by bench/run.py: edit above this line only) -->"
END_MARK = "<!-- bench:results:end -->"

PG_HOST, PG_PORT = "127.0.0.1", 5432
PROJECT_DB = "bench_cms"
BASELINE_DB = os.environ.get("BENCH_BASELINE_DB", "bench_baseline")

# Stock `seed --n` (news articles; it adds n/4 interviews and n/4 videos, each in en and fr).
DEFAULT_BASELINE_N = int(os.environ.get("BENCH_BASELINE_N", "700"))

PROJECT_LISTING = "/api/v1/pages/?type=news.NewsArticlePage&locale=en&fields=*&limit=20"
BASELINE_LISTING = "/api/v2/pages/?type=bench_site.NewsArticlePage&fields=*&limit=20&locale=en"

# The measured cases, in the order they run (stock and project alternate).
# (key, site, endpoint, mode)
CASES = [
    ("stock/listing", "baseline", "listing", "stock"),
    ("project/listing/uncached", "uncached", "listing", "uncached"),
    ("project/listing/cached", "cached", "listing", "cached"),
    ("project/304/cached", "cached", "304", "cached"),
    ("stock/detail", "baseline", "detail", "stock"),
    ("project/detail/uncached", "uncached", "detail", "uncached"),
    ("project/detail/cached", "cached", "detail", "cached"),
    ("project/find/uncached", "uncached", "find", "uncached"),
    ("project/find/cached", "cached", "find", "cached"),
]


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", flush=True)


# --- processes ------------------------------------------------------------------------------


class Processes:
    """Every child process, each in its own process group, killed (group and all) on the way out."""

    def __init__(self):
        self._lock = threading.Lock()
        self._running: list[subprocess.Popen] = []
        self._closing = False

    def start(self, command, **kwargs) -> subprocess.Popen:
        with self._lock:
            if self._closing:
                raise RuntimeError("stopping: no new process is started")
            process = subprocess.Popen(command, start_new_session=True, **kwargs)  # noqa: S603
            self._running.append(process)
        return process

    def run(self, command, *, log_path: Path, timeout: float, **kwargs) -> None:
        """Run to completion, output appended to `log_path`; raise with the log's tail if it fails."""
        with open(log_path, "a") as output:
            output.write(f"\n$ {' '.join(map(str, command))}\n")
            output.flush()
            process = self.start(command, stdout=output, stderr=subprocess.STDOUT, **kwargs)
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.stop(process)
                raise RuntimeError(f"{command[1:3]} took more than {timeout:.0f} s; see {log_path}") from None
            finally:
                self.forget(process)
        if code != 0:
            raise RuntimeError(f"{' '.join(map(str, command[:4]))} … failed ({code}):\n{tail(log_path)}")

    def forget(self, process):
        with self._lock:
            if process in self._running:
                self._running.remove(process)

    def stop(self, process: subprocess.Popen, grace: float = 10) -> None:
        if process.poll() is None:
            for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
                try:
                    os.killpg(process.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    process.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # The group may outlive its leader (e.g. a worker): make sure none of it is left.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        self.forget(process)

    def stop_all(self) -> None:
        with self._lock:
            self._closing = True
            running = list(self._running)
        for process in running:
            self.stop(process, grace=5)


PROCESSES = Processes()


def tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace").replace("\r", "\n")
    except OSError:
        return ""
    return "\n".join([line for line in text.splitlines() if line.strip()][-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, headers=None, timeout: float = 120) -> tuple[int, dict, bytes]:
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# --- machine ------------------------------------------------------------------------------------


def machine_info() -> dict:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{total_kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory": memory,
        "load_average": os.getloadavg(),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the children of `pid` (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:  # ppid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


# --- PostgreSQL ------------------------------------------------------------------------------


def find_pg_user(candidates) -> tuple[str | None, str]:
    """The first role that can connect to the local server, and why none could."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed in the project's virtualenv"
    reasons = []
    for user in candidates:
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", connect_timeout=5):
                return user, ""
        except psycopg.Error as exc:
            reasons.append(f"{user}: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}")
    return None, "; ".join(reasons)


def pg_execute(user: str, *statements: str, dbname: str = "postgres"):
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname=dbname, autocommit=True) as connection:
        result = None
        for statement in statements:
            cursor = connection.execute(statement)
            result = cursor.fetchall() if cursor.description else None
        return result


def pg_url(user: str, database: str) -> str:
    return f"postgres://{user}@{PG_HOST}:{PG_PORT}/{database}"


def pg_recreate(user: str, database: str) -> None:
    pg_execute(user, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')


def pg_comment(user: str, database: str) -> str | None:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", autocommit=True) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
    return row[0] if row else None


# --- the project --------------------------------------------------------------------------------


def page_counts(pages: int) -> dict[str, int]:
    """English pages per type for `pages` pages in all (each English page has a French translation)."""
    english = max(pages // 2, 3)
    interviews = videos = max(round(english * 0.15), 1)
    return {"news": english - interviews - videos, "interviews": interviews, "videos": videos}


def project_env(database_url: str, media_root: Path, *, cached: bool, redis_url: str, rate_limit: str) -> dict:
    env = dict(os.environ)
    for name in list(env):
        if name.startswith(("DJANGO_", "API_")):
            del env[name]
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(48)[:64],
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "False",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "STATIC_ROOT": str(media_root.parent / "static"),
            "API_ANONYMOUS_RATE_LIMIT": rate_limit,
            "API_CACHE_ENABLED": "True" if cached else "False",
            # Empty: the local-memory cache, even if a .env file names a Redis server.
            "REDIS_URL": redis_url,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def prepare_project(name: str, database_url: str, workdir: Path, counts: dict, pg_user: str | None, logs: Path):
    started = time.monotonic()
    log_path = logs / f"prepare-{name}.log"
    if pg_user:
        pg_recreate(pg_user, PROJECT_DB)
        # Only the bulk load goes faster; reads are unaffected, and it is reset below.
        pg_execute(pg_user, f'ALTER DATABASE "{PROJECT_DB}" SET synchronous_commit = off')
    env = project_env(database_url, workdir / "media", cached=True, redis_url="", rate_limit="100000000/min")
    py = str(PROJECT_PYTHON)
    PROCESSES.run(
        [py, "manage.py", "migrate", "--no-input", "-v", "0"], log_path=log_path, timeout=1800, cwd=ROOT, env=env
    )
    log(f"{name}: migrated in {time.monotonic() - started:.0f} s; generating {2 * sum(counts.values())} pages")
    command = [py, "manage.py", "generate_content"] + [f"--{kind}={n}" for kind, n in counts.items()]
    PROCESSES.run(command, log_path=log_path, timeout=3600, cwd=ROOT, env=env)
    if pg_user:
        pg_execute(pg_user, f'ALTER DATABASE "{PROJECT_DB}" RESET synchronous_commit')
    summary = re.findall(r"Created .*", log_path.read_text(errors="replace"))
    log(f"{name}: ready in {time.monotonic() - started:.0f} s ({summary[-1] if summary else 'no summary'})")
    return {"seconds": round(time.monotonic() - started, 1), "generator": summary[-1] if summary else ""}


# --- the stock baseline ---------------------------------------------------------------------------


class Baseline:
    """The stock Wagtail 8 site: its sources copied to the cache, its venv, its seeded databases."""

    def __init__(self, src: Path, cache_dir: Path, seed_n: int):
        self.src = src
        self.cache_dir = cache_dir
        self.seed_n = seed_n
        digest = hashlib.sha256()
        for path in sorted(p for p in src.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(src)).encode() + b"\0" + path.read_bytes())
        self.source_hash = digest.hexdigest()[:12]
        self.home = cache_dir / f"baseline-{self.source_hash}"
        self.site = self.home / "site"  # MEDIA_ROOT is inside it: images of the cached databases live there
        self.venv = (
            cache_dir / f"baseline-venv-{hashlib.sha256((src / 'requirements.txt').read_bytes()).hexdigest()[:12]}"
        )
        self.python = self.venv / "bin" / "python"
        self.marker = f"cms-bench baseline {self.source_hash} seed n={seed_n} complete"

    def setup(self, logs: Path) -> None:
        log_path = logs / "baseline-setup.log"
        if not (self.site / "manage.py").exists():
            shutil.rmtree(self.site, ignore_errors=True)
            shutil.copytree(self.src, self.site, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3", "media"))
            for path in [self.site, *self.site.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)  # the shared copy is read-only
        if not (self.venv / ".installed").exists():
            log(f"baseline: creating its virtualenv in {self.venv} (once)")
            shutil.rmtree(self.venv, ignore_errors=True)
            python = shutil.which("python3.11") or sys.executable
            PROCESSES.run([python, "-m", "venv", str(self.venv)], log_path=log_path, timeout=600)
            pip = [str(self.python), "-m", "pip", "install", "--quiet"]
            PROCESSES.run(pip + ["--upgrade", "pip"], log_path=log_path, timeout=900)
            PROCESSES.run(pip + ["-r", str(self.site / "requirements.txt")], log_path=log_path, timeout=1800)
            (self.venv / ".installed").touch()

    def sqlite_path(self) -> Path:
        return self.home / f"baseline-n{self.seed_n}.sqlite3"

    def env(self, database_url: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
        env.update(
            {"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "bench_site.settings", "PYTHONUNBUFFERED": "1"}
        )
        return env

    def _seed(self, database_url: str, log_path: Path) -> None:
        env = self.env(database_url)
        py = str(self.python)
        PROCESSES.run(
            [py, "manage.py", "migrate", "--no-input", "-v", "0"],
            log_path=log_path,
            timeout=1800,
            cwd=self.site,
            env=env,
        )
        PROCESSES.run(
            [py, "manage.py", "seed", f"--n={self.seed_n}"], log_path=log_path, timeout=5400, cwd=self.site, env=env
        )

    def prepare_sqlite(self, logs: Path, fresh: bool) -> dict:
        target = self.sqlite_path()
        if target.exists() and not fresh:
            log(f"baseline-sqlite: reusing {target}")
            return {"reused": True}
        started = time.monotonic()
        log(f"baseline-sqlite: seeding --n {self.seed_n} (kept in {self.home} for later runs)")
        # Seeded in memory when possible: the stock seed commits every page, and
        # each commit's fsync would make this take far longer. Reads are unaffected.
        shm = Path("/dev/shm")  # noqa: S108  (a scratch file only this process names, removed below)
        scratch_dir = shm if os.access(shm, os.W_OK) else self.home
        scratch = scratch_dir / f"cms-bench-baseline-{os.getpid()}.sqlite3"
        scratch.unlink(missing_ok=True)
        try:
            self._seed(f"sqlite:///{scratch}", logs / "prepare-baseline-sqlite.log")
            shutil.copyfile(scratch, target.with_suffix(".partial"))
            target.with_suffix(".partial").rename(target)
        finally:
            for path in scratch_dir.glob(scratch.name + "*"):
                path.unlink(missing_ok=True)
        log(f"baseline-sqlite: seeded in {time.monotonic() - started:.0f} s")
        return {"reused": False, "seconds": round(time.monotonic() - started, 1)}

    def prepare_postgresql(self, pg_user: str, logs: Path, fresh: bool) -> dict:
        if not fresh and pg_comment(pg_user, BASELINE_DB) == self.marker:
            log(f"baseline-postgresql: reusing database {BASELINE_DB}")
            return {"reused": True}
        started = time.monotonic()
        log(f"baseline-postgresql: seeding --n {self.seed_n} into {BASELINE_DB} (kept for later runs)")
        pg_recreate(pg_user, BASELINE_DB)
        pg_execute(pg_user, f'ALTER DATABASE "{BASELINE_DB}" SET synchronous_commit = off')
        self._seed(pg_url(pg_user, BASELINE_DB), logs / "prepare-baseline-postgresql.log")
        pg_execute(
            pg_user,
            f'ALTER DATABASE "{BASELINE_DB}" RESET synchronous_commit',
            f"COMMENT ON DATABASE \"{BASELINE_DB}\" IS '{self.marker}'",
        )
        log(f"baseline-postgresql: seeded in {time.monotonic() - started:.0f} s")
        return {"reused": False, "seconds": round(time.monotonic() - started, 1)}


# --- servers ----------------------------------------------------------------------------------------


class Server:
    def __init__(self, name: str, command: list[str], cwd: Path, env: dict, ready_path: str, log_path: Path):
        self.name, self.command, self.cwd, self.env = name, command, cwd, env
        self.ready_path, self.log_path = ready_path, log_path
        self.port = free_port()
        self.process = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        command = [*self.command, "-b", f"127.0.0.1:{self.port}"]
        self._log = open(self.log_path, "a")  # noqa: SIM115  (closed in stop())
        self.process = PROCESSES.start(command, cwd=self.cwd, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{tail(self.log_path)}")
            try:
                status, _headers, _body = http_get(self.base + self.ready_path, timeout=60)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s:\n{tail(self.log_path)}")

    def stop(self):
        if self.process is not None:
            PROCESSES.stop(self.process)
            self._log.close()
            self.process = None


def gunicorn_command(gunicorn: Path, app: str, workers: int) -> list[str]:
    # Sync workers like the stock figures; a long timeout so that a slow first
    # request (renditions) on a loaded machine does not get its worker killed.
    return [str(gunicorn), app, "-w", str(workers), "--timeout", "300", "--graceful-timeout", "5"]


# --- load ----------------------------------------------------------------------------------------------


def load_once(url: str, *, loader: str, duration: float, threads: int, connections: int, headers: dict) -> dict:
    if loader == "wrk":
        seconds = max(1, round(duration))  # wrk takes whole seconds
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command += ["-s", str(BENCH_DIR / "wrk_report.lua"), url]
        output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120, check=False)  # noqa: S603
        for line in output.stdout.splitlines():
            if line.startswith("BENCH_JSON "):
                return json.loads(line.removeprefix("BENCH_JSON "))
        raise RuntimeError(f"wrk printed no result ({output.returncode}):\n{output.stdout}\n{output.stderr}")
    return load.run(url, duration=duration, threads=threads, connections=connections, headers=headers)


def summarize(raw: dict, expected_status: int) -> dict:
    seconds = raw["duration_us"] / 1e6
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    unexpected = sum(v for k, v in statuses.items() if k != expected_status)
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


# --- one database -------------------------------------------------------------------------------------


def discover_project(uncached: Server, cached: Server) -> dict:
    """The URLs of the project's cases: an article of the listing, its detail and its front-end path."""
    status, _headers, body = http_get(uncached.base + PROJECT_LISTING)
    if status != 200:
        raise RuntimeError(f"project listing answered {status}: {body[:500]!r}")
    listing = json.loads(body)
    if not listing["items"]:
        raise RuntimeError("the project's news listing is empty")
    article = listing["items"][0]
    detail = f"/api/v1/pages/{article['id']}/"
    status, _headers, body = http_get(uncached.base + detail)
    if status != 200:
        raise RuntimeError(f"project detail answered {status}: {body[:500]!r}")
    front_end_path = json.loads(body)["url"]
    status, _headers, body = http_get(uncached.base + "/api/v1/sites/")
    hostnames = [site["hostname"] for site in json.loads(body)] if status == 200 else []
    site = article.get("site") if article.get("site") in hostnames else (hostnames[0] if hostnames else "localhost")
    find = f"/api/v1/pages/find/?site={quote(site)}&path={quote(front_end_path)}"
    status, _headers, body = http_get(uncached.base + find)
    if status != 200:
        raise RuntimeError(f"project find answered {status}: {body[:500]!r}")
    # The ETag the cached server gives the listing, for the 304 case (checked here once).
    status, headers, _body = http_get(cached.base + PROJECT_LISTING)
    etag = {k.lower(): v for k, v in headers.items()}.get("etag")
    if status != 200 or not etag:
        raise RuntimeError(f"cached project listing answered {status} without an ETag")
    status, _headers, _body = http_get(cached.base + PROJECT_LISTING, headers={"If-None-Match": etag})
    if status != 304:
        raise RuntimeError(f"If-None-Match with the listing's ETag answered {status}, not 304")
    return {
        "listing": PROJECT_LISTING,
        "detail": detail,
        "find": find,
        "304": PROJECT_LISTING,
        "etag": etag,
        "article_id": article["id"],
        "front_end_path": front_end_path,
        "site": site,
        "listing_count": listing["count"],
    }


def discover_baseline(server: Server) -> dict:
    status, _headers, body = http_get(server.base + BASELINE_LISTING)
    if status != 200:
        raise RuntimeError(f"stock listing answered {status}: {body[:500]!r}")
    listing = json.loads(body)
    article_id = listing["items"][0]["id"]
    return {
        "listing": BASELINE_LISTING,
        "detail": f"/api/v2/pages/{article_id}/",
        "article_id": article_id,
        "listing_count": listing["meta"]["total_count"],
    }


def count_queries(python: Path, pythonpath: Path, settings: str, env: dict, spec: list[dict], logs: Path) -> dict:
    command = [
        str(python),
        str(BENCH_DIR / "queries.py"),
        "--pythonpath",
        str(pythonpath),
        "--settings",
        settings,
        "--spec",
        json.dumps(spec),
    ]
    output = subprocess.run(  # noqa: S603
        command, cwd=pythonpath, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    with open(logs / "queries.log", "a") as log_file:
        log_file.write(f"\n$ {settings}\n{output.stdout}\n{output.stderr}\n")
    for line in output.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"queries.py failed ({output.returncode}):\n{output.stderr[-3000:]}")


def bench_database(kind: str, database_url: str, baseline_url: str | None, args, work: Path, logs: Path, baseline):
    """Serve, load and count one database's cases; returns its results."""
    media = work / kind / "media"
    redis_url = args.redis_url or ""
    envs = {
        mode: project_env(
            database_url, media, cached=(mode == "cached"), redis_url=redis_url, rate_limit=args.rate_limit
        )
        for mode in ("uncached", "cached")
    }
    servers = {
        mode: Server(
            f"project ({mode})",
            gunicorn_command(PROJECT_GUNICORN, "cms.wsgi:application", args.workers),
            ROOT,
            envs[mode],
            "/api/v1/sites/",
            logs / f"gunicorn-{kind}-project-{mode}.log",
        )
        for mode in ("uncached", "cached")
    }
    if baseline_url is not None:
        servers["baseline"] = Server(
            "stock Wagtail",
            gunicorn_command(baseline.venv / "bin" / "gunicorn", "bench_site.wsgi:application", args.workers),
            baseline.site,
            baseline.env(baseline_url),
            "/api/v2/pages/?limit=1",
            logs / f"gunicorn-{kind}-baseline.log",
        )
    result = {"database": kind, "cases": {}, "queries": {}, "notes": []}
    try:
        for server in servers.values():
            server.start()
        for server in servers.values():
            server.wait_ready()
        log(f"{kind}: servers up ({', '.join(f'{s.name} :{s.port}' for s in servers.values())})")
        urls = {"project": discover_project(servers["uncached"], servers["cached"])}
        if "baseline" in servers:
            urls["baseline"] = discover_baseline(servers["baseline"])
        result["urls"] = urls

        # Queries per request, in separate processes with the same environment.
        spec = [
            {"name": f"{endpoint}/{mode}", "path": urls["project"][endpoint], "mode": mode}
            for endpoint in ("listing", "detail", "find")
            for mode in ("uncached", "cached")
        ] + [
            {
                "name": "304/cached",
                "path": PROJECT_LISTING,
                "mode": "cached",
                "headers": {"If-None-Match": urls["project"]["etag"]},
            }
        ]
        result["queries"]["project"] = count_queries(
            PROJECT_PYTHON, ROOT, "cms.settings.production", envs["cached"], spec, logs
        )
        if "baseline" in servers:
            spec = [{"name": e, "path": urls["baseline"][e], "mode": "uncached"} for e in ("listing", "detail")]
            try:
                result["queries"]["stock"] = count_queries(
                    baseline.python, baseline.site, "bench_site.settings", baseline.env(baseline_url), spec, logs
                )
            except RuntimeError as exc:
                result["notes"].append(f"stock query count failed: {exc}")

        runs = {key: [] for key, *_ in CASES}
        for round_number in range(args.rounds):
            for key, site, endpoint, _mode in CASES:
                if site not in servers:
                    continue
                server = servers[site]
                path = urls["baseline" if site == "baseline" else "project"][endpoint]
                headers = {"If-None-Match": urls["project"]["etag"]} if endpoint == "304" else {}
                expected = 304 if endpoint == "304" else 200
                url = server.base + path
                if args.warmup > 0:
                    load_once(
                        url,
                        loader=args.loader,
                        duration=args.warmup,
                        threads=args.threads,
                        connections=args.connections,
                        headers=headers,
                    )
                load_before, cpu_before = loadavg(), process_tree_cpu(server.process.pid)
                raw = load_once(
                    url,
                    loader=args.loader,
                    duration=args.duration,
                    threads=args.threads,
                    connections=args.connections,
                    headers=headers,
                )
                cpu = process_tree_cpu(server.process.pid) - cpu_before
                run = summarize(raw, expected)
                run["app_cpu_ms_per_request"] = round(1000 * cpu / run["requests"], 2) if run["requests"] else None
                run["load_average_before"] = load_before
                run["round"] = round_number + 1
                runs[key].append(run)
                flag = f"  ({run['unexpected_responses']} unexpected statuses)" if run["unexpected_responses"] else ""
                log(
                    f"{kind} {key:26s} {run['rps']:8.1f} req/s  p50 {run['p50_ms']:7.1f} ms"
                    f"  p99 {run['p99_ms']:7.1f} ms"
                    f"  app CPU {run['app_cpu_ms_per_request']} ms/req  load {load_before}{flag}"
                )
        for key, case_runs in runs.items():
            if case_runs:
                result["cases"][key] = aggregate(case_runs)
    finally:
        for server in servers.values():
            server.stop()
    return result


# --- report ------------------------------------------------------------------------------------------


MEDIAN_FIELDS = ("rps", "p50_ms", "p90_ms", "p99_ms", "max_ms", "app_cpu_ms_per_request", "bytes_per_request")


def aggregate(case_runs: list[dict]) -> dict:
    """One case over its rounds: the median of each figure, every round kept under `rounds`."""
    case = {"rounds": case_runs, "requests": sum(r["requests"] for r in case_runs)}
    for name in MEDIAN_FIELDS:
        values = [r[name] for r in case_runs if r.get(name) is not None]
        case[name] = round(statistics.median(values), 2) if values else None
    case["unexpected_responses"] = sum(r["unexpected_responses"] for r in case_runs)
    case["socket_errors"] = sum(r["socket_errors"] for r in case_runs)
    return case


def round_ratios(db: dict, key: str, stock_key: str, field: str = "rps") -> list[float]:
    """`key` against `stock_key` round by round (each pair ran within a minute or two on the same machine)."""
    own = db["cases"].get(key, {}).get("rounds", [])
    stock = db["cases"].get(stock_key, {}).get("rounds", [])
    pairs = [(o.get(field), s.get(field)) for o, s in zip(own, stock, strict=False)]
    if field == "app_cpu_ms_per_request":  # less CPU is better: stock over ours
        return [round(b / a, 1) for a, b in pairs if a and b]
    return [round(a / b, 1) for a, b in pairs if a and b]


def median_ratio(values: list[float]):
    return round(statistics.median(values), 1) if values else None


RATIOS = {
    "listing_uncached": ("project/listing/uncached", "stock/listing", "rps"),
    "listing_cached": ("project/listing/cached", "stock/listing", "rps"),
    "listing_304": ("project/304/cached", "stock/listing", "rps"),
    "detail_uncached": ("project/detail/uncached", "stock/detail", "rps"),
    "detail_cached": ("project/detail/cached", "stock/detail", "rps"),
    "listing_uncached_cpu": ("project/listing/uncached", "stock/listing", "app_cpu_ms_per_request"),
    "listing_cached_cpu": ("project/listing/cached", "stock/listing", "app_cpu_ms_per_request"),
}


def ratios_for(db: dict) -> dict:
    """The median over rounds of each round's ratio; each round's under `<name>_rounds`."""
    ratios = {}
    for name, (key, stock_key, field) in RATIOS.items():
        per_round = round_ratios(db, key, stock_key, field)
        ratios[name] = median_ratio(per_round)
        ratios[f"{name}_rounds"] = per_round
    return ratios


CASE_LABELS = {
    "stock/listing": ("listing", "stock Wagtail API v2"),
    "project/listing/uncached": ("listing", "uncached"),
    "project/listing/cached": ("listing", "cached"),
    "project/304/cached": ("listing → 304", "cached"),
    "stock/detail": ("detail", "stock Wagtail API v2"),
    "project/detail/uncached": ("detail", "uncached"),
    "project/detail/cached": ("detail", "cached"),
    "project/find/uncached": ("find", "uncached"),
    "project/find/cached": ("find", "cached"),
}


def query_count(db: dict, key: str):
    if key.startswith("stock/"):
        entry = db["queries"].get("stock", {}).get(key.split("/", 1)[1])
    else:
        _project, endpoint, mode = key.split("/")
        entry = db["queries"].get("project", {}).get(f"{endpoint}/{mode}")
    return entry["queries"] if entry else None


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def markdown(results: dict) -> str:
    cfg, machine = results["config"], results["machine"]
    lines = [
        f"Run of **{results['started']}** (UTC), `{results['command']}`, {results['minutes']:.0f} minutes in all.",
        "",
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu_model'] or 'unknown model'}), {machine['memory']} RAM, "
        f"Linux {machine['kernel']}; load average at start "
        f"{' / '.join(f'{x:.2f}' for x in machine['load_average'])} (1/5/15 min): the machine is shared, so "
        "compare ratios, not absolute figures.",
        f"- Content: {cfg['pages']:,} project pages ({cfg['counts']['news']:,} news, {cfg['counts']['interviews']:,} "
        f"interviews, {cfg['counts']['videos']:,} videos in English, each with its French translation); stock site "
        f"seeded with `seed --n {cfg['baseline_n']}` ({cfg['baseline_n']:,} news, {cfg['baseline_n'] // 4:,} "
        f"interviews, {cfg['baseline_n'] // 4:,} videos, each in en and fr: {6 * cfg['baseline_n'] // 2:,} pages).",
        f"- Servers: gunicorn, {cfg['workers']} sync workers each, on 127.0.0.1. Project: "
        f"`cms.settings.production`, cache {'Redis' if cfg['redis_url'] else 'local memory (per worker)'}, "
        f"`API_ANONYMOUS_RATE_LIMIT={cfg['rate_limit']}`. Stock: `bench_site.settings` as shipped.",
        f"- Load: {cfg['loader']} with {cfg['threads']} threads and {cfg['connections']} connections, "
        f"{cfg['warmup']:g} s warm-up then {cfg['duration']:g} s measured per case, {cfg['rounds']} round(s) "
        "(figures: the median over rounds; ratios: the median of each round's ratio).",
        "",
    ]
    for db in results["databases"]:
        title = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(db["database"], db["database"])
        lines.append(f"### {title}")
        lines.append("")
        if db.get("skipped"):
            lines += [f"Skipped: {db['skipped']}", ""]
            continue
        if db.get("error"):
            lines += [f"**Failed**: `{db['error']}`", ""]
            if not db.get("cases"):
                continue
        r = db.get("ratios", {})

        def shown(name, r=r):
            rounds = r.get(f"{name}_rounds") or []
            detail = f" (rounds: {', '.join(f'{x}×' for x in rounds)})" if len(rounds) > 1 else ""
            return f"{r.get(name)}×{detail}"

        if r.get("listing_uncached") is not None:
            target_u = "meets" if r["listing_uncached"] >= 5 else "**misses**"
            target_c = "meets" if (r["listing_cached"] or 0) >= 50 else "**misses**"
            lines += [
                f"Listing throughput vs stock: **{shown('listing_uncached')}** uncached ({target_u} the 5× target), "
                f"**{shown('listing_cached')}** cached ({target_c} the 50× target), {shown('listing_304')} "
                f"for 304s. Detail: {shown('detail_uncached')} uncached, {shown('detail_cached')} cached. "
                "By app CPU per request (less sensitive to the machine's other load): "
                f"{shown('listing_uncached_cpu')} uncached, {shown('listing_cached_cpu')} cached.",
                "",
            ]
        lines += [
            "| endpoint | server | req/s | p50 ms | p99 ms | queries/req | app CPU ms/req | × stock req/s |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for key, (endpoint, label) in CASE_LABELS.items():
            case = db["cases"].get(key)
            if case is None:
                continue
            stock_key = {"detail": "stock/detail", "listing": "stock/listing", "listing → 304": "stock/listing"}.get(
                endpoint
            )
            times = "–"
            if stock_key and not key.startswith("stock/"):
                times = f"{fmt(median_ratio(round_ratios(db, key, stock_key)))}×"
            warn = f" ⚠ {case['unexpected_responses']} unexpected statuses" if case["unexpected_responses"] else ""
            lines.append(
                f"| {endpoint} | {label}{warn} | {fmt(case['rps'])} | {fmt(case['p50_ms'])} | {fmt(case['p99_ms'])} "
                f"| {fmt(query_count(db, key))} | {fmt(case['app_cpu_ms_per_request'], 2)} | {times} |"
            )
        lines.append("")
        urls = db.get("urls", {})
        if urls:
            lines.append(
                f"URLs: listing `{urls['project']['listing']}` ({urls['project']['listing_count']:,} matching), "
                f"detail `{urls['project']['detail']}`, find `{urls['project']['find']}`"
                + (
                    f"; stock listing `{urls['baseline']['listing']}` ({urls['baseline']['listing_count']:,} "
                    f"matching), detail `{urls['baseline']['detail']}`."
                    if "baseline" in urls
                    else "."
                )
            )
            lines.append("")
        for note in db.get("notes", []):
            lines += [f"Note: {note}", ""]
    for note in results.get("notes", []):
        lines += [f"Note: {note}", ""]
    lines.append(f"Raw figures: `bench/results/{results['results_file']}` (not committed).")
    return "\n".join(lines)


DEFAULT_HEADER = """# Benchmarks

`make bench` (or `make bench BENCH_PAGES=2000` for a quicker run) measures the
public content API, `/api/v1/`, under load, against stock Wagtail 8's API v2
(`../shared/baseline-wagtail`) in the same run on the same machine, on SQLite
and on PostgreSQL. The section below is rewritten by `bench/run.py` at each
run; raw figures go to `bench/results/` (git-ignored).

## Method

- **Content**: `generate_content` builds BENCH_PAGES pages (10,000 by default:
  3,500 news articles, 750 interviews and 750 videos in English, each with
  its French translation), in a new database every run (`bench_cms`, or a
  temp SQLite file). The stock site is filled by its own `seed --n 700`
  (700 news, 175 interviews, 175 videos, each in en and fr: 2,100 pages;
  `BENCH_BASELINE_N` changes it). It is smaller because that command creates,
  revises, publishes, indexes and slug-checks page by page: about 3 pages/s
  on this machine under load, slower as the tree grows (an hour or more for
  10,500 pages on PostgreSQL). A smaller stock tree can only make the stock
  listing faster (its 20 items cost the same; its count and sort run over
  fewer rows), so the ratios below are, if anything, conservative. The stock
  databases depend only on the baseline's sources and `--n`, so they are kept
  between runs (`~/.cache/cms-bench`, the `bench_baseline` PostgreSQL
  database; `--fresh-baseline` rebuilds them): the first run takes about
  10 minutes longer than the next ones (about 17 minutes with 2 rounds).
- **Content differences**: the stock seed gives every article the same lead
  image (served with one rendition); `generate_content` gives each article one
  of 24 generated pictures (its translation the same one), so the project's
  listing shows up to 20 different images (14 in the page measured), each in
  8 renditions (4 sizes × 2 formats), made on first use by the warm-up
  requests. Stock listings match 700 articles, the project's 3,500.
- **Servers**: gunicorn with 2 sync workers for every server, as the stock
  figures of the issue were taken (20 req/s on SQLite, 8 on PostgreSQL for the
  listing, 69 queries; this run counts 70). Project settings: `cms.settings.production`, a
  random secret key, `API_CACHE_ENABLED=False` for *uncached* and `True` for
  *cached*; the default cache is local memory, one per worker, so each worker
  renders each response once (the warm-up covers that). `--redis-url`
  measures with a shared Redis cache instead.
- **Rate limit**: `API_ANONYMOUS_RATE_LIMIT=100000000/s`, so that the load is
  not throttled. Not `/min`: the limiter (django-ninja's sliding window) keeps
  one timestamp per request of the window in the cache and reads and writes
  the whole list on every request. With a per-minute window and hundreds of
  requests per second that list reaches tens of thousands of entries (2.4 ms
  per request at 60,000, more than a whole cached response), a cost that no
  real limit produces (120/min keeps it at 120 entries). `--rate-limit`
  changes it.
- **PostgreSQL statistics**: both PostgreSQL databases get `VACUUM ANALYZE`
  before they are measured, as autovacuum would have done on a live server
  (it is off on this machine's PostgreSQL; without statistics the stock
  listing's count and page queries take about 0.5 s each).
- **Load**: wrk (installed by `make bench` when missing and run as root;
  otherwise `bench/load.py`, a Python equivalent) from another process on
  127.0.0.1, `-t2 -c8`, 3 s warm-up then 15 s per case. gunicorn's sync workers
  close the connection after each response, so every request opens a new one,
  for both sites alike. With 8 connections for 2 workers, latencies include
  the time a request waits for a free worker.
- **Cases**: *listing* `/api/v1/pages/?type=news.NewsArticlePage&locale=en&fields=*&limit=20`
  (stock: `/api/v2/pages/?type=bench_site.NewsArticlePage&fields=*&limit=20&locale=en`);
  *detail* `/api/v1/pages/<id>/` of the listing's first article (stock:
  `/api/v2/pages/<id>/`); *find* `/api/v1/pages/find/?site=…&path=…` with that
  article's front-end path; *304* the listing with `If-None-Match` set to its ETag.
  Stock and project cases alternate, so that drift of the shared machine
  affects both alike; ratios are taken within the run.
- **Queries per request**: Django's test client with `CaptureQueriesContext`
  in a separate process with the same settings, after one warm-up request;
  for *uncached* the Django cache is cleared and the site directory loaded
  again, as a running worker has it.
- **App CPU ms/req**: CPU time of the gunicorn workers during the measured
  seconds divided by the requests served. It excludes the database server
  (PostgreSQL's backends) and wrk, but depends much less than req/s on what
  else the shared machine is running.

## Search (`bench/search.py`)

`bench/search.py` fills a database with `generate_content` up to 10,000
searchable pages (5,000 English pages and their French translations), then
sends each typical query 50 times through Django's test client in one
process, response cache off, to `/api/v1/search/` and to Wagtail's stock API
v2 pages endpoint with `?search=` (Wagtail's PostgreSQL database backend)
over the same data:

    .venv/bin/python bench/search.py                      # PostgreSQL, cms_search_bench
    .venv/bin/python bench/search.py --database-url sqlite:////tmp/search-bench.sqlite3 --pages 2000

Figures from one run on this development machine (2 CPUs shared with other
work: absolute numbers move by ±50% between runs; the ratio is the point):

10000 searchable pages on postgresql, 50 requests per query, one thread, 2 CPUs, load average 4.1

| query | locale | /api/v1/search/ p50 | p99 | req/s | matches | API v2 `?search=` p50 | p99 | req/s | matches |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| défense intelligente | fr | 220.7 ms | 499.8 ms | 5 | 831 | 469.9 ms | 670.2 ms | 2 | 785 |
| capacités de défense | fr | 224.2 ms | 404.2 ms | 4 | 4213 | 439.5 ms | 718.4 ms | 2 | 4138 |
| ministres | fr | 227.3 ms | 476.5 ms | 4 | 4591 | 264.2 ms | 647.4 ms | 3 | 4539 |
| l'OTAN cyberdéfense | fr | 112.0 ms | 142.1 ms | 9 | 1148 | 251.7 ms | 322.6 ms | 4 | 863 |
| defence capabilities | en | 124.2 ms | 231.2 ms | 8 | 3242 | 230.1 ms | 320.8 ms | 4 | 3197 |
| NATO Secretary General | en | 122.9 ms | 213.5 ms | 8 | 2800 | 325.9 ms | 363.6 ms | 3 | 2727 |
| maritime security | en | 110.8 ms | 359.1 ms | 9 | 808 | 273.9 ms | 424.0 ms | 4 | 762 |
| Claire Martin | any | 107.1 ms | 125.2 ms | 10 | 1026 | 542.5 ms | 937.5 ms | 2 | 388 |
| cyber defence | any | 204.2 ms | 323.5 ms | 5 | 1456 | 530.2 ms | 784.3 ms | 2 | 1119 |

Per request the search takes a fixed 10 SQL queries whatever `limit`: the
ranked page of matches with its total (a window count), one GROUP BY for the
type and year facets, one for topics and their names, then the listing
renderer's bulk loads. About two thirds of the time is SQL (ranking and
faceting thousands of matches for common words such as `ministres`), the
rest rendering items and cutting excerpts in Python. In production the API's
response cache answers repeated queries with no query at all. Next steps if
common-word queries must be faster: cap facet counting, or rank with
`ts_rank` on a smaller weighted vector.

## Results

"""


def write_doc(results: dict) -> None:
    body = markdown(results)
    text = DOC.read_text() if DOC.exists() else ""
    if START_MARK in text and END_MARK in text:
        head = text.split(START_MARK, 1)[0]
        tail_text = text.split(END_MARK, 1)[1]
    else:
        head, tail_text = DEFAULT_HEADER, "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(f"{head}{START_MARK}\n\n{body}\n\n{END_MARK}{tail_text}")


# --- main ---------------------------------------------------------------------------------------------


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
    parser.add_argument("--duration", type=float, default=float(env("BENCH_DURATION", "15")), help="seconds per case")
    parser.add_argument(
        "--warmup", type=float, default=float(env("BENCH_WARMUP", "3")), help="seconds before each case"
    )
    parser.add_argument(
        "--rounds", type=int, default=int(env("BENCH_ROUNDS", "1")), help="repeat every case, keep the median"
    )
    parser.add_argument("--threads", type=int, default=int(env("BENCH_THREADS", "2")), help="wrk -t")
    parser.add_argument("--connections", type=int, default=int(env("BENCH_CONNECTIONS", "8")), help="wrk -c")
    parser.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", "2")), help="gunicorn sync workers")
    parser.add_argument("--jobs", type=int, default=int(env("BENCH_JOBS", "2")), help="databases prepared at once")
    parser.add_argument("--loader", choices=["auto", "wrk", "python"], default=env("BENCH_LOADER", "auto"))
    parser.add_argument(
        "--rate-limit",
        default=env("BENCH_RATE_LIMIT", "100000000/s"),
        help="API_ANONYMOUS_RATE_LIMIT for the project's servers",
    )
    parser.add_argument("--redis-url", default=env("BENCH_REDIS_URL", ""), help="REDIS_URL for the project's servers")
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
    return parser.parse_args()


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
        if not db.get("cases"):
            continue
        db["cases"] = {key: aggregate(case["rounds"]) for key, case in db["cases"].items()}
        db["ratios"] = ratios_for(db)
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
    # here under load, slower as the tree grows): its tree is capped, see DEFAULT_HEADER.
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
            "connections": args.connections,
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
                db["ratios"] = ratios_for(db)
            except Exception as exc:
                log(f"{kind}: failed: {exc}")
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
        if db.get("ratios"):
            r = db["ratios"]
            log(f"{db['database']}: listing ×{r['listing_uncached']} uncached, ×{r['listing_cached']} cached vs stock")
    if args.keep_tmp:
        log(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if any(db.get("error") for db in results["databases"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
