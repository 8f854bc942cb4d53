"""PostgreSQL folds accents itself: the `unaccent` extension and a `portal_<name>` search configuration per language.

Each configuration is a copy of PostgreSQL's own (`french`, `english`, ...)
whose words with non-ASCII letters go through `unaccent` before the
language's stemmer (the recipe of PostgreSQL's `unaccent` documentation), so
`capacités`, `Capacites` and `CAPACITÉS` index and search alike.

`unaccent` is a trusted extension from PostgreSQL 13: the database's owner
(any role with CREATE on the database) can create it without superuser
rights. Where that is not allowed, an administrator runs
`CREATE EXTENSION unaccent` in the database once; this migration then finds it.

No-op on other databases. Existing vectors were built from text already
folded in Python, so they keep matching; `manage.py update_index` rebuilds
them with the new configurations.
"""

from django.db import migrations

# Frozen copy of `search.text.LANGUAGE_CONFIGS`' values plus "simple": a
# language added there needs a new migration creating its configuration.
CONFIGURATIONS = {
    "danish": "danish_stem",
    "dutch": "dutch_stem",
    "english": "english_stem",
    "finnish": "finnish_stem",
    "french": "french_stem",
    "german": "german_stem",
    "hungarian": "hungarian_stem",
    "italian": "italian_stem",
    "norwegian": "norwegian_stem",
    "portuguese": "portuguese_stem",
    "romanian": "romanian_stem",
    "russian": "russian_stem",
    "simple": "simple",
    "spanish": "spanish_stem",
    "swedish": "swedish_stem",
    "turkish": "turkish_stem",
}


def create_configurations(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        # The dictionary by its schema: an extension created beforehand may live outside the search path.
        cursor.execute(
            "SELECT quote_ident(n.nspname) || '.unaccent' FROM pg_ts_dict d "
            "JOIN pg_namespace n ON n.oid = d.dictnamespace WHERE d.dictname = 'unaccent' "
            "ORDER BY n.nspname = current_schema() DESC LIMIT 1"
        )
        unaccent = cursor.fetchone()[0]
        for name, stemmer in CONFIGURATIONS.items():
            config = f"portal_{name}"
            cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION {config} (COPY = pg_catalog.{name})")
            # ASCII-only words (asciiword, asciihword, hword_asciipart) have nothing to fold and keep their mapping.
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {config} "
                f"ALTER MAPPING FOR hword, hword_part, word WITH {unaccent}, pg_catalog.{stemmer}"
            )
            cursor.execute(
                f"ALTER TEXT SEARCH CONFIGURATION {config} "
                f"ALTER MAPPING FOR numword, numhword, hword_numpart WITH {unaccent}, pg_catalog.simple"
            )


def drop_configurations(apps, schema_editor):
    # The extension stays: other applications of the database may use it, and it costs nothing idle.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONFIGURATIONS:
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS portal_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_configurations, drop_configurations),
    ]
