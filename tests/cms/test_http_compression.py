"""Public JSON answers of /api/ are gzipped for clients that accept it; nothing that may hold a secret is."""

import gzip
import json

import pytest

from news.models import NewsArticlePage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_portal", "own_cache")]

LISTING = "/api/v1/pages/?type=news.NewsArticlePage&limit=20&fields=*"


@pytest.fixture
def twenty_articles(shared_portal):
    for index in range(20):
        page = NewsArticlePage(title=f"Extra {index}", slug=f"extra-{index}", standfirst="Long enough " * 20)
        shared_portal.news.add_child(instance=page)
        page.save_revision().publish()


def test_a_listing_is_compressed_for_clients_that_accept_gzip(client, twenty_articles):
    identity = client.get(LISTING)
    compressed = client.get(LISTING, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert len(identity.json()["items"]) == 20
    assert "Content-Encoding" not in identity and "Accept-Encoding" in identity["Vary"]
    assert compressed["Content-Encoding"] == "gzip" and "Accept-Encoding" in compressed["Vary"]
    assert json.loads(gzip.decompress(compressed.content)) == identity.json()
    assert len(compressed.content) < len(identity.content) / 3
    # Another representation, so not the same strong validator.
    assert compressed["ETag"] == "W/" + identity["ETag"]


def test_not_modified_works_for_both_encodings(client, twenty_articles):
    identity = client.get(LISTING)
    compressed = client.get(LISTING, HTTP_ACCEPT_ENCODING="gzip")

    again = client.get(LISTING, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=compressed["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == compressed["ETag"] and "Accept-Encoding" in again["Vary"]
    plain = client.get(LISTING, HTTP_IF_NONE_MATCH=identity["ETag"])
    assert plain.status_code == 304 and plain["ETag"] == identity["ETag"]


def test_answers_that_may_hold_secrets_are_not_compressed(client, django_user_model):
    user = django_user_model.objects.create_user(email="reader@example.org", password="x" * 20)
    client.force_login(user)
    # The signed-in person's profile: `private`, it may hold what the person typed beside their data.
    me = client.get("/api/v1/me", HTTP_ACCEPT_ENCODING="gzip")
    # allauth's answers (session tokens, CSRF) are outside /api/.
    session = client.get("/_allauth/browser/v1/auth/session", HTTP_ACCEPT_ENCODING="gzip")

    for response in (me, session):
        assert "Content-Encoding" not in response, response.request["PATH_INFO"]
