"""Cache hits are answered before ninja parses the parameters, after authentication and rate limits.

And a hit reads one cache entry and the global epoch: the dozens of tag
versions a listing carries are compared only after some change, once.
"""

from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from ninja.operation import Operation

from cms import caching
from cms.apikit import PROBLEM_JSON, StrictRouter, answered_from_cache

LISTING = "/api/v1/pages/?type=news.NewsArticlePage&locale=en&site=localhost&fields=*"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_portal", "own_cache")]


@pytest.fixture
def parsing():
    """Counts ninja's parameter parsing (`Operation._get_values`), letting it run as usual."""
    with mock.patch.object(Operation, "_get_values", autospec=True, side_effect=Operation._get_values) as spy:
        yield spy


def test_a_hit_is_answered_without_parsing_the_parameters_again(client, parsing, django_assert_num_queries):
    first = client.get(LISTING)
    assert first.status_code == 200 and parsing.call_count == 1

    with django_assert_num_queries(0):
        hit = client.get(LISTING)
        not_modified = client.get(LISTING, HTTP_IF_NONE_MATCH=first["ETag"])

    assert parsing.call_count == 1
    assert hit.content == first.content and hit["ETag"] == first["ETag"]
    assert hit["Cache-Control"] == first["Cache-Control"] and hit["Vary"] == first["Vary"]
    assert not_modified.status_code == 304


def test_parameters_in_another_order_find_the_same_entry(client, parsing):
    client.get("/api/v1/pages/?locale=en&limit=2&type=news.NewsArticlePage")
    hit = client.get("/api/v1/pages/?type=news.NewsArticlePage&limit=2&locale=en")

    assert hit.status_code == 200 and parsing.call_count == 1


def test_bad_parameters_are_refused_whatever_is_cached(client):
    assert client.get("/api/v1/pages/?limit=2").status_code == 200

    for url in ("/api/v1/pages/?limit=2&limt=5", "/api/v1/pages/?limit=200", "/api/v1/pages/?limit=2&offset=-1"):
        response = client.get(url)
        assert response.status_code == 400 and response["Content-Type"] == PROBLEM_JSON, url


def test_the_key_keeps_repeated_values_in_their_order():
    """Names are sorted as decoded, values stay as sent: two queries that parse differently never share an entry."""
    factory = RequestFactory()

    def canonical(query):
        return caching._canonical_query(factory.get(f"/api/v1/pages/?{query}"))

    assert canonical("type=b&locale=en&type=a") == canonical("locale=en&type=b&type=a")
    assert canonical("type=a&type=b") != canonical("type=b&type=a")
    assert canonical("typ%65=b&type=a") != canonical("type=a&typ%65=b")
    assert canonical("q=%C3%A9t%C3%A9") != canonical("q=été")


# --- the gates still run first ------------------------------------------------------------------


def test_a_hit_still_needs_a_valid_key_when_one_is_sent(client):
    assert client.get(LISTING).status_code == 200

    response = client.get(LISTING, HTTP_AUTHORIZATION="Bearer fe_0123456789abcdef_not-a-key")

    assert response.status_code == 401 and response["Content-Type"] == PROBLEM_JSON


def test_hits_count_against_the_rate_limit(client, settings):
    settings.API_ANONYMOUS_RATE_LIMIT = "3/min"
    for _ in range(3):  # one miss, then hits
        assert client.get(LISTING).status_code == 200

    response = client.get(LISTING)

    assert response.status_code == 429 and response["Content-Type"] == PROBLEM_JSON


def test_a_miss_is_counted_once(client, settings):
    """On a miss ninja's own run continues after the checks the cache lookup needed: not a second count."""
    settings.API_ANONYMOUS_RATE_LIMIT = "3/min"
    for limit in (1, 2, 3):  # three different queries: three misses
        assert client.get(f"/api/v1/pages/?limit={limit}").status_code == 200

    assert client.get("/api/v1/pages/?limit=4").status_code == 429


def test_a_miss_looks_the_cache_up_once(client):
    """The lookup made before the parameters are parsed serves the view's `cached_json` too."""
    with mock.patch.object(caching, "_lookup", wraps=caching._lookup) as lookups:
        assert client.get(LISTING).status_code == 200

    assert lookups.call_count == 1


def test_only_synchronous_get_views_can_be_answered_from_the_cache():
    router = StrictRouter()

    with pytest.raises(TypeError, match="only synchronous GET"):

        @router.post("/things")
        @answered_from_cache
        def make_thing(request):
            return {}


# --- the epoch ------------------------------------------------------------------------------------


def _entry(url):
    return cache.get(caching._key(RequestFactory().get(url, HTTP_HOST="testserver")))


def test_a_hit_reads_no_tag_version_while_nothing_changes(client):
    client.get(LISTING)

    with mock.patch.object(caching, "_current_versions", wraps=caching._current_versions) as versions:
        assert client.get(LISTING).status_code == 200

    versions.assert_not_called()


def test_after_an_unrelated_change_a_hit_compares_its_tags_once(client, django_assert_num_queries):
    first = client.get(LISTING)
    caching.bump("image:999999999", caching.ANY_CHANGE)  # a change that touches nothing listed

    with (
        mock.patch.object(caching, "_current_versions", wraps=caching._current_versions) as versions,
        django_assert_num_queries(0),
    ):
        second = client.get(LISTING)
        third = client.get(LISTING)

    assert second["ETag"] == third["ETag"] == first["ETag"]
    assert versions.call_count == 1  # the second request stamped the entry with the new epoch
    assert _entry(LISTING)["epoch"] == cache.get(caching.EPOCH_KEY)


def test_a_change_landing_while_a_hit_is_checked_is_seen_by_the_next_request(client):
    """A change bumps its tags, then the epoch: whatever the interleaving, the stamp never hides it."""
    first = client.get(LISTING)
    caching.bump("image:999999999", caching.ANY_CHANGE)
    real = caching._current_versions

    def versions_then_a_change(tags):
        found = real(tags)  # read before the change: the entry looks fresh to this request…
        caching.bump("listing:news.NewsArticlePage", caching.ANY_CHANGE)
        return found

    with mock.patch.object(caching, "_current_versions", side_effect=versions_then_a_change):
        assert client.get(LISTING)["ETag"] == first["ETag"]

    # …and is stamped with the epoch read before the change, so the next request compares again.
    with mock.patch.object(caching, "_current_versions", wraps=real) as versions:
        client.get(LISTING)
    assert versions.call_count >= 1
    assert _entry(LISTING)["tags"]["listing:news.NewsArticlePage"] == cache.get(
        caching.TAG_PREFIX + "listing:news.NewsArticlePage"
    )
