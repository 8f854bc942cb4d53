"""Choosing the engine of /api/v1/search/, and what Wagtail's Elasticsearch/OpenSearch backends would receive.

No Elasticsearch or OpenSearch server runs here (see test_elasticsearch_live.py):
the mapping, the analysers and the query are checked as modelsearch builds
them, without sending them.
"""

import contextlib
import copy
import json
import logging
import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test.utils import override_settings
from django.utils import translation
from modelsearch.backends.elasticsearchbase import (
    ElasticsearchBaseMapping,
    ElasticsearchBaseSearchBackend,
    ElasticsearchBaseSearchQueryCompiler,
)
from modelsearch.index import get_indexed_models
from modelsearch.query import And, PlainText
from modelsearch.utils import deep_update
from wagtail.models import PageViewRestriction

from search import api_backend, engines, planning, query_syntax, text
from search.models import LANGUAGE_ANALYSERS, SearchDocument

from .conftest import UNREACHABLE

BASE_SETTINGS = Path(settings.BASE_DIR) / "cms" / "settings" / "base.py"
DATABASE_BACKEND = {"BACKEND": "wagtail.search.backends.database"}


# --- the setting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal", "default"])
def test_the_portal_index_or_a_wagtail_backend_may_serve(name):
    with override_settings(SEARCH_API_BACKEND=name):
        api_backend.check_api_backend_setting()


@pytest.mark.parametrize("name", ["elasticsearch", "", "Portal"])
def test_an_unknown_engine_stops_the_start(name):
    english = translation.override("en")
    with override_settings(SEARCH_API_BACKEND=name), english, pytest.raises(ImproperlyConfigured) as refused:
        apps.get_app_config("search").ready()
    assert f"SEARCH_API_BACKEND is {name!r}" in str(refused.value) and "default" in str(refused.value)


def test_the_backend_that_only_keeps_the_portal_index_cannot_serve():
    backends = {"default": DATABASE_BACKEND, "mirror": {"BACKEND": "search.backend"}}
    mirror = override_settings(SEARCH_API_BACKEND="mirror", WAGTAILSEARCH_BACKENDS=backends)
    with mirror, pytest.raises(ImproperlyConfigured, match="'mirror'"):
        api_backend.check_api_backend_setting()


def test_the_start_up_error_is_in_french_for_a_french_site():
    refused = pytest.raises(ImproperlyConfigured, match="SEARCH_API_BACKEND vaut 'nope'")
    with override_settings(SEARCH_API_BACKEND="nope"), translation.override("fr"), refused:
        api_backend.check_api_backend_setting()


def test_documents_add_no_boost_that_would_reweigh_other_models_on_postgresql():
    # Wagtail's PostgreSQL backend maps the boosts of every indexed model together to the weights A-D.
    def boosts(models):
        return {f.boost for m in models for f in m.get_searchable_search_fields() if f.boost is not None}

    others = [model for model in get_indexed_models() if model is not SearchDocument]
    assert boosts([SearchDocument]) <= boosts(others)


# --- Elasticsearch/OpenSearch: analysers and mapping ------------------------------------------------


@pytest.fixture(scope="module")
def settings_with_a_search_server():
    """cms/settings/base.py as read with WAGTAILSEARCH_URL set (the test settings run without it)."""
    with mock.patch.dict("os.environ", {"WAGTAILSEARCH_URL": "http://search.example:9200"}):
        return runpy.run_path(str(BASE_SETTINGS))


def test_the_search_server_gets_the_per_language_analysers(settings_with_a_search_server):
    backend = settings_with_a_search_server["WAGTAILSEARCH_BACKENDS"]["default"]
    # Merged into modelsearch's own index settings as its backend does (its ngram analysers stay).
    merged = deep_update(copy.deepcopy(ElasticsearchBaseSearchBackend.settings), backend["INDEX_SETTINGS"])
    analysis = merged["settings"]["analysis"]
    assert {"portal_french", "portal_english", "portal_folding", "edgengram_analyzer"} <= set(analysis["analyzer"])

    french = analysis["analyzer"]["portal_french"]["filter"]
    # Elisions are removed before the stop words; accents are folded before the stemmer, on both sides alike.
    assert french.index("portal_french_elision") < french.index("portal_french_stop") < french.index("asciifolding")
    assert french.index("asciifolding") < french.index("portal_french_stemmer")
    elision = analysis["filter"]["portal_french_elision"]
    assert {"l", "d", "qu", "lorsqu", "puisqu", "jusqu", "quoiqu", "presqu"} <= set(elision["articles"])
    assert elision["articles_case"] is True
    assert analysis["filter"]["portal_french_stemmer"] == {"type": "stemmer", "language": "light_french"}

    english = analysis["analyzer"]["portal_english"]["filter"]
    assert english[0] == "portal_english_possessive" and english[-1] == "portal_english_stemmer"
    assert analysis["filter"]["portal_english_possessive"]["language"] == "possessive_english"

    built_in = {"lowercase", "asciifolding"}
    for name, analyser in analysis["analyzer"].items():
        assert set(analyser["filter"]) <= set(analysis["filter"]) | built_in, name


