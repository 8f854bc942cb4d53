"""`Last-Modified` is when an answer's content last changed, and `If-Modified-Since` answers 304.

HTTP dates have whole seconds, so the tests wait a little over a second
where a change and a request must fall in different seconds.
"""

import time

import pytest
from django.core.cache import cache
from django.utils.http import parse_http_date

from .content import build_portal
from .test_pages_api import NEWS

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_portal(locales, make_video):
    cache.clear()
    return build_portal(locales, make_video)


@pytest.fixture
def changes(django_capture_on_commit_callbacks):
    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


def next_second():
    time.sleep(1.1)


def last_modified(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    return response["Last-Modified"]


def settled(client, url):
    """The `Last-Modified` of `url` once the second its content last changed in is over.

    Asked first, as the cache may begin to track changes at that first request.
    """
    last_modified(client, url)
    next_second()
    return last_modified(client, url)


def test_an_unchanged_answer_is_not_modified_since_its_date(client, fresh_portal):
    url = f"/api/v1/pages/{fresh_portal.old.pk}/"
    date = settled(client, url)

    not_modified = client.get(url, HTTP_IF_MODIFIED_SINCE=date)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["Last-Modified"] == date and not_modified["ETag"]
    next_second()
    assert client.get(url)["Last-Modified"] == date  # the content's date, not the request's
    # A date before the change, or a date in the future (no date the server gave), gets the content.
    earlier = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(parse_http_date(date) - 1))
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3600))
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=future).status_code == 200


def test_if_none_match_decides_alone_when_sent(client, fresh_portal):
    url = f"/api/v1/pages/?{NEWS}"
    date = settled(client, url)
    etag = client.get(url)["ETag"]

    assert client.get(url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=date).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE="not a date").status_code == 304


def test_publishing_a_page_moves_its_date_and_its_listings_forward(client, fresh_portal, changes):
    portal = fresh_portal
    detail, listing = f"/api/v1/pages/{portal.old.pk}/", f"/api/v1/pages/?{NEWS}"
    before = {url: settled(client, url) for url in (detail, listing)}
    assert client.get(detail, HTTP_IF_MODIFIED_SINCE=before[detail]).status_code == 304

    def edit():
        portal.old.title = "Renamed"
        portal.old.save_revision().publish()

    changes(edit)

    for url in (detail, listing):
        # Within the second of the change too: the old date no longer matches.
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=before[url]).status_code == 200
        after = settled(client, url)
        assert parse_http_date(after) > parse_http_date(before[url])
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=after).status_code == 304


def test_unpublishing_a_listed_page_and_editing_a_person_or_image_move_the_date(client, fresh_portal, changes):
    portal = fresh_portal
    listing = f"/api/v1/pages/?{NEWS}&locale=en"
    detail = f"/api/v1/pages/{portal.newest.pk}/"

    for change in (
        portal.middle.unpublish,
        portal.rasmussen.save,
        portal.image.save,
    ):
        before = {url: settled(client, url) for url in (listing, detail)}
        changes(change)
        for url in (listing, detail):
            assert client.get(url, HTTP_IF_MODIFIED_SINCE=before[url]).status_code == 200, (change, url)


def test_without_the_cache_the_date_is_still_that_of_the_content(client, fresh_portal, settings):
    settings.CMS_API_CACHE_ENABLED = False
    url = f"/api/v1/pages/{fresh_portal.old.pk}/"
    date = settled(client, url)

    assert last_modified(client, url) == date
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=date).status_code == 304
