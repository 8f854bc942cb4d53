"""Real server processes for the tests that need them: gunicorn (and a task worker) on a copy of the database.

`live_database` (tests/live_database.py) makes the copy; a `LiveServer`
starts gunicorn on it with a settings module of the test's, and optionally a
`db_worker`. Used by the uploader's browser tests (tests/videos/live_cms.py)
and the schemathesis runs (tests/contract/test_schemathesis.py).
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """gunicorn serving `cms.wsgi` with `settings` on `database_url`; `worker` adds a `db_worker`.

    `gunicorn_options` are added to the command line (e.g. `--limit-request-line 0`). The processes share a
    media folder and a cache folder below `workdir` (or the cache REDIS_URL names, with a prefix of their own).
    """

    ready_path = "/admin/login/"

    def __init__(
        self,
        database_url: str,
        workdir: Path,
        settings: str,
        *,
        worker: bool = False,
        threads: int = 8,
        gunicorn_options: tuple[str, ...] = (),
        **environment: str,
    ) -> None:
        self.workdir = workdir
        (workdir / "media").mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings,
            "DATABASE_URL": database_url,
            "LIVE_MEDIA_ROOT": str(workdir / "media"),
            "CACHE_DIR": str(workdir / "cache"),
            "CACHE_KEY_PREFIX": f"live-{uuid.uuid4().hex}",
            "PYTHONDONTWRITEBYTECODE": "1",
            **environment,
        }
        self.worker = worker
        self.threads = threads
        self.gunicorn_options = gunicorn_options
        self.processes: list[subprocess.Popen] = []
        self.log_path = workdir / "servers.log"
        self.url = ""

    def _spawn(self, *command: str) -> subprocess.Popen:
        log = self.log_path.open("ab")
        process = subprocess.Popen(
            [sys.executable, *command],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def start(self) -> "LiveServer":
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        web = self._spawn(
            "-m", "gunicorn", "cms.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--threads", str(self.threads), "--timeout", "120", "--log-level", "warning",
            *self.gunicorn_options,
        )  # fmt: skip
        if self.worker:
            self._spawn("manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if web.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"{self.url}{self.ready_path}", timeout=2):  # noqa: S310  (loopback)
                    return self
            except urllib.error.HTTPError:
                return self  # it answers: up
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not start:\n" + self.log(4000))

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
        self.processes = []

    def run_module(self, module: str, *arguments: str, timeout: int = 120) -> dict:
        """Run `python -m module arguments` in the server's environment; the JSON its last line prints."""
        done = subprocess.run(
            [sys.executable, "-m", module, *arguments],
            cwd=BASE_DIR, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-4000:])
        return json.loads(done.stdout.strip().splitlines()[-1])
