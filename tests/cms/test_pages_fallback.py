"""`fallback` on `/pages/{id}/` and `/pages/find/`, and `find`'s site taken from the API key."""

import pytest
from django.core.cache import cache
from wagtail.models import Page, Site

from cms.models import FrontEnd, FrontEndAPIKey

from .content import publish


@pytest.fixture
def portal(shared_portal):
    cache.clear()
    return shared_portal


@pytest.fixture
def draft_fr(portal):
    """The French translation of the middle article (English only until now), in draft: not live."""
    page = portal.middle.copy_for_translation(portal.fr)
    page.title = "Article 2 (fr)"
    page.save_revision()
    page.refresh_from_db()
    assert not page.live
    cache.clear()
    return page


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content[:300]
    return response.json()


def french_path(page) -> str:
    home_fr = Page.objects.get(depth=2, locale=page.locale, translation_key=page.get_site().root_page.translation_key)
    return "/fr" + page.url_path[len(home_fr.url_path) - 1 :]


@pytest.mark.django_db
def test_a_page_not_live_in_its_language_falls_back_on_request(client, portal, draft_fr):
    url = f"/api/v1/pages/{draft_fr.pk}/"
    assert get(client, url, 404)["code"] == "not_found"

    item = get(client, f"{url}?fallback=en")
    assert (item["id"], item["locale"], item["is_fallback"]) == (portal.middle.pk, "en", True)
    assert "body" in item
    # A live page is served as itself, fallback or not; a language with no live version is still a 404.
    assert get(client, f"/api/v1/pages/{portal.middle.pk}/?fallback=fr")["is_fallback"] is False
    get(client, f"{url}?fallback=fr", 404)
    get(client, url, 404)  # the fallback answer was not cached for the plain URL


@pytest.mark.django_db
def test_a_french_url_falls_back_like_listings_do(client, portal, draft_fr):
    path = french_path(draft_fr)
    assert path == "/fr/actualites/middle-news/"
    url = f"/api/v1/pages/find/?site=localhost&path={path}"
    get(client, url, 404)

    item = get(client, f"{url}&fallback=en")
    assert (item["id"], item["is_fallback"], item["url"]) == (portal.middle.pk, True, "/en/news/middle-news/")
    # A path where nothing exists at all has nothing to fall back from.
    get(client, "/api/v1/pages/find/?site=localhost&path=/fr/actualites/nothing/&fallback=en", 404)


@pytest.mark.django_db
def test_publishing_the_translation_replaces_the_cached_fallback(
    client, portal, draft_fr, django_capture_on_commit_callbacks
):
    detail = f"/api/v1/pages/{draft_fr.pk}/?fallback=en"
    find = f"/api/v1/pages/find/?site=localhost&path={french_path(draft_fr)}&fallback=en"
    assert get(client, detail)["is_fallback"] and get(client, find)["is_fallback"]

    with django_capture_on_commit_callbacks(execute=True):  # the cache is invalidated after the commit
        publish(draft_fr)

    for url in (detail, find):
        item = get(client, url)
        assert (item["id"], item["locale"], item["is_fallback"]) == (draft_fr.pk, "fr", False)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["xx", "", "EN"])
def test_an_unknown_fallback_language_is_refused(client, portal, value):
    for url in (f"/api/v1/pages/{portal.middle.pk}/", "/api/v1/pages/find/?site=localhost&path=/en/"):
        sep = "&" if "?" in url else "?"
        problem = get(client, f"{url}{sep}fallback={value}", 400)
        assert problem["errors"][0]["loc"] == ["query", "fallback"]


def key_for(site, name):
    front_end = FrontEnd.objects.create(name=name, site=site, origins=f"https://{name}.example.org")
    key = FrontEndAPIKey(front_end=front_end, name=name)
    secret = key.generate()
    key.save()
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.mark.django_db
def test_find_defaults_to_the_site_of_the_key(client, portal):
    portal_key = key_for(Site.objects.get(hostname="localhost"), "portal")
    other_key = key_for(Site.objects.get(hostname="other.example"), "other")

    with_site = get(client, "/api/v1/pages/find/?site=localhost&path=/fr/actualites/nouvelle/", **portal_key)
    without = get(client, "/api/v1/pages/find/?path=/fr/actualites/nouvelle/", **portal_key)
    assert without == with_site and without["id"] == portal.newest_fr.pk

    # The same URL answers for each key's own site: the cached answer of one key never reaches the other.
    assert get(client, "/api/v1/pages/find/?path=/en/", **portal_key)["id"] == portal.home.pk
    assert get(client, "/api/v1/pages/find/?path=/en/", **other_key)["id"] == portal.other_home.pk
    assert get(client, "/api/v1/pages/find/?path=/en/", **portal_key)["id"] == portal.home.pk
    # An explicit site still wins over the key's.
    assert get(client, "/api/v1/pages/find/?site=localhost&path=/en/", **other_key)["id"] == portal.home.pk


@pytest.mark.django_db
def test_find_without_a_site_or_a_key_answers_for_the_default_site(client, portal):
    assert get(client, "/api/v1/pages/find/?path=/en/")["id"] == portal.home.pk
    assert get(client, "/api/v1/pages/find/?path=/fr/actualites/nouvelle/")["id"] == portal.newest_fr.pk


@pytest.mark.django_db
def test_find_without_a_site_and_no_default_site_says_what_is_missing(client, portal):
    Site.objects.update(is_default_site=False)
    cache.clear()
    problem = get(client, "/api/v1/pages/find/?path=/en/", 404)
    assert "`site`" in problem["detail"]
    french = get(client, "/api/v1/pages/find/?path=/en/", 404, HTTP_ACCEPT_LANGUAGE="fr")
    assert "`site`" in french["detail"] and french["detail"] != problem["detail"]
