"""The ingest state of a video: in the admin listing, in the API, in the publishing rules, through the migration."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tests.helpers import make_superuser
from videos import media, tasks
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


@pytest.mark.django_db
def test_a_cached_page_answer_shows_the_progress_of_the_ingest_as_it_moves(client, site_tree, make_video):
    # The ingest writes its progress with UPDATEs, which send no signal: the answer cached at 0 must still go stale.
    # A test before may have cached an answer for the same page id (rolled back rows, same ids) via a bare UPDATE.
    cache.clear()
    page = VideoPage(title="Summit", slug="summit", video=make_video())
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    video = Video.objects.get(pk=page.video_id)
    video.await_ingest()
    video.save()
    assert client.get(f"/api/v1/pages/{page.pk}/").json()["video"]["progress"] == 0
    assert client.get(f"/api/v1/pages/{page.pk}/").json()["video"]["progress"] == 0  # answered from the cache
    listing = "/api/v1/pages/?type=videos.VideoPage&fields=video"
    assert client.get(listing).json()["items"][0]["video"]["progress"] == 0
    for percent in (tasks.HASHED // 2, tasks.HASHED, tasks.INDEXED):
        tasks._report(video, percent)
        assert client.get(f"/api/v1/pages/{page.pk}/").json()["video"]["progress"] == percent
        assert client.get(listing).json()["items"][0]["video"]["progress"] == percent


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


@pytest.mark.django_db
@pytest.mark.parametrize("state", [Video.State.UPLOADING, Video.State.PROCESSING, Video.State.FAILED])
def test_a_revision_of_a_page_whose_video_is_not_ready_cannot_be_published_in_code(draft_page, state):
    page = draft_page(state)
    with pytest.raises(ValidationError) as refused:
        page.save_revision().publish()
    assert refused.value.message_dict["video"][0].endswith("a page can be published once its video is ready.")
    page.refresh_from_db()
    assert not page.live and page.live_revision is None


@pytest.mark.django_db
def test_a_page_cannot_be_created_live_with_a_video_that_is_not_ready(site_tree, make_video):
    page = VideoPage(title="Summit", slug="summit", video=make_video(state=Video.State.PROCESSING))
    with pytest.raises(ValidationError):
        site_tree.videos.add_child(instance=page)
    assert not VideoPage.objects.exists()


@pytest.mark.django_db
def test_a_live_page_whose_master_is_being_replaced_keeps_its_drafts_but_publishes_nothing_new(site_tree, make_video):
    page = VideoPage(title="Summit", slug="summit", video=make_video())
    site_tree.videos.add_child(instance=page)
    live_revision = page.save_revision()
    live_revision.publish()
    Video.objects.filter(pk=page.video_id).update(state=Video.State.PROCESSING)
    page = VideoPage.objects.get(pk=page.pk)
    page.summary = "A new summary"
    draft = page.save_revision()  # a draft is still saved
    with pytest.raises(ValidationError):
        draft.publish()
    page.refresh_from_db()
    assert page.live and page.live_revision_id == live_revision.pk and page.summary == ""


@pytest.mark.django_db
def test_scheduled_publishing_waits_for_the_video_and_publishes_the_other_pages(site_tree, make_video):
    waiting = VideoPage(title="Waiting", slug="waiting", video=make_video(state=Video.State.PROCESSING), live=False)
    other = VideoPage(title="Other", slug="other", video=make_video(title="Other"), live=False)
    for page in (waiting, other):
        site_tree.videos.add_child(instance=page)
        page.save_revision(approved_go_live_at=timezone.now() - datetime.timedelta(minutes=1))
    call_command("publish_scheduled")
    waiting.refresh_from_db()
    other.refresh_from_db()
    assert other.live and not waiting.live
    Video.objects.filter(pk=waiting.video_id).update(state=Video.State.READY)
    call_command("publish_scheduled")
    waiting.refresh_from_db()
    assert waiting.live
