"""The ingest state of a video: in the admin listing, in the API, in the publishing rules, through the migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tests.helpers import make_superuser
from videos import media
from videos.models import Video, VideoPage

from .test_shots_and_captions import page_form_data, post_edit


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    return client


@pytest.fixture
def draft_page(site_tree, make_video):
    def make(state):
        page = VideoPage(title="Summit", slug=f"summit-{state}", video=make_video(state=state), live=False)
        site_tree.videos.add_child(instance=page)
        page.save_revision()
        return page

    return make


def test_a_failed_video_gives_its_reason_in_the_language_shown():
    video = Video(title="Not a video")
    video.fail(media.NotAVideo(media.NotAVideo.NO_VIDEO_STREAM).message, "no stream")
    assert video.state == Video.State.FAILED
    assert video.failure_reason_source == "This file has no video track."
    with translation.override("fr"):
        assert video.failure_reason == "Ce fichier ne contient pas de piste vidéo."
        assert video.state_display.startswith("Échec")
    with translation.override("en"):
        assert video.state_display == "Failed: This file has no video track."


def test_the_progress_of_processing_is_shown():
    video = Video(title="Long master", state=Video.State.PROCESSING, progress=42)
    assert video.state_display == "Processing (42%)"
    with translation.override("fr"):
        assert "42" in video.state_display and video.state_display != "Processing (42%)"


@pytest.mark.django_db
@pytest.mark.parametrize("state", [Video.State.UPLOADING, Video.State.PROCESSING, Video.State.FAILED])
def test_a_page_cannot_be_published_with_a_video_that_is_not_ready(editor_client, draft_page, state):
    page = draft_page(state)
    response = post_edit(editor_client, page, page_form_data(page, publish=True))
    assert response.status_code == 200, "the form should have been refused"
    errors = response.context["form"].errors["video"]
    assert errors and "ready" in errors[0]
    page.refresh_from_db()
    assert not page.live


@pytest.mark.django_db
def test_a_draft_can_be_saved_with_a_video_still_processing_and_published_once_ready(editor_client, draft_page):
    page = draft_page(Video.State.PROCESSING)
    assert post_edit(editor_client, page, page_form_data(page)).status_code == 302
    Video.objects.filter(pk=page.video_id).update(state=Video.State.READY)
    assert post_edit(editor_client, page, page_form_data(page, publish=True)).status_code == 302
    page.refresh_from_db()
    assert page.live


@pytest.mark.django_db
def test_the_admin_listing_shows_each_state(editor_client, make_video):
    make_video(title="Arriving", state=Video.State.UPLOADING)
    failed = make_video(title="Broken", state=Video.State.FAILED)
    failed.fail(_("This file has no video track."))
    failed.save()
    response = editor_client.get(reverse("wagtailsnippets_videos_video:list"))
    html = response.content.decode()
    assert "Uploading" in html and "Failed: This file has no video track." in html
    assert editor_client.get(reverse("wagtailsnippets_videos_video:list"), {"state": "failed"}).status_code == 200


@pytest.mark.django_db
def test_the_api_gives_the_state_of_a_page_video(client, site_tree, make_video):
    page = VideoPage(title="Summit", slug="summit", video=make_video())
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    Video.objects.filter(pk=page.video_id).update(state=Video.State.PROCESSING, progress=30)
    body = client.get(f"/api/v1/pages/{page.pk}/").json()
    assert body["video"]["state"] == "processing" and body["video"]["progress"] == 30
    assert body["video"]["failure_reason"] == ""
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["VideoAsset"]
    assert schema["properties"]["state"]["enum"] == ["uploading", "processing", "ready", "failed"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_existing_videos_ready():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([("videos", "0004_downloads_move_to_their_app")])
    executor.loader.build_graph()
    old_apps = executor.loader.project_state([("videos", "0004_downloads_move_to_their_app")]).apps
    OldVideo = old_apps.get_model("videos", "Video")
    facts = {
        "file_size": 1,
        "sha256": "a" * 64,
        "container": "mov",
        "duration": 1.0,
        "width": 2,
        "height": 2,
        "frame_rate": 25.0,
    }
    for processing in ("pending", "ready", "failed"):
        OldVideo.objects.create(title=processing, file=f"{processing}.mov", processing=processing, **facts)
    OldVideo.objects.filter(title="failed").update(processing_error="ffmpeg said no")
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    assert set(Video.objects.values_list("state", flat=True)) == {"ready"}
    assert Video.objects.get(title="failed").failure_detail == "ffmpeg said no"
