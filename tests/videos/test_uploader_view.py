"""The admin's "Upload masters" screen: who sees it, what it tells the bundle, the states it reports."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from wagtail.users.models import UserProfile

from tests.videos import s3
from videos.models import Video

moto_server, s3_bucket, s3_default_storage = s3.moto_server, s3.s3_bucket, s3.s3_default_storage
LISTING = "/admin/snippets/videos/video/"
UPLOADER = "/admin/snippets/videos/video/upload/"
STATES = "/admin/snippets/videos/video/upload/states/"


def make_editor(django_user_model, email="editor@example.org", codenames=("add_video", "change_video", "view_video")):
    user = django_user_model.objects.create_user(email=email, password="x")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="videos", codename__in=codenames),
    )
    return user


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(make_editor(django_user_model))
    return client


def config_of(response) -> dict:
    assert response.status_code == 200
    found = re.search(rb'<script id="video-uploader-config" type="application/json">(.*?)</script>', response.content)
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_the_listing_offers_the_uploader_to_editors_who_may_add_videos(editor, client, django_user_model):
    assert f'href="{UPLOADER}"'.encode() in editor.get(LISTING).content
    client.force_login(make_editor(django_user_model, "viewer@example.org", codenames=("view_video",)))
    assert f'href="{UPLOADER}"'.encode() not in client.get(LISTING).content
    refused = client.get(UPLOADER)
    assert refused.status_code in (302, 403) and b"video-uploader-config" not in refused.content


@pytest.mark.django_db
def test_on_the_file_system_the_bundle_is_told_to_speak_tus(editor, settings):
    settings.VIDEOS_UPLOAD_CHUNK_SIZE = 1024 * 1024
    response = editor.get(UPLOADER)
    config = config_of(response)
    assert config["protocol"] == "tus" and config["endpoint"] == "/uploads/videos/tus/"
    assert config["chunkSize"] == 1024 * 1024 and config["maxFileSize"] == settings.VIDEOS_MAX_UPLOAD_SIZE
    assert ".mxf" in config["allowedFileTypes"] and config["locale"] == "en"
    assert config["csrfToken"] and config["statesUrl"] == STATES
    assert b"/static/videos/uploader/uploader.js" in response.content
    assert b"/static/videos/uploader/uploader.css" in response.content


@pytest.mark.django_db
def test_on_s3_the_bundle_is_told_to_send_parts_of_at_least_5_mib(editor, s3_default_storage):
    # override_settings, not pytest-django's `settings`, which would undo the S3 storage's override out of order.
    with override_settings(VIDEOS_UPLOAD_CHUNK_SIZE=1024 * 1024):
        config = config_of(editor.get(UPLOADER))
    assert config["protocol"] == "s3" and config["endpoint"] == "/uploads/videos/s3/"
    assert config["chunkSize"] == 5 * 1024 * 1024


@pytest.mark.django_db
def test_the_screen_follows_the_editors_admin_language(client, django_user_model):
    user = make_editor(django_user_model)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fr"
    profile.save()
    client.force_login(user)
    response = client.get(UPLOADER)
    config = config_of(response)
    assert config["locale"] == "fr" and "choisissez de nouveau le même fichier" in config["strings"]["note"]
    assert "Envoyer des fichiers maîtres" in response.content.decode()


@pytest.mark.django_db
def test_the_states_of_the_uploaded_videos_link_to_their_edit_pages(editor, make_video):
    ready = make_video(title="Summit")
    processing = Video.objects.create(title="Arrivals", state=Video.State.PROCESSING, progress=40)
    response = editor.get(STATES, {"video": [processing.pk, ready.pk, 999_999]})
    assert response.status_code == 200
    assert response.json()["videos"] == [
        {
            "id": ready.pk,
            "title": "Summit",
            "state": "ready",
            "label": "Ready",
            "editUrl": f"{LISTING}edit/{ready.pk}/",
        },
        {
            "id": processing.pk,
            "title": "Arrivals",
            "state": "processing",
            "label": "Processing (40%)",
            "editUrl": f"{LISTING}edit/{processing.pk}/",
        },
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["video=abc", "video=-1", "video=" + "9" * 30, "&".join(["video=1"] * 101)])
def test_bad_state_queries_are_refused_with_400(editor, query):
    response = editor.get(f"{STATES}?{query}")
    assert response.status_code == 400 and response.json()["detail"]


@pytest.mark.django_db
def test_the_tus_endpoint_names_the_video_an_upload_makes(editor):
    created = editor.post(
        "/uploads/videos/tus/",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": "filename c3VtbWl0Lm1wNA=="},
    )
    video = Video.objects.get()
    assert created.status_code == 201 and created["Video-Id"] == str(video.pk)
    head = editor.head(created["Location"], headers={"Tus-Resumable": "1.0.0"})
    assert head["Video-Id"] == str(video.pk)
