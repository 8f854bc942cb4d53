"""Real concurrency: server processes (gunicorn) on loopback, hit in parallel.

Two processes share the cache, as a machine's do: Redis when REDIS_URL is set,
otherwise the embedded default (a disk cache in one CACHE_DIR); the requests
are spread over both. The database is a copy of the test database (a temporary
SQLite file, or a PostgreSQL database cloned from the test one).
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import CODE, signup_data, wrong_code
from .smtp import SmtpServer, free_port

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS = bool(os.environ.get("REDIS_URL"))


class Live:
    def __init__(self, ports, smtp, database):
        self.urls = [f"http://127.0.0.1:{port}" for port in ports]
        self.smtp = smtp
        self.database = database

    def call(self, server, method, path, body=None, token=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.urls[server % len(self.urls)] + path, data=data, method=method)  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("X-Session-Token", token)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (loopback)
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                return error.code, json.loads(payload or b"null")
            except ValueError:
                return error.code, {"raw": payload.decode(errors="replace")}

    def code_for(self, address):
        messages = self.smtp.inbox.wait_for(address, timeout=15)
        assert messages, f"no mail to {address}"
        return CODE.search(messages[-1].get_body(preferencelist=("plain",)).get_content()).group(0)

    def users_with(self, address):
        return self.database["count"]("SELECT COUNT(*) FROM accounts_user WHERE LOWER(email) = LOWER(%s)", [address])


def _start(env, log_path):
    port = free_port()
    log = open(log_path, "ab")  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "16",
            "--timeout",
            "60",
            "--graceful-timeout",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return port, process, log


def _ready(port, process, deadline):
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/accounts/terms", timeout=2):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    return False


def _stop(process, log):
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    log.close()


@pytest.fixture(scope="module")
def live(live_database, tmp_path_factory):
    smtp = SmtpServer().start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.accounts.live_settings",
        "DATABASE_URL": live_database["url"],
        "LIVE_SMTP_PORT": str(smtp.port),
        "CACHE_KEY_PREFIX": f"live-{uuid.uuid4().hex}",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if not REDIS:
        env["CACHE_DIR"] = str(tmp_path_factory.mktemp("live-cache"))
    logs = tmp_path_factory.mktemp("live-logs")
    started = []
    try:
        for index in range(2):
            for _attempt in range(3):  # a free port can be taken between choosing and binding it
                port, process, log = _start(env, logs / f"server-{index}.log")
                if _ready(port, process, time.monotonic() + 90):
                    started.append((port, process, log))
                    break
                _stop(process, log)
            else:
                pytest.fail("the live server did not start:\n" + (logs / f"server-{index}.log").read_text()[-3000:])
        yield Live([port for port, _, _ in started], smtp, live_database)
    finally:
        for _, process, log in started:
            _stop(process, log)
        smtp.stop()


def unique_address(label):
    return f"{label}-{uuid.uuid4().hex[:10]}@live.example.org"


@pytest.mark.django_db
def test_parallel_wrong_guesses_are_never_checked_more_than_the_limit(live):
    email = unique_address("guess")
    status, body = live.call(0, "POST", "/_allauth/app/v1/auth/signup", signup_data(email))
    assert status == 401, body
    token = body["meta"]["session_token"]
    code = live.code_for(email)

    def guess(index):
        return live.call(index, "POST", "/_allauth/app/v1/auth/email/verify", {"key": wrong_code(code)}, token)

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(guess, range(12)))

    statuses = [status for status, _ in results]
    checked = [body for status, body in results if status == 400]
    assert set(statuses) <= {400, 409, 429}, results
    assert len(checked) <= 5, statuses
    assert all(error["code"] == "incorrect_code" for body in checked for error in body["errors"])
    # The right code now comes too late: the verification ended with the fifth submission.
    status, _ = live.call(1, "POST", "/_allauth/app/v1/auth/email/verify", {"key": code}, token)
    assert status in (409, 429)
    assert live.call(0, "GET", "/api/v1/me", token=token)[0] == 401


@pytest.mark.django_db
def test_concurrent_sign_ups_for_one_address_make_one_account(live):
    email = unique_address("dup")
    variants = [email, email.upper(), email.title(), email, email.upper(), email.title()]

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(
                lambda item: live.call(item[0], "POST", "/_allauth/app/v1/auth/signup", signup_data(item[1])),
                enumerate(variants),
            )
        )

    assert {status for status, _ in results} <= {401, 429}, results
    assert 401 in {status for status, _ in results}
    assert live.users_with(email) == 1


@pytest.mark.django_db
def test_rate_limits_hold_across_two_server_processes(live):
    email = unique_address("limits")
    statuses = [
        live.call(attempt, "POST", "/_allauth/app/v1/auth/password/request", {"email": email})[0]
        for attempt in range(6)
    ]

    # Four reset codes per address per 30 minutes, whichever process answers.
    assert statuses == [401, 401, 401, 401, 429, 429]
