"""`/api/v1/search/` over the demo portal: relevance, the response, filters, facets and bad input.

Every test runs once per engine (`conftest.api_engine`): the portal's own
index and Wagtail's database backend answer with the same contract.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import override_settings

from taxonomy.models import Person, Topic

from .conftest import PORTAL_ENGINE, WAGTAIL_ENGINE
from .relevance import CASES, CATEGORIES, measure

URL = "/api/v1/search/"
# The portal's index on PostgreSQL (Snowball stemmers, BM25, trigram corrections) is the reference and must
# meet 95% of the extended set. SQLite has no typo correction (no trigram index): its share is kept above the
# floor it measures without the typo category. Wagtail's database backend knows no language (one
# configuration for every page, no unaccent on PostgreSQL, no stemming on SQLite), no prefix and no
# correction: its share is printed and only kept from falling further.
REQUIRED_SHARE = {"postgresql": 0.95, "sqlite": 0.85}
WAGTAIL_DATABASE_FLOOR = 0.70

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_engine")]


def search(client, status=200, **params):
    params.setdefault("fields", "title")
    response = client.get(URL, params)
    assert response.status_code == status, response.content
    return response.json()


def ids(results):
    return [item["id"] for item in results["items"]]


# --- relevance --------------------------------------------------------------------------------


def test_the_relevance_set_is_large_and_bilingual():
    assert len(CASES) >= 80
    assert {locale for _c, _q, locale, _top, _not in CASES} >= {"fr", "en", None}
    assert {category for category, *_rest in CASES} == set(CATEGORIES)


def test_relevance(client, portal, api_engine, capsys):
    def found(query, locale):
        return ids(search(client, q=query, limit=100, **({"locale": locale} if locale else {})))

    shares, failures = measure(found, portal.pages)
    met, total = sum(m for m, _t in shares.values()), sum(t for _m, t in shares.values())
    share = met / total
    engine = "portal index" if api_engine == PORTAL_ENGINE else "Wagtail database backend"
    with capsys.disabled():
        print(f"\nsearch relevance, {engine} on {connection.vendor}: {met}/{total} expectations met ({share:.1%})")
        for category, (category_met, category_total) in shares.items():
            print(f"  {category}: {category_met}/{category_total} ({category_met / category_total:.0%})")
        for failure in failures:
            print(f"  missed: {failure}")
    required = REQUIRED_SHARE.get(connection.vendor, 0.90) if api_engine == PORTAL_ENGINE else WAGTAIL_DATABASE_FLOOR
    assert share >= required, failures


def test_a_title_match_outranks_a_body_match(client, portal, api_engine):
    if api_engine == WAGTAIL_ENGINE and connection.vendor == "sqlite":
        pytest.xfail(
            "Wagtail's SQLite backend multiplies the whole bm25 score by the shortness of the title, "
            "matched or not: a short title with the word in its text wins (docs/search.md)"
        )
    found = ids(search(client, q="icebreakers", locale="en"))
    assert found.index(portal.icebreakers.pk) < found.index(portal.maritime.pk)


# --- the response ----------------------------------------------------------------------------


def test_items_are_listing_items_with_an_excerpt_and_a_score(client, portal):
    results = search(client, q="austérité", locale="fr", fields="summary")
    item = next(item for item in results["items"] if item["id"] == portal.pages["news-fr"].pk)
    listing = client.get("/api/v1/pages/", {"type": "news.NewsArticlePage", "locale": "fr", "limit": 100}).json()
    listed = next(entry for entry in listing["items"] if entry["id"] == item["id"])

    assert {key: value for key, value in item.items() if key not in ("excerpt", "score")} == listed
    assert item["score"] > 0
    assert "<mark>austérité</mark>" in item["excerpt"]
    assert results["query"] == "austérité" and results["count"] >= 1


def test_excerpts_are_html_safe(client, portal):
    results = search(client, q="l'Alliance", locale="fr")
    for item in results["items"]:
        without_marks = item["excerpt"].replace("<mark>", "").replace("</mark>", "")
        assert "<" not in without_marks and ">" not in without_marks
    assert any("<mark>" in item["excerpt"] for item in results["items"])


def test_facets_count_the_whole_match_set(client, portal):
    results = search(client, q="OTAN", locale="fr", limit=1)
    facets = results["facets"]

    assert len(results["items"]) == 1 and results["count"] > 1
    assert sum(entry["count"] for entry in facets["type"]) == results["count"]
    assert sum(entry["count"] for entry in facets["year"]) == results["count"]
    smart = next(entry for entry in facets["topic"] if entry["name"] == "Défense intelligente")
    filtered = search(client, q="OTAN", locale="fr", topic=smart["id"], limit=100)
    assert filtered["count"] == smart["count"] == len(filtered["items"])


def test_filters(client, portal):
    news_fr, interview_fr = portal.pages["news-fr"], portal.pages["interview-fr"]
    only_interviews = search(client, q="OTAN", locale="fr", type="interviews.InterviewPage", limit=100)
    assert {item["type"] for item in only_interviews["items"]} == {"interviews.InterviewPage"}
    assert interview_fr.pk in ids(only_interviews)

    racine = Person.objects.get(name="Bruno Racine", locale=portal.en)  # any language version of the person
    by_person = ids(search(client, q="OTAN", locale="fr", person=racine.pk, limit=100))
    assert interview_fr.pk in by_person and news_fr.pk not in by_person

    dated = ids(search(client, q="OTAN", locale="fr", date_from="2009-10-15", date_to="2009-10-15", limit=100))
    assert interview_fr.pk in dated and news_fr.pk not in dated

    english_only = search(client, q="Rasmussen", locale="en", limit=100)
    assert {item["locale"] for item in english_only["items"]} == {"en"}


def test_order_by_date(client, portal):
    results = search(client, q="OTAN", order="-date", limit=100, fields="summary")
    dates = [item.get("published_at") or item.get("date") or item.get("recorded_on") for item in results["items"]]
    days = [str(value)[:10] for value in dates]
    assert days == sorted(days, reverse=True)


def test_pages_of_results(client, portal):
    everything = ids(search(client, q="OTAN", limit=100))
    assert ids(search(client, q="OTAN", limit=2, offset=2)) == everything[2:4]
    beyond = search(client, q="OTAN", offset=1000)
    assert beyond["items"] == [] and beyond["count"] == len(everything)


@override_settings(CMS_API_CACHE_ENABLED=False)
def test_the_number_of_queries_does_not_grow_with_the_limit(client, portal, django_assert_max_num_queries):
    def queries(limit, most=40, **params):
        with django_assert_max_num_queries(most) as captured:
            results = search(client, q="défense", limit=limit, fields="*", **params)
        return len(captured), len(results["items"])

    queries(100, most=1000)  # renditions are made once, on first use; count afterwards
    news = {limit: queries(limit, type="news.NewsArticlePage") for limit in (2, 20)}
    # A loader runs only when some item needs it (e.g. lead images): a constant, not a query per item.
    assert news[20][0] <= news[2][0] + 2 and news[20][1] > 2, news
    # Every searched type present: each adds its own bulk loads, once.
    mixed = {limit: queries(limit)[0] for limit in (20, 100)}
    assert mixed[20] == mixed[100], mixed


def test_answers_are_cached_until_content_changes(client, portal, django_assert_num_queries):
    cache.clear()
    first = client.get(URL, {"q": "OTAN"})
    with django_assert_num_queries(0):
        again = client.get(URL, {"q": "OTAN"})
    assert again.content == first.content and again["ETag"] == first["ETag"]


# --- bad input --------------------------------------------------------------------------------


def test_an_empty_query_is_refused(client):
    assert "`q`" in search(client, status=400, q="   ")["detail"]
    # Empty or missing: refused by the declared schema (`q` required, at least 1 character).
    for params in ({"q": ""}, {"locale": "fr"}):
        problem = search(client, status=400, **params)
        assert [error["loc"] for error in problem["errors"]] == [["query", "q"]]


def test_a_long_query_is_refused(client, portal):
    assert "256" in search(client, status=400, q="a" * 257)["detail"]
    search(client, q="défense " * 32)  # 256 characters: fine


@pytest.mark.parametrize(
    "query",
    [
        '"smart defence',
        "defence & capabilities",
        "defence | ministers",
        "!defence",
        "defen:*",
        "'",
        "l'",
        "\\",
        "((defence",
        "defence)))",
        "'; DROP TABLE search_searchdocument; --",
        "1 OR 1=1",
        "🙂 défense 🇫🇷",
        "<script>alert(1)</script>",
        "%_%",
        "\x00",
    ],
)
def test_full_text_syntax_and_punctuation_are_ordinary_text(client, portal, query):
    results = search(client, q=query, limit=5)
    assert results["count"] >= 0
    for item in results["items"]:
        assert "<script>" not in item["excerpt"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"type": "news.NewsIndexPage"}, "unknown page type"),
        ({"type": "nope"}, "unknown page type"),
        ({"locale": "xx"}, "Unknown locale"),
        ({"order": "title"}, "order"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"fields": "nonsense"}, "Unknown field"),
        ({"date_from": "2012-13-01"}, "date_from"),
        ({"date_from": "2012-01-01T00:00:00"}, "date_from"),
        ({"facet": "type"}, "Unknown query parameter"),
    ],
)
def test_unknown_filter_values_are_refused(client, portal, params, message):
    problem = search(client, status=400, q="OTAN", **params)
    assert message in problem["detail"]


def test_topic_ids_of_any_language_version_filter_alike(client, portal):
    smart_fr = Topic.objects.get(slug="defense-intelligente", locale=portal.fr)
    smart_en = smart_fr.get_translation(portal.en)
    assert ids(search(client, q="OTAN", topic=smart_fr.pk)) == ids(search(client, q="OTAN", topic=smart_en.pk))


def test_an_unknown_type_is_explained_in_french_to_a_french_caller(client, portal):
    response = client.get(URL, {"q": "OTAN", "type": "nope"}, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "type(s) de page inconnu(s)" in detail and "nope" in detail and "videos.VideoPage" in detail
