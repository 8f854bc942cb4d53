"""Anonymous cache hits answered before most of the middleware are the answers the full path gives.

Each answer is asked twice through Django's whole handler (the test client
runs every middleware): with the early answers on, then off
(`CMS_API_EARLY_ANSWERS`), and the two must agree in status, headers and
body. The clock is stopped so that both fall in the same second
(Last-Modified, Retry-After). A spy on ninja's view tells which path answered.
"""

import gzip
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from ninja.operation import PathView

from cms import caching, cors  # noqa: F401  (cors: its signal handler, as CmsConfig.ready() connects it)
from cms.apikit import PROBLEM_JSON
from cms.models import FrontEnd, FrontEndAPIKey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_cache")]

LISTING = "/api/v1/pages/?type=news.NewsArticlePage&locale=en&fields=*"
ORIGIN = "https://portal.example.org"


@pytest.fixture
def portal(shared_portal):
    return shared_portal


@pytest.fixture
def front_end(portal):
    return FrontEnd.objects.create(name="Portal web", site=portal.home.get_site(), origins=ORIGIN)


def issue_key(front_end, **scopes):
    key = FrontEndAPIKey(front_end=front_end, name="key", **scopes)
    plain = key.generate()
    key.save()
    return plain


@pytest.fixture
def stopped_clock():
    now = [time.time()]
    with mock.patch("time.time", side_effect=lambda: now[0]):
        yield now


@pytest.fixture
def ninja_views():
    """Counts the requests that reached ninja (the full path), letting them run as usual."""
    with mock.patch.object(PathView, "_sync_view", autospec=True, side_effect=PathView._sync_view) as spy:
        yield spy


def both_ways(client, settings, ninja_views, url, **headers):
    """(early answer, full path's answer) to the same request; asserts which path gave each."""
    settings.CMS_API_EARLY_ANSWERS = True
    before = ninja_views.call_count
    early = client.get(url, **headers)
    assert ninja_views.call_count == before, "the early path did not answer"
    settings.CMS_API_EARLY_ANSWERS = False
    full = client.get(url, **headers)
    assert ninja_views.call_count == before + 1
    settings.CMS_API_EARLY_ANSWERS = True
    return early, full


def assert_same(early, full, *, compressed=False):
    assert early.status_code == full.status_code
    early_headers, full_headers = dict(early.headers), dict(full.headers)
    if compressed:
        # gzip adds random bytes to each header (Heal the BREACH): the lengths differ, the content does not.
        early_headers.pop("Content-Length"), full_headers.pop("Content-Length")
        assert gzip.decompress(early.content) == gzip.decompress(full.content)
    else:
        assert early.content == full.content
    assert early_headers == full_headers


def test_a_hit_is_the_full_paths_answer_with_no_query(client, settings, portal, stopped_clock, ninja_views):
    client.get(LISTING)  # the miss that stores the entry
    settings.CMS_API_EARLY_ANSWERS = True
    before = ninja_views.call_count

    with (
        mock.patch.object(caching, "_render_collecting_tags") as rendering,
        CaptureQueriesContext(connection) as queries,
    ):
        assert client.get(LISTING).status_code == 200
    assert len(queries) == 0 and rendering.call_count == 0 and ninja_views.call_count == before

    early, full = both_ways(client, settings, ninja_views, LISTING)
    assert early.status_code == 200 and early["Content-Type"] == "application/json"
    assert {"ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Length", "X-Frame-Options"} <= set(early.headers)
    assert_same(early, full)


