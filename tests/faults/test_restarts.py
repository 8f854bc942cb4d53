"""PostgreSQL and Redis really restarted (stopped, then started again) under a bounded loopback load.

test_postgres.py and test_redis.py end the application's connections on the
shared servers; here the servers are the test's own (private_servers.py), so
they can go away entirely: for a second nothing listens on their port. The
application is a real gunicorn and task worker (tests/videos/live_cms.py);
the load asks the search endpoint with a new query each time, so every
request reaches the database and writes to the cache.

What must hold: while the server is down, every answer is a 503 problem
document (no HTML, no traceback, no hang); once it is back, every answer
succeeds without restarting the application, and the task worker is still
running.
"""

import subprocess
import time

import pytest
from django.db import connection

from tests.videos.live_cms import LiveCMS

from .conftest import Load, assert_problem_answers
from .private_servers import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.django_db(transaction=True)

DOWN_SECONDS = 1.5
# Answers may still be in flight when the server comes back; afterwards there must be no error at all.
SETTLE_SECONDS = 1.0
LIFTED_LIMIT = {"API_ANONYMOUS_RATE_LIMIT": "1000000/min"}


def restart_under_load(cms: LiveCMS, stop, start) -> dict:
    with Load(f"{cms.url}/api/v1/search/?q=press{{n}}", threads=4) as load:
        time.sleep(1.0)
        assert load.since(0)[200] > 0, "the load never succeeded before the fault"
        down = time.monotonic()
        stop()
        time.sleep(DOWN_SECONDS)
        start()
        back = time.monotonic()
        time.sleep(2.0)
    end = time.monotonic()
    return {
        "during": load.errors_between(down, back + SETTLE_SECONDS),
        "after": load.errors_between(back + SETTLE_SECONDS, end),
        "succeeded_after": load.since(back + SETTLE_SECONDS)[200],
    }


def assert_recovered(cms: LiveCMS, outcome: dict, what: str) -> None:
    assert outcome["during"], f"no request failed while {what} was down: the fault did not happen"
    assert_problem_answers(outcome["during"])
    assert {status for status, _type, _body in outcome["during"]} == {503}
    assert outcome["after"] == [], outcome["after"][:3]
    assert outcome["succeeded_after"] > 0
    assert all(process.poll() is None for process in cms.processes), "a server or the task worker died"
    print(f"{what}: {len(outcome['during'])} answers 503 while down, {outcome['succeeded_after']} 200 after, 0 errors")


@pytest.fixture
def postgres_copy():
    """A private PostgreSQL holding a copy of the suite's (migrated) test database."""
    if connection.vendor != "postgresql":
        pytest.skip("copies the suite's PostgreSQL database: runs in the PostgreSQL pass (DATABASE_URL)")
    server = PrivatePostgres().start()
    try:
        server.psql("CREATE DATABASE cms")
        source = connection.settings_dict
        dump = subprocess.run(
            [str(server.bin / "pg_dump"), "--no-owner", "--no-privileges", "-h", source["HOST"] or "127.0.0.1",
             "-p", str(source["PORT"] or 5432), "-U", source["USER"], source["NAME"]],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [str(server.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(server.port),
             "-U", server.user, "-d", "cms"],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        yield server
    finally:
        server.remove()


def test_postgres_restarted_under_load(postgres_copy, tmp_path):
    cms = LiveCMS(postgres_copy.url("cms"), tmp_path / "cms", **LIFTED_LIMIT).start()
    try:
        outcome = restart_under_load(cms, lambda: postgres_copy.stop("fast"), postgres_copy.start)
        assert_recovered(cms, outcome, "PostgreSQL")
    finally:
        cms.stop()


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def test_redis_restarted_under_load(live_database, private_redis, tmp_path):
    cms = LiveCMS(live_database["url"], tmp_path / "cms", REDIS_URL=private_redis.url(), **LIFTED_LIMIT).start()
    try:
        outcome = restart_under_load(cms, private_redis.stop, private_redis.start)
        assert_recovered(cms, outcome, "Redis")
    finally:
        cms.stop()
