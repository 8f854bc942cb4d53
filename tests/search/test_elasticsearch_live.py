"""/api/v1/search/ served by a real Elasticsearch or OpenSearch server: relevance, accents, elisions, stemming.

Runs only when `SEARCH_TEST_ELASTICSEARCH_URL` points at a server the tests
may write to (an index named `test_portal_<random>_search_searchdocument` is
created and deleted); `SEARCH_TEST_ELASTICSEARCH_ENGINE` picks the modelsearch
backend module (default `modelsearch.backends.elasticsearch8`, e.g.
`modelsearch.backends.opensearch2`; the clients for Elasticsearch 8 and OpenSearch are in requirements.txt):

    SEARCH_TEST_ELASTICSEARCH_URL=http://localhost:9200 .venv/bin/pytest tests/search/test_elasticsearch_live.py -s

Not run where this was written: no server could be installed there (docs/search.md).
"""

import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import override_settings
from modelsearch.backends import get_search_backend

from search.models import SearchDocument

from .relevance import measure

SERVER = os.environ.get("SEARCH_TEST_ELASTICSEARCH_URL", "")
ENGINE = os.environ.get("SEARCH_TEST_ELASTICSEARCH_ENGINE", "modelsearch.backends.elasticsearch8")
URL = "/api/v1/search/"
# The analysers are the per-language rules the portal's PostgreSQL index has: its floor.
REQUIRED_SHARE = 0.90

pytestmark = [
    pytest.mark.skipif(not SERVER, reason="set SEARCH_TEST_ELASTICSEARCH_URL to test against a live server"),
    pytest.mark.django_db,
]


@pytest.fixture(scope="module")
def live_backends():
    return {
        "default": {"BACKEND": "wagtail.search.backends.database"},
        "live": {
            "BACKEND": ENGINE,
            "URLS": [SERVER],
            "INDEX_PREFIX": f"test_portal_{uuid.uuid4().hex[:8]}_",
            "INDEX_SETTINGS": {"settings": {"analysis": settings.WAGTAILSEARCH_PORTAL_ANALYSIS}},
            "ATOMIC_REBUILD": False,
        },
    }


@pytest.fixture(scope="module")
def server_index(portal, live_backends, django_db_blocker):
    """The portal's documents in a fresh index of the live server, as `update_index` would build it."""
    with override_settings(WAGTAILSEARCH_BACKENDS=live_backends, SEARCH_API_BACKEND="live"):
        backend = get_search_backend("live")
        index = backend.get_index_for_model(SearchDocument)
        rebuilder = backend.rebuilder_class(index)
        index = rebuilder.start()
        index.add_model(SearchDocument)
        with django_db_blocker.unblock():
            index.add_items(SearchDocument, list(SearchDocument.objects.all()))
        rebuilder.finish()
        yield backend, index
        index.delete()


@pytest.fixture
def served_by_the_server(server_index, live_backends):
    with override_settings(WAGTAILSEARCH_BACKENDS=live_backends, SEARCH_API_BACKEND="live"):
        cache.clear()
        yield server_index
    cache.clear()


def found(client, query, **params):
    response = client.get(URL, {"q": query, "limit": 100, "fields": "title", **params})
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def analysed(server_index, analyser: str, words: str) -> list[str]:
    backend, index = server_index
    return [
        token["token"]
        for token in backend.es.indices.analyze(index=index.name, analyzer=analyser, text=words)["tokens"]
    ]


def test_relevance(client, portal, served_by_the_server, capsys):
    met, total, failures = measure(
        lambda q, locale: found(client, q, **({"locale": locale} if locale else {})), portal.pages
    )
    share = met / total
    with capsys.disabled():
        print(f"\nsearch relevance, {ENGINE} at {SERVER} ({connection.vendor}): {met}/{total} ({share:.1%})")
        for failure in failures:
            print(f"  missed: {failure}")
    assert share >= REQUIRED_SHARE, failures


@pytest.mark.parametrize(
    ("analyser", "written", "typed"),
    [
        # Elisions, the long ones too, with either apostrophe.
        ("portal_french", "Lorsqu’il arrive à l'Alliance", "il arrive à Alliance"),
        ("portal_french", "jusqu'aux presqu'île quoiqu'elle puisqu'on", "aux île elle on"),
        # Accents folded before the stemmer; inflections meet.
        ("portal_french", "Les capacités des ministres", "CAPACITE ministre"),
        ("portal_french", "Œuvres", "oeuvre"),
        ("portal_english", "NATO’s Allies' capabilities", "NATO ally capability"),
        ("portal_folding", "Łódź Øresund CAFÉ", "lodz oresund cafe"),
    ],
)
def test_each_language_is_analysed_with_its_rules(served_by_the_server, analyser, written, typed):
    assert analysed(served_by_the_server, analyser, written) == analysed(served_by_the_server, analyser, typed)


@pytest.mark.parametrize(
    ("query", "locale", "page"),
    [
        ("capacites", "fr", "news-fr"),
        ("CAPACITÉS austérité", "fr", "news-fr"),
        ("l'Alliance austérité", "fr", "news-fr"),
        ("ministre", "fr", "news-fr"),
        ("defence capability", "en", "news-en"),
        ("NATO's Strategic Concept", "en", "interview-en"),
        ("icebreaker", "en", "icebreakers-en"),
    ],
)
def test_accents_elisions_and_inflections_match(client, portal, served_by_the_server, query, locale, page):
    assert portal.pages[page].pk in found(client, query, locale=locale)


def test_each_page_is_matched_with_its_own_language_rules(client, portal, served_by_the_server):
    # No locale: the French analyser applies to French pages only, the English one to English pages.
    results = found(client, "capacités austérité")
    assert portal.pages["news-fr"].pk in results and portal.pages["news-en"].pk not in results


def test_facets_and_filters_agree(client, portal, served_by_the_server):
    response = client.get(URL, {"q": "OTAN", "locale": "fr", "limit": 1}).json()
    assert sum(entry["count"] for entry in response["facets"]["type"]) == response["count"]
    assert sum(entry["count"] for entry in response["facets"]["year"]) == response["count"]
    topic = response["facets"]["topic"][0]
    assert len(found(client, "OTAN", locale="fr", topic=topic["id"])) == topic["count"]
