"""What video items tell each caller about downloading, how that is cached, and the editors' downloads report."""

import csv
import io

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from downloads.models import Download
from tests.helpers import make_superuser


def offer(client, page, **headers):
    response = client.get(f"/api/v1/pages/{page.pk}/", headers=headers)
    assert response.status_code == 200, response.content
    return response, response.json()["download"]


def test_anonymous_callers_see_the_offer_without_a_link(client, published_video):
    response, download = offer(client, published_video)
    assert download["can_download"] is False and download["request_url"] is None
    assert download["refusals"] == [{"code": "not_authenticated", "message": "Log in to download videos."}]
    assert download["kinds"] == ["full", "clip", "shots"] and download["frame_exact_fast_clips"] is False
    assert response["Cache-Control"].startswith("public")
    assert "X-Session-Token" in response["Vary"] and "Cookie" in response["Vary"]


def test_refusals_are_worded_in_the_items_language(client, published_video, locales):
    french = published_video.copy_for_translation(locales.fr, copy_parents=True)
    french.save_revision().publish()
    _response, download = offer(client, french)
    assert download["refusals"][0]["message"] == "Connectez-vous pour télécharger les vidéos."


def test_a_verified_member_sees_a_link_in_a_private_response(client, published_video, member):
    offer(client, published_video)  # an anonymous rendering is cached first: it must not be served to the member
    response, download = offer(member, published_video)
    assert download["can_download"] is True and download["refusals"] == []
    assert download["request_url"] == f"http://testserver/api/v1/videos/{published_video.video_id}/downloads"
    assert response["Cache-Control"].startswith("private")
    # And the member's rendering is not served to anonymous callers either.
    assert offer(Client(), published_video)[1]["can_download"] is False


def test_each_refusal_shows_for_the_caller(published_video, member, ask, settings):
    EmailAddress.objects.filter(user=member.user).update(verified=False)
    assert [r["code"] for r in offer(member, published_video)[1]["refusals"]] == ["email_unverified"]
    EmailAddress.objects.filter(user=member.user).update(verified=True)
    settings.VIDEOS_DAILY_DOWNLOADS = 1
    assert ask(member, published_video.video_id, {"kind": "full"}).status_code == 200
    download = offer(member, published_video)[1]
    assert download["can_download"] is False and download["refusals"][0]["code"] == "quota_exceeded"


def test_the_allauth_token_is_read_and_a_bad_one_is_anonymous(published_video, media_account):
    from tests.accounts.conftest import Headless

    media_account(email="app@example.org")
    app = Headless("app")
    app.login("app@example.org")
    assert offer(Client(), published_video, X_Session_Token=app.session_token)[1]["can_download"] is True
    assert offer(Client(), published_video, X_Session_Token="forged")[1]["can_download"] is False


def test_anonymous_cache_hits_still_cost_no_query(client, published_video, django_assert_num_queries):
    offer(client, published_video)
    with django_assert_num_queries(0):
        offer(client, published_video)


def test_the_offer_is_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    offer_schema = schema["components"]["schemas"]["DownloadOffer"]
    assert {"can_download", "refusals", "request_url"} <= set(offer_schema["properties"])
    operations = schema["paths"]["/api/v1/videos/{video_id}/downloads"]["post"]["responses"]
    assert {"200", "202", "400", "401", "403", "404", "503"} <= set(operations)
    assert "/api/v1/downloads/{job_id}" in schema["paths"]


# --- The editors' report ---------------------------------------------------------------------------------------


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    return client


def test_the_report_lists_filters_and_exports_downloads(editor, published_video, member, media_account, ask):
    ask(member, published_video.video_id, {"kind": "full"})
    other = Client()
    other.force_login(media_account(email="bob@example.org", organisation="TV Sud"))
    ask(other, published_video.video_id, {"kind": "full"})

    listing = editor.get("/admin/downloads/")
    assert listing.status_code == 200
    assert b"ann@example.org" in listing.content and b"bob@example.org" in listing.content
    filtered = editor.get("/admin/downloads/", {"organisation": "tv sud"})
    assert b"bob@example.org" in filtered.content and b"ann@example.org" not in filtered.content
    by_video = editor.get("/admin/downloads/", {"video": published_video.video_id, "created_at_after": "2000-01-01"})
    assert b"ann@example.org" in by_video.content

    export = editor.get("/admin/downloads/", {"export": "csv"})
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert {row["E-mail"] for row in rows} == {"ann@example.org", "bob@example.org"}
    assert {row["Organisation"] for row in rows} == {"Radio Nord", "TV Sud"}


def test_nobody_edits_or_deletes_the_audit_trail(editor, published_video, member, ask):
    ask(member, published_video.video_id, {"kind": "full"})
    record = Download.objects.get()
    assert editor.get(f"/admin/downloads/edit/{record.pk}/").status_code in (302, 403)
    assert editor.post(f"/admin/downloads/delete/{record.pk}/").status_code in (302, 403)
    assert editor.get("/admin/downloads/new/").status_code in (302, 403)
    assert Download.objects.filter(pk=record.pk).exists()
    assert editor.get(f"/admin/downloads/inspect/{record.pk}/").status_code == 200


def test_media_accounts_cannot_open_the_report(member):
    assert member.get("/admin/downloads/").status_code == 302


def test_listings_show_the_offer_only_when_asked(client, published_video):
    listing = {"type": "videos.VideoPage"}
    summary = client.get("/api/v1/pages/", listing).json()["items"][0]
    assert "download" not in summary
    chosen = client.get("/api/v1/pages/", {**listing, "fields": "download"}).json()["items"][0]
    assert chosen["download"]["can_download"] is False
