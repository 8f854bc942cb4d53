"""A database that processes started by a test can share: a copy of the migrated, empty test database.

A temporary SQLite file (the test database itself is in memory), or a
PostgreSQL database cloned from the test one. Used by the tests that start
real server and command processes (tests/accounts/test_concurrency.py,
tests/cms/test_shared_cache.py).
"""

import os
import sqlite3
import time
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connections


def _postgres(settings_dict, dbname="postgres"):
    import psycopg

    return psycopg.connect(
        dbname=dbname,
        user=settings_dict.get("USER") or None,
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict.get("HOST") or None,
        port=settings_dict.get("PORT") or None,
        autocommit=True,
    )


@pytest.fixture(scope="module")
def live_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """{"url": DATABASE_URL for the processes, "count": run a COUNT query in it}."""
    with django_db_blocker.unblock():
        connection = connections["default"]
        settings_dict = dict(connection.settings_dict)
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            path = tmp_path_factory.mktemp("live-db") / "db.sqlite3"
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.close()
            yield {"url": f"sqlite:///{path}", "count": lambda sql, args: _sqlite_count(path, sql, args)}
            return
        if connection.vendor != "postgresql":
            pytest.skip(f"no live database for {connection.vendor}")
        name = f"{settings_dict['NAME']}_live_{os.getpid()}"
        connections.close_all()  # a template database must have no other session
        with _postgres(settings_dict) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            # A template must have no other session: one left by an earlier test's server thread or process
            # (seen in CI: "being accessed by other users") is ended; it belonged to a test that is over.
            for attempt in range(5):
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [settings_dict["NAME"]],
                )
                try:
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{settings_dict["NAME"]}"')
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 4:
                        raise
                    time.sleep(0.5)
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        try:
            yield {"url": url, "count": lambda sql, args: _postgres_count(settings_dict, name, sql, args)}
        finally:
            with _postgres(settings_dict) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _sqlite_count(path, sql, args):
    with sqlite3.connect(path) as db:
        return db.execute(sql.replace("%s", "?"), args).fetchone()[0]


def _postgres_count(settings_dict, name, sql, args):
    with _postgres(settings_dict, dbname=name) as db:
        return db.execute(sql, args).fetchone()[0]
