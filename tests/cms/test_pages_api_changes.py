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
