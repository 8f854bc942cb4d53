"""What schemathesis found the server answering against its own document (tests/contract/test_schemathesis.py).

Each is a request the document allows, answered as it says: unknown ids and
names are 404 (not 400 or 500), `find` works without `site`, a `fallback`
that falls back to nothing is accepted, `type` is an enum of the real page
types, `fields` is checked by the very pattern the document declares, and a
day is `YYYY-MM-DD`, nothing else.
"""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from cms.content_types import page_types
from search.index import SEARCHED_LABELS

PROBLEM = "application/problem+json"


@pytest.fixture
def portal(shared_portal):
    cache.clear()
    return shared_portal


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def parameter(spec, path, name):
    (found,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name]
    return found["schema"]


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:500]
    return response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/pages/", {"site": "nowhere.example"}),
        ("/api/v1/pages/", {"topic": 999999}),
        ("/api/v1/pages/", {"person": 999999}),
        ("/api/v1/search/", {"q": "summit", "topic": 999999}),
        ("/api/v1/search/", {"q": "summit", "person": 999999}),
        ("/api/v1/search/suggest/", {"q": "sum", "topic": 999999}),
    ],
)
def test_an_unknown_site_topic_or_person_is_a_404_problem(client, portal, url, params):
    response = get(client, url, 404, **params)
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_an_unknown_topic_is_explained_in_french(client, portal):
    response = client.get("/api/v1/pages/", {"topic": 999999}, headers={"Accept-Language": "fr"})
    assert response.status_code == 404 and response.json()["detail"] == "Sujet 999999 inconnu."


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{"fallback": "en"}, {"locale": "fr", "fallback": "fr"}])
def test_a_fallback_to_nothing_is_accepted_and_changes_nothing(client, portal, params):
    without = {name: value for name, value in params.items() if name != "fallback"}
    assert get(client, "/api/v1/pages/", **params).json() == get(client, "/api/v1/pages/", **without).json()
    child_of = {**params, "child_of": portal.news.pk}
    assert (
        get(client, "/api/v1/pages/", **child_of).json()
        == get(client, "/api/v1/pages/", **{**without, "child_of": portal.news.pk}).json()
    )


def test_page_types_are_an_enum_of_the_real_page_types(spec):
    assert parameter(spec, "/api/v1/pages/", "type")["items"]["enum"] == sorted(page_types.labels)
    for path in ("/api/v1/search/", "/api/v1/search/suggest/"):
        assert parameter(spec, path, "type")["items"]["enum"] == sorted(SEARCHED_LABELS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    ["*", "summary", "title", "title,date", " title , body ", "transcript", "title,,date", "colour", "title;date", ""],
)
def test_fields_are_checked_by_the_pattern_the_document_declares(client, portal, spec, fields):
    pattern = parameter(spec, "/api/v1/pages/", "fields")["pattern"]
    status = 200 if re.search(pattern, fields) else 400
    # A news listing asked for a video's field (`transcript`) is answered, without it.
    response = get(client, "/api/v1/pages/", status, type="news.NewsArticlePage", fields=fields)
    if fields == "transcript":
        assert all("transcript" not in item for item in response.json()["items"])
    assert parameter(spec, "/api/v1/pages/{page_id}/", "fields")["pattern"] == pattern
    assert parameter(spec, "/api/v1/search/", "fields")["pattern"] == pattern


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["2012-01-01T00:00:00", "1325376000", "2012-1-1", "20120101", "2012-01-01 "])
def test_a_day_is_written_yyyy_mm_dd_and_nothing_else(client, portal, day):
    for url, extra in (("/api/v1/pages/", {}), ("/api/v1/search/", {"q": "summit"})):
        response = get(client, url, 400, date_from=day, **extra)
        assert response.json()["errors"][0]["loc"] == ["query", "date_from"]


@pytest.mark.django_db
def test_the_calendar_s_ends_and_crossed_dates_are_answered(client, portal):
    assert get(client, "/api/v1/pages/", date_from="0001-01-01", date_to="9999-12-31").json()["count"] > 0
    crossed = {"date_from": "2013-01-01", "date_to": "2012-01-01"}
    assert get(client, "/api/v1/search/", q="summit", **crossed).json()["count"] == 0
    assert get(client, "/api/v1/pages/", **crossed).json()["count"] == 0