def mapping_classes():
    """modelsearch's mapping class of each Elasticsearch/OpenSearch backend whose client is installed.

    Every one of them subclasses ElasticsearchBaseMapping without changing it;
    the base class stands for them when no client library is installed.
    """
    import importlib

    found = [ElasticsearchBaseMapping]
    for module in ("elasticsearch7", "elasticsearch8", "elasticsearch9", "opensearch2", "opensearch3"):
        with contextlib.suppress(ImportError):  # the backend's client library is not installed
            found.append(importlib.import_module(f"modelsearch.backends.{module}").SearchBackend.mapping_class)
    return found


@pytest.mark.parametrize("mapping_class", mapping_classes(), ids=lambda cls: cls.__name__)
def test_each_language_field_is_analysed_with_its_language_rules(mapping_class, settings_with_a_search_server):
    properties = mapping_class(SearchDocument).get_mapping()["properties"]
    defined = settings_with_a_search_server["WAGTAILSEARCH_PORTAL_ANALYSIS"]["analyzer"]

    for language, analyser in {**LANGUAGE_ANALYSERS, "other": "portal_folding"}.items():
        for part in ("title", "summary", "text"):
            field = properties[f"{part}_{language}"]
            assert field["type"] == "text" and field["analyzer"] == analyser, (part, language)
            assert analyser in defined
    # The boosts of the title and summary fields are applied at query time (modelsearch's _all_text_boost_*).
    assert "_all_text_boost_10_0" in properties["title_fr"]["copy_to"]
    for name in ("page_type_filter", "locale_id_filter", "date_filter", "topic_keys_filter", "page_id_filter"):
        assert name in properties, name
    assert properties["page_type_filter"]["type"] == "keyword"


@pytest.mark.django_db
def test_a_document_fills_its_own_language_fields_only(portal):
    french = SearchDocument.objects.get(page_id=portal.pages["news-fr"].pk)
    english = SearchDocument.objects.get(page_id=portal.pages["news-en"].pk)
    document = ElasticsearchBaseMapping(SearchDocument).get_document(french)

    assert document["title_fr"] == french.title and document["title_en"] == "" and document["text_other"] == ""
    # Every word in one field (the title, the standfirst, the linked names, the text) for an all-words match.
    assert french.title in document["text_fr"] and french.body[:40] in document["text_fr"]
    assert french.metadata_b and french.metadata_b in document["summary_fr"]
    assert document["topic_keys_filter"] == french.topic_keys and french.topic_keys
    assert ElasticsearchBaseMapping(SearchDocument).get_document(english)["text_fr"] == ""


@pytest.mark.django_db
def test_the_query_asks_every_word_in_the_language_fields_with_the_filters(portal):
    PageViewRestriction.objects.create(page=portal.pages["news-en"], restriction_type="password", password="x")
    cache.clear()  # the cached list of private sections
    documents = engines.outside_private_sections(
        SearchDocument.objects.filter(page_type__in=["news.NewsArticlePage"], locale_id=portal.fr.pk)
    )
    compiler = ElasticsearchBaseSearchQueryCompiler(
        documents,
        PlainText(text.backend_query("l’Alliance, austérité!"), operator="and"),
        fields=engines.language_field_names(),
    )
    query = compiler.get_query()["bool"]
    match = query["must"]["multi_match"]

    assert match["query"] == "l'Alliance austérité" and match["operator"] == "and"
    assert {"title_fr^10", "summary_fr^2", "text_fr", "title_en^10", "text_other"} <= set(match["fields"])
    filters = str(query["filter"])
    assert "'page_type_filter': ['news.NewsArticlePage']" in filters
    assert f"'locale_id_filter': {portal.fr.pk}" in filters
    assert f"'must_not': {{'terms': {{'page_id_filter': [{portal.pages['news-en'].pk}]}}}}" in filters