@pytest.mark.parametrize(
    "conditional",
    [
        lambda first: {"HTTP_IF_NONE_MATCH": first["ETag"]},
        lambda first: {"HTTP_IF_NONE_MATCH": f'"other", W/{first["ETag"]}'},
        lambda first: {"HTTP_IF_NONE_MATCH": '"other"'},
        lambda first: {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
        lambda first: {"HTTP_IF_MODIFIED_SINCE": "Mon, 01 Jan 2001 00:00:00 GMT"},
        lambda first: {"HTTP_IF_MODIFIED_SINCE": "not a date"},
    ],
    ids=["etag", "weak-etag-in-a-list", "other-etag", "since-its-date", "since-long-ago", "bad-date"],
)
def test_conditional_requests_get_the_same_answer(client, settings, portal, stopped_clock, ninja_views, conditional):
    first = client.get(LISTING)
    stopped_clock[0] += 2  # Last-Modified is a whole second in the past: If-Modified-Since can match it

    early, full = both_ways(client, settings, ninja_views, LISTING, **conditional(client.get(LISTING)))

    assert_same(early, full)
    assert early.status_code in (200, 304) and first.status_code == 200


@pytest.mark.parametrize("conditional", [False, True], ids=["200", "304"])
def test_gzip_is_negotiated_alike(client, settings, portal, stopped_clock, ninja_views, conditional):
    client.get(LISTING)
    headers = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
    if conditional:
        headers["HTTP_IF_NONE_MATCH"] = client.get(LISTING, **headers)["ETag"]  # weak: W/"…"

    early, full = both_ways(client, settings, ninja_views, LISTING, **headers)

    assert_same(early, full, compressed=not conditional)
    assert early.status_code == (304 if conditional else 200)
    assert "Accept-Encoding" in early["Vary"] and (conditional or early["Content-Encoding"] == "gzip")


def test_cors_headers_are_the_same(client, settings, front_end, stopped_clock, ninja_views):
    client.get(LISTING)

    for origin in (ORIGIN, "https://elsewhere.example.org"):
        early, full = both_ways(client, settings, ninja_views, LISTING, HTTP_ORIGIN=origin)
        assert_same(early, full)
    assert early.get("Access-Control-Allow-Origin") is None
    allowed, _full = both_ways(client, settings, ninja_views, LISTING, HTTP_ORIGIN=ORIGIN)
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN


def test_the_rate_limit_refuses_alike_and_counts_each_hit_once(client, settings, portal, stopped_clock, ninja_views):
    settings.API_ANONYMOUS_RATE_LIMIT = "3/min"
    settings.LANGUAGE_CODE = "en"
    assert client.get(LISTING).status_code == 200  # 1: the miss
    early, full = both_ways(client, settings, ninja_views, LISTING)  # 2 and 3: hits, early then full
    assert early.status_code == full.status_code == 200

    early, full = both_ways(client, settings, ninja_views, LISTING)
    assert early.status_code == 429 and early["Content-Type"] == PROBLEM_JSON
    assert early["Retry-After"] and early.json()["code"] == "rate_limited"
    assert_same(early, full)
    # In the reader's language, as on the full path.
    early, full = both_ways(client, settings, ninja_views, LISTING, HTTP_ACCEPT_LANGUAGE="fr")
    assert_same(early, full)
    assert early.json()["detail"] != client.get(LISTING, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]


def test_other_pages_sites_and_topics_are_answered_early_too(client, settings, portal, stopped_clock, ninja_views):
    for url in (f"/api/v1/pages/{portal.newest.pk}/", "/api/v1/sites/", "/api/v1/topics/"):
        assert client.get(url).status_code == 200
        assert_same(*both_ways(client, settings, ninja_views, url))


def test_a_request_with_a_key_never_takes_the_early_path(client, front_end, ninja_views):
    key = issue_key(front_end)
    assert client.get(LISTING).status_code == 200  # cached by an anonymous reader
    before = ninja_views.call_count

    keyed = [
        client.get(LISTING, HTTP_AUTHORIZATION=f"Bearer {key}"),
        client.get(LISTING, HTTP_X_API_KEY=key),
        client.get(LISTING, HTTP_AUTHORIZATION="Bearer fe_0123456789abcdef_not-a-key"),
    ]

    assert ninja_views.call_count == before + 3
    assert [response.status_code for response in keyed] == [200, 200, 401]
    assert FrontEndAPIKey.objects.get().last_used_at is not None  # the key was checked: the full path ran


def test_callers_with_a_session_and_other_methods_take_the_full_path(client, portal, ninja_views):
    assert client.get(LISTING).status_code == 200
    before = ninja_views.call_count

    client.get(LISTING, HTTP_X_SESSION_TOKEN="a-session")
    client.get(LISTING, HTTP_COOKIE="sessionid=abc")
    head = client.head(LISTING)

    assert ninja_views.call_count == before + 3
    assert head.status_code == 405  # as ninja answers it: HEAD is not GET here


def test_publishing_invalidates_what_the_early_path_serves(
    client, portal, ninja_views, django_capture_on_commit_callbacks
):
    url = f"/api/v1/pages/{portal.newest.pk}/"
    first = client.get(url)
    assert client.get(url).content == first.content

    page = portal.newest.specific
    page.title = "A new title"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    before = ninja_views.call_count
    after = client.get(url)

    assert ninja_views.call_count == before + 1  # the stale entry is not answered early: rendered again
    assert after.json()["title"] == "A new title" and after["ETag"] != first["ETag"]
    again = client.get(url)
    assert ninja_views.call_count == before + 1 and again.content == after.content


def test_an_entry_of_an_operation_that_needs_a_key_is_not_answered_early(client, portal, ninja_views):
    client.get(LISTING)
    key = caching._key(client.get(LISTING).wsgi_request)
    cache.set(key, {**cache.get(key), "gates": None})
    before = ninja_views.call_count

    assert client.get(LISTING).status_code == 200

    assert ninja_views.call_count == before + 1
