"""A PostgreSQL and a Redis server of a test's own, which it may stop and start again.

The machine's servers are shared with other test processes (and, in CI, with
the suite's second pass), so a test that restarts a server starts its own:
`initdb` + `pg_ctl` as the `postgres` system user (PostgreSQL refuses to run
as root), and `redis-server` on a free port. Both listen on loopback only,
keep nothing worth keeping (fsync off, no persistence) and are removed after
the test. Skipped, with the reason, where the binaries or the system user are
missing.
"""

import contextlib
import getpass
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


class PrivatePostgres:
    """A PostgreSQL cluster in `folder`, superuser `root`, trust authentication on loopback."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries:
            pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
        self.bin = Path(binaries[-1]).parent
        # Not under pytest's temporary folder: it is root's alone (mode 700), which the `postgres` user cannot enter.
        self.folder, self.port = Path(tempfile.mkdtemp(prefix="cms-test-postgres-")), free_port()
        self.data = self.folder / "data"
        # The cluster's owner: `postgres` when the tests run as root, else whoever runs them.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user and not shutil.which("runuser"):
            pytest.skip("running as root without runuser: PostgreSQL cannot be started")
        self.user = "root" if os.geteuid() == 0 else getpass.getuser()

    def _run(self, *command: str) -> None:
        done = subprocess.run([*self.as_user, *command], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def start(self) -> "PrivatePostgres":
        if not self.data.exists():
            if self.as_user:
                shutil.chown(self.folder, "postgres")
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", self.user, "--no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = self.folder / "server.log"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(log), "-w", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> None:
        subprocess.run(
            [str(self.bin / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
             "-d", database, "-c", sql],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip


class PrivateRedis:
    """A redis-server on a free loopback port, without persistence."""

    def __init__(self, folder: Path) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            pytest.skip("no redis-server on PATH")
        self.folder, self.port = folder, free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        _wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"
