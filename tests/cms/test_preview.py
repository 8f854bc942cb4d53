"""Previews on the front ends: Wagtail's Preview button -> front end -> /api/v1/preview/, and its gates."""

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import FrontEnd, FrontEndAPIKey
from tests.helpers import make_superuser


@pytest.fixture
def front_end(site_tree):
    from wagtail.models import Site

    return FrontEnd.objects.create(
        name="Web", site=Site.objects.get(is_default_site=True), preview_url="https://preview.example.org/preview"
    )


def issue_key(front_end, **scopes):
    key = FrontEndAPIKey(front_end=front_end, name="key", **scopes)
    plain = key.generate()
    key.save()
    return plain


@pytest.fixture
def article(site_tree):
    from news.models import NewsArticlePage

    from .content import publish

    page = NewsArticlePage(title="Published title", slug="story", standfirst="Published standfirst")
    site_tree.news.add_child(instance=page)
    return publish(page)


def draft_form(title, standfirst):
    return nested_form_data(
        {
            "title": title,
            "slug": "story",
            "published_at": "2025-06-02 09:30",
            "dateline": "",
            "standfirst": standfirst,
            "body": streamfield([("paragraph", rich_text("<p>Unsaved paragraph.</p>"))]),
            **{name: inline_formset([]) for name in ("topic_links", "person_links", "related_links", "comments")},
        }
    )


def press_preview(client, page, front_end, title="Draft title", standfirst="Draft standfirst"):
    """What the admin does when an editor presses Preview: store the form, then open the preview mode."""
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
    stored = client.post(url, draft_form(title, standfirst))
    assert stored.status_code == 200 and stored.json()["is_valid"], stored.content
    shown = client.get(url, {"mode": f"front-end-{front_end.pk}"})
    assert shown.status_code == 200
    iframe = re.search(r'<iframe src="([^"]+)"', shown.content.decode())
    return unescape(iframe.group(1))


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    return client


@pytest.mark.django_db
def test_an_editor_previews_an_unsaved_draft_on_the_front_end(editor_client, client, front_end, article):
    preview_key = issue_key(front_end, can_preview=True)

    front_end_url = press_preview(editor_client, article, front_end)
    parsed = urlsplit(front_end_url)
    params = {name: values[0] for name, values in parse_qs(parsed.query).items()}
    assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == "https://preview.example.org/preview"
    assert params["content_type"] == "news.newsarticlepage"

    response = client.get("/api/v1/preview/", params, HTTP_AUTHORIZATION=f"Bearer {preview_key}")

    assert response.status_code == 200, response.content
    draft = response.json()
    assert (draft["title"], draft["standfirst"], draft["type"]) == (
        "Draft title",
        "Draft standfirst",
        "news.NewsArticlePage",
    )
    assert draft["body"][0]["value"] == "<p>Unsaved paragraph.</p>"
    assert response["Cache-Control"] == "private, no-store"
    # The draft stays a draft: the live API still shows what is published.
    assert client.get(f"/api/v1/pages/{article.pk}/").json()["title"] == "Published title"


@pytest.mark.django_db
def test_the_page_offers_one_preview_mode_per_front_end_of_its_site(front_end, article, site_tree):
    from wagtail.models import Site

    FrontEnd.objects.create(name="App", site=front_end.site, preview_url="https://app.example.org/preview")
    FrontEnd.objects.create(name="No preview", site=front_end.site)
    other_site = Site.objects.create(hostname="other.example", root_page=site_tree.home_fr, site_name="Other")
    FrontEnd.objects.create(name="Elsewhere", site=other_site, preview_url="https://elsewhere.example/preview")

    assert [name for _mode, name in article.preview_modes] == ["App", "Web"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scopes", "status"),
    [(None, 401), ({"can_read": True}, 403), ({"can_read": True, "can_preview": True}, 200)],
    ids=["no key", "read-only key", "preview key"],
)
def test_previews_need_a_key_with_the_preview_scope(editor_client, client, front_end, article, scopes, status):
    params = parse_qs(urlsplit(press_preview(editor_client, article, front_end)).query)
    headers = {"HTTP_X_API_KEY": issue_key(front_end, **scopes)} if scopes else {}

    response = client.get("/api/v1/preview/", {k: v[0] for k, v in params.items()}, **headers)

    assert response.status_code == status


@pytest.mark.django_db
def test_tampered_forged_and_expired_tokens_are_refused(
    editor_client, client, front_end, article, monkeypatch, settings
):
    key = issue_key(front_end, can_preview=True)
    params = {k: v[0] for k, v in parse_qs(urlsplit(press_preview(editor_client, article, front_end)).query).items()}

    def fetch(**changes):
        return client.get("/api/v1/preview/", {**params, **changes}, HTTP_X_API_KEY=key)

    assert fetch().status_code == 200
    tampered = params["token"][:-2] + ("AA" if not params["token"].endswith("AA") else "BB")
    assert fetch(token=tampered).status_code == 403
    forged = signing.TimestampSigner(salt="something-else").sign(f"id={article.pk}")
    assert fetch(token=forged).status_code == 403
    assert fetch(content_type="news.nope").status_code == 404
    assert fetch(content_type="wagtailcore.page").status_code == 404

    # One hour by default; a second past it, the token is refused.
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + 3601)
    expired = fetch()
    assert expired.status_code == 403 and "expired" in expired.json()["detail"]
    settings.CMS_PREVIEW_TOKEN_MAX_AGE = 7200
    assert fetch().status_code == 200


@pytest.mark.django_db
def test_preview_parameters_are_checked(client, front_end):
    key = issue_key(front_end, can_preview=True)

    missing = client.get("/api/v1/preview/", {"content_type": "news.newsarticlepage"}, HTTP_X_API_KEY=key)
    unknown = client.get("/api/v1/preview/", {"content_type": "x", "token": "y", "extra": "1"}, HTTP_X_API_KEY=key)

    assert missing.status_code == 400 and "token" in missing.json()["detail"]
    assert unknown.status_code == 400 and "extra" in unknown.json()["detail"]


@pytest.mark.django_db
def test_a_preview_never_takes_the_early_path(editor_client, client, front_end, article):
    """Previews need a key: each one reaches the preview view, however often it is asked (cms.early_answers)."""
    from unittest import mock

    from ninja.operation import PathView

    params = parse_qs(urlsplit(press_preview(editor_client, article, front_end)).query)
    headers = {"HTTP_X_API_KEY": issue_key(front_end, can_read=True, can_preview=True)}

    with mock.patch.object(PathView, "_sync_view", autospec=True, side_effect=PathView._sync_view) as views:
        answers = [client.get("/api/v1/preview/", {k: v[0] for k, v in params.items()}, **headers) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [200, 200] and views.call_count == 2
    assert answers[1].json()["title"] == "Draft title"
