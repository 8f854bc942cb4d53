"""Redis drops every connection of the application while it serves a bounded load.

The Redis server is shared (CI, other test processes): the test restarts
nothing and kills only its own connections, `CLIENT KILL ID` for each client of
this process's dedicated database number (cms/settings/test.py gives each
test process one), which is what a Redis restart or failover does to them.
"""

import time

import pytest
from django.conf import settings
from django.core.cache import cache

from .conftest import Load, assert_problem_answers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_cache():
    if settings.CACHES["default"]["BACKEND"] != "cms.redis_cache.SharedClientRedisCache":
        pytest.skip("the cache is not Redis (set REDIS_URL)")
    import redis

    location = settings.CACHES["default"]["LOCATION"]
    admin = redis.Redis.from_url(location)
    admin.ping()
    yield admin, admin.connection_pool.connection_kwargs.get("db", 0)
    admin.close()


def kill_application_connections(admin, db: int) -> int:
    """Close every connection to database `db` but the admin's own; how many were closed."""
    own = admin.client_id()
    killed = 0
    for client in admin.client_list(_type="normal"):
        if int(client["db"]) == db and int(client["id"]) != own:
            killed += admin.client_kill_filter(_id=client["id"])
    return killed


def test_redis_dropping_every_connection_under_load(live_server, redis_cache):
    admin, db = redis_cache
    cache.clear()
    with Load(f"{live_server.url}/api/v1/topics/", threads=4) as load:
        time.sleep(1.0)
        assert sum(load.since(0).values()) > 0  # the load runs, and uses Redis:
        assert any(int(c["db"]) == db for c in admin.client_list(_type="normal") if c["id"] != str(admin.client_id()))
        fault = time.monotonic()
        killed = sum(kill_application_connections(admin, db) for _ in range(5) if time.sleep(0.1) is None)
        recovered = time.monotonic()
        time.sleep(1.5)
    after = time.monotonic()
    assert killed > 0
    during = load.errors_between(fault, recovered + 0.5)
    assert_problem_answers(during)
    # Once Redis answers again, every request succeeds: no restart, no stale broken connection.
    assert load.errors_between(recovered + 0.5, after) == []
    assert load.since(recovered + 0.5)[200] > 0
    print(f"redis: {killed} connections killed, {len(during)} errors during, 0 after")
