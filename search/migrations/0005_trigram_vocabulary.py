"""PostgreSQL: `pg_trgm` and a trigram index on the vocabulary, for typo correction and prefixes.

`pg_trgm` is a trusted extension from PostgreSQL 13, like `unaccent`
(migration 0002): the database's owner can create it; elsewhere an
administrator runs `CREATE EXTENSION pg_trgm` once. The GIN index answers
both `word % 'misspelt'` (similarity) and `word LIKE 'pre%'`.

The lengths of documents indexed before this version are computed from their
vectors here; the vocabulary is filled by `manage.py update_index` (it needs
the words as written). No-op on other databases.
"""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX search_vocabulary_word_trigram ON search_vocabularyword USING gin (word gin_trgm_ops)"
    )
    schema_editor.execute(
        "UPDATE search_searchdocument SET length = "
        "(SELECT coalesce(sum(array_length(positions, 1)), 0) FROM unnest(vector)) WHERE vector IS NOT NULL"
    )


def drop(apps, schema_editor):
    # The extension stays, as unaccent does: other applications of the database may use it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_vocabulary_word_trigram")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_synonyms_vocabulary_and_lengths"),
    ]

    operations = [migrations.RunPython(create, drop)]
