"""Uploading, replacing and deleting video masters through the Wagtail admin, with real files."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from tests.conftest import generated_video_path
from videos.models import Video

ADD_URL = reverse("wagtailsnippets_videos_video:add")


def stored_files(folder="videos"):
    root = Path(settings.MEDIA_ROOT) / folder
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def editor_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="editor@example.org", password="x")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def clean_media():
    """Each test starts and ends without masters on disk, so "no stray file" can be asserted."""
    for path in (Path(settings.MEDIA_ROOT) / "videos").rglob("*"):
        if path.is_file():
            path.unlink()
    yield


@pytest.fixture
def h264_bytes(tmp_path_factory):
    return generated_video_path(tmp_path_factory, duration=4.0).read_bytes()


def upload(client, name, content, title="Press conference"):
    return client.post(ADD_URL, {"title": title, "file": SimpleUploadedFile(name, content)})


def form_errors(response):
    return response.context["form"].errors.get("file", [])


@pytest.mark.django_db
def test_uploading_a_video_probes_it_and_queues_poster_and_proxy(
    editor_client, h264_bytes, clean_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(editor_client, "press.mp4", h264_bytes)

    assert response.status_code == 302, response.context and response.context["form"].errors
    video = Video.objects.get()
    assert (video.width, video.height, video.video_codec, video.audio_codec) == (320, 240, "h264", "aac")
    assert abs(video.duration - 4.0) < 0.1
    assert video.file_size == len(h264_bytes)
    assert len(video.sha256) == 64
    assert video.all_intra is False and video.keyframe_interval == pytest.approx(2.0, abs=0.05)
    assert video.uploaded_by == editor_client.user
    # The immediate task backend ran the derivative task once the upload committed.
    video.refresh_from_db()
    assert video.state == Video.State.READY, video.failure_detail
    assert video.poster is not None and video.poster.width == 320
    assert video.proxy.name.endswith(".mp4") and video.proxy.storage.exists(video.proxy.name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content_factory", "expected"),
    [
        ("notes.mp4", lambda video: b"This is a text file pretending to be a video.\n" * 20, "not a video we can read"),
        ("noise.mov", lambda video: os.urandom(50_000), "not a video we can read"),
        ("cut.mp4", lambda video: video[:2048], "incomplete or damaged"),
        ("still.mp4", lambda video: _jpeg_bytes(), "not supported"),
    ],
    ids=["text", "random-bytes", "truncated", "jpeg-renamed"],
)
def test_files_that_are_not_videos_are_refused_with_a_clear_error_and_leave_nothing(
    editor_client, h264_bytes, clean_media, name, content_factory, expected
):
    response = upload(editor_client, name, content_factory(h264_bytes))

    assert response.status_code == 200
    assert any(expected in str(error) for error in form_errors(response)), form_errors(response)
    assert Video.objects.count() == 0
    assert stored_files() == []


@pytest.mark.django_db
def test_an_audio_only_file_is_refused(editor_client, tmp_path, clean_media):
    from videos.media import run_ffmpeg

    audio = tmp_path / "tone.m4a"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "aac", str(audio)], timeout=60)

    response = upload(editor_client, "tone.mp4", audio.read_bytes())

    assert "no video track" in str(form_errors(response))
    assert Video.objects.count() == 0 and stored_files() == []


@pytest.mark.django_db
def test_an_empty_file_is_refused(editor_client, clean_media):
    response = upload(editor_client, "empty.mp4", b"")

    assert form_errors(response), "an empty upload must be reported"
    assert Video.objects.count() == 0 and stored_files() == []


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused_before_probing(editor_client, h264_bytes, clean_media, settings):
    settings.VIDEOS_MAX_UPLOAD_SIZE = len(h264_bytes) - 1

    response = upload(editor_client, "press.mp4", h264_bytes)

    assert "videos are limited to" in str(form_errors(response))
    assert Video.objects.count() == 0 and stored_files() == []


@pytest.mark.django_db
def test_a_failure_after_the_file_was_stored_leaves_no_record_and_no_file(
    editor_client, h264_bytes, clean_media, monkeypatch
):
    # Fault injection: the audit log entry written after the save fails.
    def broken_log(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("wagtail.actions.create.log", broken_log)

    with pytest.raises(RuntimeError, match="database went away"):
        upload(editor_client, "press.mp4", h264_bytes)

    assert Video.objects.count() == 0
    assert stored_files() == []


@pytest.mark.django_db
def test_replacing_the_master_reprobes_it_and_removes_the_old_file_once_committed(
    editor_client, make_video, tmp_path_factory, clean_media, django_capture_on_commit_callbacks
):
    video = make_video(duration=4.0)
    old_name = video.file.name
    prores = generated_video_path(tmp_path_factory, codec="prores", duration=2.0)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("wagtailsnippets_videos_video:edit", args=[video.pk]),
            {"title": "Replaced", "file": SimpleUploadedFile("new.mov", prores.read_bytes())},
        )

    assert response.status_code == 302
    video.refresh_from_db()
    assert video.video_codec == "prores" and video.all_intra is True
    assert abs(video.duration - 2.0) < 0.1
    assert not video.file.storage.exists(old_name)
    assert video.file.storage.exists(video.file.name)


@pytest.mark.django_db
def test_editing_only_the_title_keeps_the_master_and_its_facts(editor_client, make_video):
    video = make_video(duration=4.0)
    before = (video.file.name, video.sha256, video.duration)

    response = editor_client.post(reverse("wagtailsnippets_videos_video:edit", args=[video.pk]), {"title": "New title"})

    assert response.status_code == 302
    video.refresh_from_db()
    assert video.title == "New title"
    assert (video.file.name, video.sha256, video.duration) == before


@pytest.mark.django_db
def test_deleting_a_video_removes_its_files(make_video, clean_media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        video = make_video(duration=4.0, state="processing")
    video.refresh_from_db()
    names = [video.file.name, video.proxy.name]
    assert all(video.file.storage.exists(name) for name in names)

    with django_capture_on_commit_callbacks(execute=True):
        video.delete()

    assert stored_files() == []


@pytest.mark.django_db
def test_derivatives_of_an_unreadable_master_mark_the_video_failed(make_video, django_capture_on_commit_callbacks):
    video = make_video(duration=4.0)
    with open(video.file.path, "wb") as handle:
        handle.write(b"corrupted after upload")

    video.state = Video.State.PROCESSING
    with django_capture_on_commit_callbacks(execute=True):
        video.save()  # processing: the task is queued again

    video.refresh_from_db()
    assert video.state == Video.State.FAILED
    assert video.failure_detail and video.failure_reason
    assert not video.proxy


@pytest.mark.django_db
def test_the_admin_lists_and_chooses_videos(editor_client, make_video):
    make_video(title="Ministers arrive", duration=4.0)

    listing = editor_client.get(reverse("wagtailsnippets_videos_video:list"))
    chooser = editor_client.get(reverse("wagtailsnippetchoosers_videos_video:choose"))

    assert listing.status_code == 200 and b"Ministers arrive" in listing.content
    assert b"00:00:04" in listing.content
    assert chooser.status_code == 200 and b"Ministers arrive" in chooser.content


def _jpeg_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()
