"""The local PostgreSQL server, as bench/run.py uses it (databases made and dropped by name)."""

PG_HOST, PG_PORT = "127.0.0.1", 5432


def find_pg_user(candidates) -> tuple[str | None, str]:
    """The first role that can connect to the local server, and why none could."""
    try:
        import psycopg
    except ImportError:
        return None, "psycopg is not installed in the project's virtualenv"
    reasons = []
    for user in candidates:
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", connect_timeout=5):
                return user, ""
        except psycopg.Error as exc:
            reasons.append(f"{user}: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}")
    return None, "; ".join(reasons)


def pg_execute(user: str, *statements: str, dbname: str = "postgres"):
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname=dbname, autocommit=True) as connection:
        result = None
        for statement in statements:
            cursor = connection.execute(statement)
            result = cursor.fetchall() if cursor.description else None
        return result


def pg_url(user: str, database: str) -> str:
    return f"postgres://{user}@{PG_HOST}:{PG_PORT}/{database}"


def pg_recreate(user: str, database: str) -> None:
    pg_execute(user, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')


def pg_comment(user: str, database: str) -> str | None:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=user, dbname="postgres", autocommit=True) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database]
        ).fetchone()
    return row[0] if row else None
