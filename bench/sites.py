"""The two sites bench/run.py serves: the project and stock Wagtail, their data and their gunicorn servers."""

import hashlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pg import pg_comment, pg_execute, pg_recreate, pg_url
from procs import PROCESSES, free_port, http_get, log, tail

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PROJECT_PYTHON = ROOT / ".venv" / "bin" / "python"
PROJECT_GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# Database names: BENCH_DB_PREFIX keeps parallel runs (several checkouts, one server) apart.
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "bench")
PROJECT_DB = f"{DB_PREFIX}_cms"
BASELINE_DB = os.environ.get("BENCH_BASELINE_DB", f"{DB_PREFIX}_baseline")


# --- the project --------------------------------------------------------------------------------


def page_counts(pages: int) -> dict[str, int]:
    """English pages per type for `pages` pages in all (each English page has a French translation)."""
    english = max(pages // 2, 3)
    interviews = videos = max(round(english * 0.15), 1)
    return {"news": english - interviews - videos, "interviews": interviews, "videos": videos}


def project_env(
    database_url: str, media_root: Path, *, cached: bool, redis_url: str, rate_limit: str, cache_dir: Path
) -> dict:
    """The environment of one of the project's processes.

    Each server gets a cache of its own (a diskcache directory, or a Redis
    database): what one server caches never answers for the other.
    """
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
            # Empty: the embedded default (the machine's disk cache in CACHE_DIR), even if a
            # .env file names a Redis server.
            "REDIS_URL": redis_url,
            "CACHE_DIR": str(cache_dir),
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
    env = project_env(
        database_url,
        workdir / "media",
        cached=True,
        redis_url="",
        rate_limit="100000000/min",
        cache_dir=workdir / "cache-prepare",
    )
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
