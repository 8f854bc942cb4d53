"""The content API as content changes: what disappears, caching, ETags and precise invalidation."""

import pytest
from django.core.cache import cache

from .content import build_portal
from .test_pages_api import NEWS, get, ids


@pytest.fixture
def fresh_portal(locales, make_video):
    cache.clear()
    return build_portal(locales, make_video)


@pytest.mark.django_db
def test_links_to_unpublished_pages_keep_their_text_but_lose_the_link(client, fresh_portal):
    portal = fresh_portal
    portal.middle.unpublish()
    french = get(client, f"/api/v1/pages/{portal.newest_fr.pk}/")["body"][0]["value"]

    assert "<a>the middle one</a>" in french


@pytest.mark.django_db
def test_drafts_unpublished_private_and_expired_pages_never_appear(client, fresh_portal):
    portal = fresh_portal
    from django.utils import timezone
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=portal.old, restriction_type="password", password="x")
    portal.middle.expire_at = timezone.now() - timezone.timedelta(minutes=1)
    portal.middle.save()
    from wagtail.models import Page

    Page.objects.filter(pk=portal.middle.pk).update(expired=True, live=False)

    listed = set(ids(get(client, f"/api/v1/pages/?{NEWS}&locale=en&site=localhost")))

    assert listed == {portal.newest.pk}
    for page in (portal.draft, portal.old, portal.middle):
        get(client, f"/api/v1/pages/{page.pk}/", status=404)
    get(client, "/api/v1/pages/find/?site=localhost&path=/en/news/draft/", status=404)
    assert "secret" not in str(get(client, "/api/v1/pages/?fields=*&limit=100"))


# --- caching: ETags, 304 and precise invalidation -----------------------------------------------


@pytest.fixture
def changes(django_capture_on_commit_callbacks):
    """Run a change and its after-commit listeners (cache invalidation), as a real request would."""

    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            change()

    return run


def etag_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"]


@pytest.mark.django_db
def test_responses_carry_validators_and_cache_control(client, fresh_portal):
    response = client.get(f"/api/v1/pages/{fresh_portal.newest.pk}/")

    assert response["ETag"].startswith('"') and response["Last-Modified"].endswith("GMT")
    assert "max-age=" in response["Cache-Control"] and "stale-while-revalidate=" in response["Cache-Control"]
    assert client.get("/api/v1/pages/", HTTP_IF_NONE_MATCH='"something else"').status_code == 200
    assert client.get("/api/v1/pages/", HTTP_IF_NONE_MATCH="*").status_code == 304


@pytest.mark.django_db
def test_publishing_refreshes_the_page_and_its_listings_but_nothing_else(
    client, fresh_portal, changes, django_assert_num_queries
):
    portal = fresh_portal
    detail, listing, other = (
        f"/api/v1/pages/{portal.old.pk}/",
        f"/api/v1/pages/?{NEWS}",
        f"/api/v1/pages/{portal.interview.pk}/",
    )
    before = {url: etag_of(client, url) for url in (detail, listing, other)}

    def edit():
        portal.old.title = "Renamed"
        portal.old.save_revision().publish()

    changes(edit)

    assert get(client, detail)["title"] == "Renamed"
    assert etag_of(client, listing) != before[listing]
    with django_assert_num_queries(0):  # the interview did not change: still served from the cache
        assert client.get(other)["ETag"] == before[other]
    assert client.get(detail, HTTP_IF_NONE_MATCH=before[detail]).status_code == 200


@pytest.mark.django_db
def test_unpublishing_and_deleting_remove_the_page(client, fresh_portal, changes):
    portal = fresh_portal
    listing = f"/api/v1/pages/?{NEWS}&locale=en&site=localhost"
    assert portal.middle.pk in ids(get(client, listing))
    get(client, f"/api/v1/pages/{portal.middle.pk}/")

    changes(portal.middle.unpublish)
    assert portal.middle.pk not in ids(get(client, listing))
    get(client, f"/api/v1/pages/{portal.middle.pk}/", status=404)

    get(client, f"/api/v1/pages/{portal.old.pk}/")
    changes(portal.old.delete)
    get(client, f"/api/v1/pages/{portal.old.pk}/", status=404)
    assert portal.old.pk not in ids(get(client, listing))


@pytest.mark.django_db
def test_moving_a_page_changes_its_url(client, fresh_portal, changes):
    portal = fresh_portal
    assert get(client, f"/api/v1/pages/{portal.middle.pk}/")["url"] == "/en/news/middle-news/"

    changes(lambda: portal.middle.move(portal.other_news, pos="last-child"))

    moved = get(client, f"/api/v1/pages/{portal.middle.pk}/")
    assert (moved["url"], moved["site"]) == ("/en/news/middle-news/", "other.example")
    get(client, "/api/v1/pages/find/?site=localhost&path=/en/news/middle-news/", status=404)


@pytest.mark.django_db
def test_publishing_a_translation_updates_the_translations_of_the_source(client, fresh_portal, changes):
    from .content import translate

    portal = fresh_portal
    assert get(client, f"/api/v1/pages/{portal.middle.pk}/")["translations"] == []

    changes(lambda: translate(portal.middle, portal.locales.fr, slug="milieu", title="Article 2 (fr)"))

    assert [t["url"] for t in get(client, f"/api/v1/pages/{portal.middle.pk}/")["translations"]] == [
        "/fr/actualites/milieu/"
    ]


@pytest.mark.django_db
def test_editing_a_topic_a_person_or_an_image_refreshes_the_pages_showing_them(client, fresh_portal, changes):
    portal = fresh_portal
    url = f"/api/v1/pages/{portal.newest.pk}/"
    get(client, url)

    def edit_snippets():
        portal.defence.name = "Defence and deterrence"
        portal.defence.save()
        portal.rasmussen.role = "Former Secretary General"
        portal.rasmussen.save()
        portal.image.description = "New alt text"
        portal.image.save()

    changes(edit_snippets)

    item = get(client, url)
    assert item["topics"][0]["name"] == "Defence and deterrence"
    assert item["people"][0]["role"] == "Former Secretary General"
    assert item["lead_image"]["alt"] == "New alt text"


@pytest.mark.django_db
def test_making_a_section_private_hides_it_at_once(client, fresh_portal, changes):
    from wagtail.models import PageViewRestriction

    portal = fresh_portal
    get(client, f"/api/v1/pages/{portal.newest.pk}/")

    changes(lambda: PageViewRestriction.objects.create(page=portal.news, restriction_type="login"))

    get(client, f"/api/v1/pages/{portal.newest.pk}/", status=404)
    assert portal.newest.pk not in ids(get(client, f"/api/v1/pages/?{NEWS}"))
