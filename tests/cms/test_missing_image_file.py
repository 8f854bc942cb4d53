"""An image whose file is gone from the media: listings still answer, the image shown as absent."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile

from .content import build_portal, make_image

LISTING = "/api/v1/pages/?type=news.NewsArticlePage&locale=en&site=localhost&fields=*"


@pytest.fixture
def portal(locales, make_video):
    cache.clear()
    return build_portal(locales, make_video)


def lead_images(client) -> dict:
    response = client.get(LISTING)
    assert response.status_code == 200, response.content[:300]
    return {item["id"]: item["lead_image"] for item in response.json()["items"]}


@pytest.mark.django_db
def test_a_listing_with_an_image_whose_file_was_deleted_answers_200_without_it(client, portal, caplog):
    lost = make_image("Lost")
    portal.newest.lead_image = lost
    portal.newest.save_revision().publish()
    lost.file.storage.delete(lost.file.name)  # gone from the media before any rendition was made
    cache.clear()

    images = lead_images(client)

    assert images[portal.newest.pk] is None
    # The other articles' images are still shown, with their renditions.
    shown = [image for page_id, image in images.items() if page_id != portal.newest.pk and image]
    assert shown and shown[0]["renditions"]["small"]["width"] == 640
    assert f"Image {lost.pk}: its file is missing" in caplog.text


@pytest.mark.django_db
def test_an_image_given_its_file_again_is_shown_again(client, portal, django_capture_on_commit_callbacks):
    lost = make_image("Lost")
    portal.newest.lead_image = lost
    portal.newest.save_revision().publish()
    name = lost.file.name
    content = lost.file.storage.open(name).read()
    lost.file.storage.delete(name)
    cache.clear()
    assert lead_images(client)[portal.newest.pk] is None

    assert lost.file.storage.save(name, ContentFile(content)) == name
    with django_capture_on_commit_callbacks(execute=True):  # the cache is invalidated once the save commits
        lost.save()  # an editor saving the image: the answers that showed it absent are dropped

    assert lead_images(client)[portal.newest.pk]["renditions"]["small"]["width"] == 640
