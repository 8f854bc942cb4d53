"""Page items cached one by one (cms/item_cache.py): reused across listings and details, never stale.

Each test runs with the whole-response cache on and off: off, every response
is rendered again, so what a listing shows comes from the item cache or from
the database, and nothing else can hide a stale item.
"""

import pytest
from django.core.cache import cache

from .content import build_portal
from .test_pages_api import NEWS, get

LISTING = f"/api/v1/pages/?{NEWS}&locale=en&site=localhost&fields=*"


@pytest.fixture(params=[True, False], ids=["response-cache", "no-response-cache"])
def portal(request, locales, make_video, settings):
    settings.CMS_API_CACHE_ENABLED = request.param
    cache.clear()
    return build_portal(locales, make_video)


@pytest.fixture
def changes(django_capture_on_commit_callbacks):
    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


def item(payload, page):
    return next(entry for entry in payload["items"] if entry["id"] == page.pk)


@pytest.mark.django_db
def test_a_listing_at_another_offset_reuses_the_items_and_loads_no_page(client, portal, django_assert_num_queries):
    first = get(client, f"{LISTING}&limit=3")
    assert [entry["id"] for entry in first["items"]] == [portal.newest.pk, portal.middle.pk, portal.old.pk]

    with django_assert_num_queries(2):  # the window's rows and the count: no page, image or link is read
        second = get(client, f"{LISTING}&limit=2&offset=1")

    assert second["items"] == first["items"][1:]


@pytest.mark.django_db
@pytest.mark.parametrize("events", [True, False], ids=["with-events", "without-events"])
def test_an_item_published_anew_shows_its_new_version_in_the_next_listing(client, portal, changes, events):
    get(client, f"{LISTING}&limit=1&offset=1")  # the middle article, rendered and kept

    def edit():
        portal.middle.title = "Middle, renamed"
        portal.middle.save_revision().publish()

    # Without its events (a bulk change, a lost signal) the new revision still names a new entry.
    changes(edit) if events else edit()

    assert item(get(client, f"{LISTING}&limit=2"), portal.middle)["title"] == "Middle, renamed"
    assert get(client, f"/api/v1/pages/{portal.middle.pk}/?fields=*")["title"] == "Middle, renamed"


@pytest.mark.django_db
def test_an_item_moved_with_its_section_shows_its_new_url(client, portal, changes):
    before = item(get(client, f"{LISTING}&limit=3"), portal.old)["url"]

    def rename_section():
        portal.news.slug = "press"
        portal.news.save_revision().publish()  # Wagtail rewrites the url_path of every page below

    changes(rename_section)  # events for the section only: none for the articles below it

    assert before == "/en/news/old-news/"
    assert item(get(client, f"{LISTING}&limit=2&offset=1"), portal.old)["url"] == "/en/press/old-news/"


@pytest.mark.django_db
def test_a_changed_image_or_topic_refreshes_the_items_that_show_them(client, portal, changes):
    get(client, f"{LISTING}&limit=3")

    def edit():
        portal.image.description = "New alt text"
        portal.image.save()
        portal.defence.name = "Defence and security"
        portal.defence.save()

    changes(edit)
    listed = str(get(client, f"{LISTING}&limit=2&offset=1"))

    assert "New alt text" in listed and "Defence and security" in listed
    assert "Ministers (alt text)" not in listed


@pytest.mark.django_db
def test_a_draft_never_shows_through_a_cached_item(client, portal, changes):
    get(client, f"{LISTING}&limit=3")

    def draft():
        portal.old.title = "Draft title"
        portal.old.standfirst = "Draft standfirst"
        portal.old.save_revision()  # saved, not published

    changes(draft)
    listed = get(client, f"{LISTING}&limit=2&offset=1")
    detail = get(client, f"/api/v1/pages/{portal.old.pk}/")

    assert item(listed, portal.old)["title"] == detail["title"] == "Article 1"
    assert "Draft" not in str(listed) + str(detail)


@pytest.mark.django_db
def test_an_item_is_rendered_for_each_origin_and_language_version_apart(client, portal):
    local = item(get(client, f"{LISTING}&limit=3"), portal.old)
    other = client.get(f"{LISTING}&limit=2&offset=1", HTTP_HOST="cdn.example").json()

    assert "http://testserver/" in str(local["lead_image"]) and "cdn.example" not in str(local)
    assert "http://cdn.example/" in str(item(other, portal.old)["lead_image"]) and "testserver" not in str(other)
    french = get(client, f"/api/v1/pages/?{NEWS}&locale=fr&fields=*")
    assert {entry["locale"] for entry in french["items"]} == {"fr"}
    assert item(french, portal.old_fr)["title"] == "Article 1 (fr)"


@pytest.mark.django_db
def test_a_detail_reuses_the_item_a_listing_rendered(client, portal, django_assert_max_num_queries):
    listed = item(get(client, f"{LISTING}&limit=3"), portal.middle)

    with django_assert_max_num_queries(3):  # the page itself, to know it is live; nothing it shows
        detail = get(client, f"/api/v1/pages/{portal.middle.pk}/?fields=*")

    assert detail == listed