def test_facets_are_one_aggregation_request():
    aggregations = engines.facet_aggregations()
    assert aggregations["topics"]["terms"] == {
        "field": "topic_keys_filter",
        "size": 50,
        "order": [{"_count": "desc"}, {"_key": "asc"}],
    }
    assert aggregations["types"]["terms"]["field"] == "page_type_filter"
    assert aggregations["years"]["date_histogram"]["field"] == "date_filter"
    assert aggregations["years"]["date_histogram"]["time_zone"] == settings.TIME_ZONE

    counts = engines.facets_from_aggregations(
        {
            "types": {"buckets": [{"key": "news.NewsArticlePage", "doc_count": 3}]},
            "topics": {"buckets": [{"key": "9d3c", "doc_count": 2}]},
            "years": {"buckets": [{"key_as_string": "2012", "key": 1325376000000, "doc_count": 3}]},
        }
    )
    assert counts.types == {"news.NewsArticlePage": 3} and counts.years == {2012: 3}
    assert counts.topics == [("9d3c", 2)]


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("l’Alliance, austérité!", "l'Alliance austérité"),
        ("NATO's  new  NATO's", "NATO's new"),
        ('"smart defence" OR (capabilities) -x', "smart defence OR capabilities x"),
        ("'; DROP TABLE search_searchdocument; --", "DROP TABLE search searchdocument"),
        ("%_% \\ :* 🙂", ""),
        ("Cafe\u0301", "Café"),
    ],
)
def test_a_wagtail_backend_receives_words_only(typed, sent):
    assert text.backend_query(typed) == sent


# --- an unreachable search service ------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(WAGTAILSEARCH_BACKENDS=UNREACHABLE, SEARCH_API_BACKEND="remote")
@pytest.mark.parametrize(
    ("language", "detail"), [("en", "Search is unavailable"), ("fr", "recherche est indisponible")]
)
def test_an_unreachable_service_is_a_503_problem(client, language, detail, caplog):
    cache.clear()
    with caplog.at_level(logging.ERROR, logger="search.api"):
        response = client.get("/api/v1/search/", {"q": "OTAN"}, headers={"Accept-Language": language})
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert detail in response.json()["detail"]
    assert response.json()["code"] == "search_unavailable" and response["Retry-After"] == "60"
    assert "refused the connection" in caplog.text


def test_the_schema_declares_the_503_of_an_unreachable_search_service(client):
    responses = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/search/"]["get"]["responses"]

    assert responses["503"]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


# --- Elasticsearch/OpenSearch: phrases, exclusions, synonyms, typos and prefixes in the query body ----------


def compiled(documents, raw_query: str, languages=("fr", "en")) -> str:
    searched = planning.plan(raw_query, list(languages), correct=False, backend=True)
    query = engines.backend_query(searched.backend, fuzzy=True)
    compiler = ElasticsearchBaseSearchQueryCompiler(documents, query, fields=engines.language_field_names())
    return json.dumps(compiler.get_query(), ensure_ascii=False)


@pytest.mark.django_db
def test_the_query_body_has_fuzzy_words_phrases_exclusions_and_synonyms(portal):
    documents = SearchDocument.objects.all()
    body = compiled(documents, 'Albrigth "smart defence" -austerity OTAN ')
    assert '"fuzziness": "AUTO"' in body and '"query": "Albrigth"' in body
    assert '"match_phrase": {"title_fr": {"query": "smart defence"' in body
    assert '"must_not": {"match": {"text_en": {"query": "austerity"' in body
    # NATO ↔ OTAN: the English snippet and its French translation are one group.
    assert '"query": "NATO"' in body and '"query": "OTAN"' in body and '"should"' in body
    # Short words are exact: one letter off is another word.
    assert '"fuzziness"' not in compiled(documents, "SG ").split('"query": "SG"')[1][:60]


@pytest.mark.django_db
def test_the_word_being_typed_stands_for_the_frequent_words_it_begins(portal):
    body = compiled(SearchDocument.objects.all(), "Secretary General lect", languages=("en",))
    assert '"query": "lectern"' in body and '"query": "lect"' in body


def test_plain_words_stay_the_query_wagtail_backends_know_best():
    neutral = query_syntax.clauses(query_syntax.parse("defence capabilities "), "", {})
    assert engines.backend_query(neutral, fuzzy=False) == "defence capabilities"
    assert isinstance(engines.backend_query(neutral, fuzzy=True), And)
