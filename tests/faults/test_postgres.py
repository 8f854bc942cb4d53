"""PostgreSQL ends every connection of the application while it serves a bounded load.

Restarting the shared server would break every other process using it; what
a restart (or a failover, or an idle-connection reaper) does to the
application is end its connections, which `pg_terminate_backend` does to
exactly the test database's sessions, the test's own excepted.
"""

import time

import pytest
from django.db import connection

from .conftest import Load, assert_problem_answers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the database is not PostgreSQL (set DATABASE_URL)")


def terminate_application_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_postgres_ending_every_connection_under_load(live_server, postgres):
    with Load(f"{live_server.url}/api/v1/search/?q=press{{n}}", threads=4) as load:
        time.sleep(1.0)
        fault = time.monotonic()
        terminated = 0
        for _ in range(10):  # ten times in one second, whatever the requests are doing then
            terminated += terminate_application_connections()
            time.sleep(0.1)
        recovered = time.monotonic()
        time.sleep(1.5)
    after = time.monotonic()
    assert terminated > 0
    during = load.errors_between(fault, recovered + 0.5)
    # A request whose connection is cut gets a problem answer, never an HTML page or a traceback...
    assert_problem_answers(during)
    assert {status for status, _type, _body in during} <= {503}
    # ...and the next ones get a new connection: no error once the database is back, no restart.
    assert load.errors_between(recovered + 0.5, after) == []
    assert load.since(recovered + 0.5)[200] > 0
    print(f"postgres: {terminated} connections ended, {len(during)} errors during, 0 after")
