"""Typos, phrases, exclusions, prefixes, synonyms, freshness and suggestions, through `/api/v1/search/`.

The portal's own index answers (the default engine). Typo correction and the
freshness boost are PostgreSQL's (pg_trgm, BM25): skipped on SQLite, which
documents the simpler behaviour.
"""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from news.models import NewsArticlePage, NewsIndexPage
from search.index import index_pages
from search.models import SearchSynonym

from .conftest import publish

URL = "/api/v1/search/"
SUGGEST = "/api/v1/search/suggest/"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm and BM25 are PostgreSQL's")

pytestmark = pytest.mark.django_db


def search(client, status=200, **params):
    params.setdefault("fields", "title")
    response = client.get(URL, params)
    assert response.status_code == status, response.content
    return response.json()


def ids(results):
    return [item["id"] for item in results["items"]]


def add_article(portal, title, body="", standfirst="", published=None):
    parent = NewsIndexPage.objects.get(locale=portal.en, slug="news")
    page = NewsArticlePage(
        locale=portal.en,
        title=title,
        slug=title.lower().replace(" ", "-"),
        standfirst=standfirst,
        published_at=published or timezone.now(),
        body=[("paragraph", f"<p>{body}</p>")] if body else [],
    )
    parent.add_child(instance=page)
    page = publish(page)
    index_pages([page.pk])  # after-commit listeners never run inside the test's transaction
    return page


# --- typos -----------------------------------------------------------------------------------------


@postgres_only
def test_a_misspelt_word_is_corrected_from_the_index_and_said(client, portal):
    results = search(client, q="Madeleine Albrihgt", locale="en")
    assert results["query"] == "Madeleine Albrihgt"
    assert results["searched_for"] == "Madeleine albright"
    assert portal.pages["interview-en"].pk in ids(results)[:3]


@postgres_only
def test_two_letters_swapped_are_corrected_to_the_word_one_edit_away(client, portal):
    # `cabels` shares as many trigrams with `calls` as with `cables` (and too few for pg_trgm's default
    # threshold): the edit distance decides.
    results = search(client, q="submarine cabels", locale="en")
    assert results["searched_for"] == "submarine cables"
    assert portal.pages["video-hq-en"].pk in ids(results)[:3]


@postgres_only
def test_a_word_far_from_every_word_of_the_index_is_not_corrected(client, portal):
    results = search(client, q="qwxyzabc", locale="en")
    assert results["searched_for"] == "qwxyzabc" and results["count"] == 0


@postgres_only
def test_a_word_of_the_index_is_not_corrected(client, portal):
    results = search(client, q="icebreaker", locale="en")
    assert results["searched_for"] == "icebreaker" and "did_you_mean" not in results


@postgres_only
def test_did_you_mean_when_nothing_matched(client, portal):
    add_article(portal, "Vostok station logistics", "Supplies reach the station by air.")
    add_article(portal, "Vostoc expedition", "A different story.")
    results = search(client, q="vostoc logistics", locale="en")
    assert results["count"] == 0
    assert results["did_you_mean"] == "vostok logistics"
    assert search(client, q=results["did_you_mean"], locale="en")["count"] == 1


def test_nothing_found_and_nothing_near_says_so(client, portal):
    results = search(client, q="zzqxv", locale="en")
    assert results["count"] == 0 and results.get("did_you_mean") is None and results["searched_for"] == "zzqxv"


# --- phrases, exclusions, prefixes -----------------------------------------------------------------


def test_a_quoted_phrase_matches_the_words_side_by_side(client, portal):
    hq = portal.pages["video-hq-en"].pk
    assert hq in ids(search(client, q='"submarine cables"', locale="en"))
    assert hq in ids(search(client, q="cables submarine", locale="en"))
    assert hq not in ids(search(client, q='"cables submarine"', locale="en"))


def test_a_minus_sign_excludes_a_word_or_a_phrase(client, portal):
    found = ids(search(client, q="icebreaker -maritime", locale="en"))
    assert portal.icebreakers.pk in found and portal.maritime.pk not in found
    assert portal.pages["video-hq-en"].pk not in ids(search(client, q='submarine -"submarine cables"', locale="en"))
    # Only exclusions: nothing is asked for, nothing is found.
    assert search(client, q="-maritime", locale="en")["count"] == 0


def test_a_quoted_phrase_matches_across_a_hyphenated_word(client, portal):
    # The page says "câbles sous-marins": a phrase of three words, side by side.
    hq = portal.pages["video-hq-fr"].pk
    assert hq in ids(search(client, q='"câbles sous-marins"', locale="fr"))
    assert hq in ids(search(client, q='"câbles sous marins"', locale="fr"))
    assert hq not in ids(search(client, q='"sous-marins câbles"', locale="fr"))


def test_a_hyphen_inside_a_word_is_part_of_it(client, portal):
    assert portal.pages["video-hq-en"].pk in ids(search(client, q="nato headquarters b-roll", locale="en"))


def test_the_last_word_matches_as_a_prefix_while_it_is_typed(client, portal):
    assert portal.icebreakers.pk in ids(search(client, q="icebrea", locale="en"))
    # A space after it: the word is complete (on PostgreSQL it is then a misspelling, corrected and said).
    complete = search(client, q="icebrea ", locale="en")
    assert portal.icebreakers.pk not in ids(complete) or complete["searched_for"] != "icebrea"
    assert portal.pages["video-press-en"].pk in ids(search(client, q="Secretary General lect", locale="en"))[:3]


