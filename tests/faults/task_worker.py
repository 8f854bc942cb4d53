"""A real `manage.py db_worker` for the fault tests that kill it: started on the test's database, killed hard.

PostgreSQL only: the worker must see the test's rows, which an in-memory
SQLite test database cannot share.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]

WORKER_TEST_MARKS = [
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="the worker fault test needs PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_rows"),  # before site_tree: an earlier test may have emptied the database
]


@contextlib.contextmanager
def worker(log_path: Path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker fault test needs PostgreSQL (set DATABASE_URL)")
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    if not django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        # The test's own disk cache, as a machine's processes share one: what the worker changes invalidates it.
        env["CACHE_DIR"] = django_settings.CACHES["default"]["LOCATION"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(condition, timeout=30.0, what=""):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return result
