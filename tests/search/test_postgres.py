"""On PostgreSQL the database folds accents: each language's `portal_<name>` configuration runs `unaccent`."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection

from news.models import NewsArticlePage
from search import planning, text
from search import query as engine
from search.index import index_pages
from search.models import SearchDocument

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's text search configurations"),
]


def matches(config: str, indexed: str, typed: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT to_tsvector(%s::regconfig, %s) @@ plainto_tsquery(%s::regconfig, %s)",
            [config, indexed, config, typed],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(
    ("language", "indexed", "typed"),
    [
        ("fr", "Les capacités de défense", "CAPACITES defense"),
        ("fr", "capacites", "Capacités"),
        ("fr", "Œuvres", "oeuvre"),
        ("fr", "États-Unis", "etats unis"),
        ("en", "Øresund café", "oresund CAFES"),
        ("xx", "Łódź", "lodz"),  # a language without a stemmer: `portal_simple`
    ],
)
def test_the_database_folds_accents_and_case(language, indexed, typed):
    assert matches(text.search_config(language), indexed, typed)


def test_postgresqls_own_configuration_does_not_fold():
    # Snowball alone stems `capacités` and `capacites` apart: the folding is unaccent's doing.
    assert not matches("french", "capacités", "capacites")
    assert matches(text.search_config("fr"), "capacités", "capacites")


def test_every_language_has_its_configuration():
    wanted = {text.search_config(code) for code in [*text.LANGUAGE_CONFIGS, "xx"]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname = ANY(%s)", [sorted(wanted)])
        assert {row[0] for row in cursor.fetchall()} == wanted


@pytest.fixture
def french_article(site_tree, locales):
    news_fr = site_tree.news.copy_for_translation(locales.fr, copy_parents=True)
    news_fr.save_revision().publish()
    page = NewsArticlePage(
        title="Les capacités de l’Alliance",
        slug="capacites",
        standfirst="Œuvres des ministres à Genève.",
        locale=locales.fr,
    )
    news_fr.add_child(instance=page)
    page.save_revision().publish()
    return page


def test_pages_are_indexed_without_folding_in_python(client, french_article):
    SearchDocument.objects.all().delete()
    # The vocabulary (typo corrections) keys words by their Python folding; the vector must not need it.
    no_vocabulary = mock.patch("search.vocabulary.count_changes")
    with mock.patch("search.text.fold", side_effect=AssertionError("folded in Python")), no_vocabulary:
        index_pages([french_article.pk])

    vector = SearchDocument.objects.values_list("vector", flat=True).get(page_id=french_article.pk)
    assert {"capacit", "allianc", "oeuvr", "genev"} <= {lexeme.split(":")[0].strip("'") for lexeme in vector.split()}
    cache.clear()
    for typed in ("CAPACITES", "capacités alliance", "oeuvres GENEVE"):
        response = client.get("/api/v1/search/", {"q": typed, "locale": "fr", "fields": "title"})
        assert [item["id"] for item in response.json()["items"]] == [french_article.pk], typed
    # Matched by the database, marked by the highlighter's own folding.
    excerpt = response.json()["items"][0]["excerpt"]
    assert "<mark>Œuvres</mark>" in excerpt and "<mark>Genève</mark>" in excerpt


def test_queries_reach_the_database_as_typed(french_article):
    searched = planning.plan("CAPACITÉS l'Alliance", ["fr"])
    matched, _score = engine.match(SearchDocument.objects.all(), searched.queries, searched.weights)
    _sql, params = matched.query.sql_with_params()
    assert {"CAPACITÉS", "Alliance", "Alliance:*", text.search_config("fr")} <= set(params)
    assert list(matched.values_list("page_id", flat=True)) == [french_article.pk]
