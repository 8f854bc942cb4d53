"""Fault tests: a real part (SMTP, S3, the task worker, PostgreSQL, Redis) fails while the application runs,
then comes back; the application recovers without a restart and loses nothing. Outcomes: docs/security.md."""

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(autouse=True)
def no_anonymous_rate_limit(settings):
    """The load is one client sending hundreds of requests; the limit is tested elsewhere."""
    settings.API_ANONYMOUS_RATE_LIMIT = "1000000/min"


def get(url: str, timeout: float = 10.0) -> tuple[int, str, bytes]:
    """Status, content type and body of one GET (an error status is an answer, not an exception)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  (loopback test server)
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()
    except OSError as error:  # the server did not answer at all
        return 0, type(error).__name__, b""


class Load:
    """A bounded load: `threads` threads each sending GETs to `url` until stopped, every answer counted.

    `{n}` in the URL becomes a request number, so that no answer comes from the cache."""

    def __init__(self, url: str, threads: int = 4):
        self.url, self.threads = url, threads
        self.answers: list[tuple[float, int, str, bytes]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    def _run(self):
        while not self._stop.is_set():
            with self._lock:
                number = len(self.answers) + self.threads * 1000 * len(self._workers)
            status, content_type, body = get(self.url.replace("{n}", str(number)))
            with self._lock:
                self.answers.append((time.monotonic(), status, content_type, body))

    def __enter__(self):
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def since(self, moment: float) -> Counter:
        with self._lock:
            return Counter(status for at, status, _type, _body in self.answers if at >= moment)

    def errors_between(self, start: float, end: float) -> list[tuple[int, str, bytes]]:
        with self._lock:
            return [(s, t, b) for at, s, t, b in self.answers if start <= at < end and s != 200]


def assert_problem_answers(errors):
    """Every error answered during a fault is a problem document, never an HTML page or a traceback."""
    for status, content_type, body in errors:
        assert status != 0, "the server stopped answering"
        assert content_type == "application/problem+json", (status, content_type, body[:200])
        assert json.loads(body)["status"] == status