# --- synonyms ------------------------------------------------------------------------------------


def test_synonyms_apply_in_both_languages(client, portal):
    assert portal.pages["news-fr"].pk in ids(search(client, q="NATO austérité", locale="fr"))[:3]
    assert portal.pages["news-en"].pk in ids(search(client, q="OTAN austerity", locale="en"))[:3]
    assert portal.pages["video-press-fr"].pk in ids(search(client, q="SG pupitre", locale="fr"))[:3]


def test_a_synonym_of_several_words_is_not_corrected_before_it_is_looked_up(client, portal):
    # The portal's synonym "NATO, North Atlantic Treaty Organization": no page says "Organization", and on
    # PostgreSQL the typo correction must leave the synonym's words alone.
    results = search(client, q="North Atlantic Treaty Organization austerity", locale="en")
    assert results["searched_for"] == "North Atlantic Treaty Organization austerity"
    assert portal.pages["news-en"].pk in ids(results)[:3]


def test_a_synonym_works_as_soon_as_it_is_saved(client, portal):
    # An editors' word the index does not hold (nor anything near it).
    assert search(client, q="zkvq", locale="en")["count"] == 0  # and cached
    synonym = SearchSynonym.objects.create(locale=portal.en, terms="zkvq, hydrography")
    assert ids(search(client, q="zkvq", locale="en"))[0] == portal.pages["long-en"].pk
    synonym.delete()
    assert search(client, q="zkvq", locale="en")["count"] == 0


# --- ranking -----------------------------------------------------------------------------------


def test_the_long_piece_about_a_subject_beats_short_mentions(client, portal):
    for language, word in (("en", "hydrography"), ("fr", "déminage")):
        assert ids(search(client, q=word, locale=language))[0] == portal.pages[f"long-{language}"].pk


@postgres_only
def test_a_freshness_boost_for_news_is_off_by_default_and_configurable(client, portal, settings):
    fresh = add_article(portal, "A note", standfirst="A note on hydrography.", published=timezone.now())
    assert ids(search(client, q="hydrography", locale="en"))[0] == portal.pages["long-en"].pk
    settings.SEARCH_NEWS_FRESHNESS_BOOST = 5.0
    settings.SEARCH_NEWS_FRESHNESS_HALF_LIFE_DAYS = 30
    settings.CMS_API_CACHE_ENABLED = False
    assert ids(search(client, q="hydrography", locale="en"))[0] == fresh.pk
    fresh.published_at = timezone.now() - datetime.timedelta(days=3650)
    publish(fresh)
    index_pages([fresh.pk])
    cache.clear()  # the change's after-commit invalidation never runs inside the test's transaction
    results = search(client, q="hydrography", locale="en", fields="title,published_at")
    assert ids(results)[0] == portal.pages["long-en"].pk, results["items"][:2]


# --- any input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '" "',
        "-",
        "--",
        '-"',
        '"-"',
        "- -",
        'a "b',
        '"défense',
        "défense -",
        "-l'",
        "«OTAN»",
        "“smart defence”",
    ],
)
def test_quotes_and_minus_signs_never_fail(client, portal, query):
    assert search(client, q=query, locale="en")["count"] >= 0
    response = client.get(SUGGEST, {"q": query})
    assert response.status_code in (200, 400), response.content


def test_the_schema_declares_what_was_searched(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"searched_for", "did_you_mean"} <= set(schema["SearchResults"]["properties"])
    assert "Suggestions" in schema


# --- suggestions ---------------------------------------------------------------------------------


def suggest(client, status=200, **params):
    response = client.get(SUGGEST, params)
    assert response.status_code == status, response.content
    return response.json()


def test_suggestions_complete_titles_and_frequent_terms(client, portal):
    items = suggest(client, q="icebrea", locale="en")["items"]
    titles = [item for item in items if item["kind"] == "title"]
    assert {"text": "Icebreakers in the High North", "kind": "title", "id": portal.icebreakers.pk} in titles
    assert "Icebreaker secrets" not in [item["text"] for item in items]  # a draft
    assert "icebreakers" in [item["text"] for item in items if item["kind"] == "term"]


def test_suggestions_complete_the_last_word_after_the_others(client, portal):
    items = suggest(client, q="Secretary General lect", locale="en")["items"]
    assert "Secretary General lectern" in [item["text"] for item in items if item["kind"] == "term"]
    french = suggest(client, q="brise-glace Gra", locale="fr")["items"]
    assert any(item["id"] == portal.brise_glace.pk for item in french)


def test_suggestions_take_the_search_filters(client, portal):
    only_videos = suggest(client, q="icebrea", locale="en", type="videos.VideoPage")["items"]
    assert not [item for item in only_videos if item["kind"] == "title"]
    french = suggest(client, q="icebrea", locale="fr")["items"]
    assert portal.icebreakers.pk not in [item["id"] for item in french]
    assert "unknown page type" in suggest(client, status=400, q="ice", type="nope")["detail"]


@pytest.mark.parametrize("query", ["", "   ", "a" * 101])
def test_an_empty_or_long_prefix_is_refused(client, query):
    response = client.get(SUGGEST, {"q": query, "locale": "fr"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    # Blank or too long: the endpoint's own check names `q`; empty: the declared schema (minLength 1) refuses it.
    assert "`q`" in problem["detail"] or [error["loc"] for error in problem.get("errors", [])] == [["query", "q"]]
