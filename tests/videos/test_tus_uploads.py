"""Resumable uploads of masters on the file system (tus 1.0), then their ingest, with real files."""

import base64
import datetime
import hashlib
import socket
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import generated_video_path
from videos.models import Video
from videos.uploads import MasterUpload

CREATE_URL = "/uploads/videos/tus/"
TUS = {"Tus-Resumable": "1.0.0"}
CSRF_SECRET = "a" * 32  # a CSRF cookie and header the real HTTP tests send, as the admin's uploader does


def make_editor(django_user_model, email, *permissions):
    user = django_user_model.objects.create_user(email=email, password="x")
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions, content_type__app_label="videos"))
    return user


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(make_editor(django_user_model, "editor@example.org", "add_video", "change_video"))
    return client


@pytest.fixture
def master(tmp_path_factory):
    return generated_video_path(tmp_path_factory, duration=4.0).read_bytes()


def metadata(**values):
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


def create(client, length, filename="summit.mp4", **extra):
    headers = {**TUS, "Upload-Length": str(length), "Upload-Metadata": metadata(filename=filename, **extra)}
    return client.post(CREATE_URL, headers=headers)


def patch(client, url, offset, data, **meta):
    return client.generic(
        "PATCH",
        url,
        data,
        content_type="application/offset+octet-stream",
        headers={**TUS, "Upload-Offset": str(offset)},
        **meta,
    )


def offset_of(client, url):
    response = client.head(url, headers=TUS)
    assert response.status_code == 200
    return int(response["Upload-Offset"])


def partial_files():
    folder = Path(settings.MEDIA_ROOT) / "videos" / "partial"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.django_db
def test_a_master_uploaded_in_chunks_is_ingested_and_becomes_ready(editor, master, django_capture_on_commit_callbacks):
    created = create(editor, len(master), title="Summit opening")
    assert created.status_code == 201 and created["Tus-Resumable"] == "1.0.0"
    url = created["Location"]
    video = Video.objects.get(title="Summit opening")
    assert video.state == Video.State.UPLOADING and not video.file
    assert offset_of(editor, url) == 0

    half = len(master) // 2
    assert patch(editor, url, 0, master[:half])["Upload-Offset"] == str(half)
    assert offset_of(editor, url) == half
    with django_capture_on_commit_callbacks(execute=True):
        response = patch(editor, url, half, master[half:])
    assert response.status_code == 204 and response["Upload-Offset"] == str(len(master))

    video.refresh_from_db()
    assert video.state == Video.State.READY, video.failure_detail
    assert video.sha256 == hashlib.sha256(master).hexdigest() and video.file_size == len(master)
    assert video.duration == pytest.approx(4.0, abs=0.1) and video.proxy and video.poster is not None
    assert Path(video.file.path).read_bytes() == master
    assert not MasterUpload.objects.exists() and not any(path.stem in url for path in partial_files())


@pytest.mark.django_db
def test_bytes_at_the_wrong_offset_are_refused_with_409(editor, master):
    url = create(editor, len(master))["Location"]
    response = patch(editor, url, 10, master[10:20])
    assert response.status_code == 409 and response.json()["code"] == "offset_mismatch"
    assert response["Upload-Offset"] == "0" and offset_of(editor, url) == 0


@pytest.mark.django_db
def test_a_part_sent_twice_is_refused_and_the_upload_goes_on(editor, master, django_capture_on_commit_callbacks):
    url = create(editor, len(master))["Location"]
    assert patch(editor, url, 0, master[:1000]).status_code == 204
    again = patch(editor, url, 0, master[:1000])
    assert again.status_code == 409 and again["Upload-Offset"] == "1000"
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(editor, url, 1000, master[1000:]).status_code == 204
    video = Video.objects.get()
    assert video.state == Video.State.READY and video.sha256 == hashlib.sha256(master).hexdigest()


# Committing (the live server's threads answer): a transactional test run before it on the same worker empties the
# database, and `migrated_rows` puts back the root collection the ingest stores the poster in. Without it the poster
# could not be saved, and (before the ingest failed unexpected errors) the video stayed `processing` (issue 13).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows")
def test_a_connection_dropped_mid_chunk_keeps_what_arrived_and_resumes(live_server, editor, master):
    url = create(editor, len(master))["Location"].replace("http://testserver", "")
    cookies = f"sessionid={editor.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}"
    host, port = live_server.thread.host, live_server.thread.port
    # Over a real connection: the client announces the whole file, sends 5,000 bytes and hangs up.
    with socket.create_connection((host, port)) as connection:
        connection.sendall(
            (
                f"PATCH {url} HTTP/1.1\r\nHost: {host}:{port}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(master)}\r\n"
                f"Cookie: {cookies}\r\nX-CSRFToken: {CSRF_SECRET}\r\nReferer: {live_server.url}/\r\n\r\n"
            ).encode()
            + master[:5000]
        )
        time.sleep(0.5)
    headers = {**TUS, "Cookie": cookies, "X-CSRFToken": CSRF_SECRET, "Referer": f"{live_server.url}/"}
    for _attempt in range(50):  # the server notices the hang-up once it reads past what arrived
        resume_at = int(requests.head(live_server.url + url, headers=headers, timeout=10).headers["Upload-Offset"])
        if resume_at == 5000:
            break
        time.sleep(0.1)
    assert resume_at == 5000
    response = requests.patch(
        live_server.url + url,
        data=master[resume_at:],
        headers={**headers, "Upload-Offset": str(resume_at), "Content-Type": "application/offset+octet-stream"},
        timeout=60,
    )
    assert response.status_code == 204, response.text
    # The live server's threads share the test database: the ingest may still be writing when the answer
    # arrives (seen under load on SQLite), so its state is polled rather than read once.
    for _attempt in range(300):
        video = Video.objects.get()
        if video.state != Video.State.PROCESSING:
            break
        time.sleep(0.1)
    assert video.state == Video.State.READY and Path(video.file.path).read_bytes() == master


@pytest.mark.django_db
def test_another_editors_upload_is_refused(editor, master, client, django_user_model):
    url = create(editor, len(master))["Location"]
    other = make_editor(django_user_model, "other@example.org", "add_video")
    client.force_login(other)
    assert client.head(url, headers=TUS).status_code == 403
    response = patch(client, url, 0, master[:100])
    assert response.status_code == 403 and response.json()["code"] == "not_your_upload"
    assert client.delete(url, headers=TUS).status_code == 403
    client.force_login(Video.objects.get().uploaded_by)
    assert offset_of(client, url) == 0


@pytest.mark.django_db
def test_only_editors_allowed_to_add_videos_can_upload(client, django_user_model):
    assert create(client, 1000).status_code == 401
    client.force_login(make_editor(django_user_model, "reader@example.org", "change_video"))
    response = create(client, 1000)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_an_oversize_master_is_refused_before_the_first_byte(editor, settings):
    settings.VIDEOS_MAX_UPLOAD_SIZE = 10_000
    response = create(editor, 10_001)
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    assert not Video.objects.exists() and not MasterUpload.objects.exists()


@pytest.mark.django_db
def test_bytes_past_the_declared_length_are_refused(editor):
    url = create(editor, 100)["Location"]
    response = patch(editor, url, 0, b"x" * 101)
    assert response.status_code == 413 and offset_of(editor, url) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Upload-Length": "100", "Upload-Metadata": metadata(filename="a.mp4")}, 412),  # no Tus-Resumable
        ({**TUS, "Upload-Length": "ten", "Upload-Metadata": metadata(filename="a.mp4")}, 400),
        ({**TUS, "Upload-Length": "100", "Upload-Metadata": "filename !!notbase64"}, 400),
        ({**TUS, "Upload-Length": "100"}, 400),
        ({**TUS, "Upload-Length": "100", "Upload-Metadata": metadata(filename="notes.pdf")}, 415),
    ],
)
def test_malformed_creations_are_refused_with_a_problem(editor, headers, status):
    response = editor.post(CREATE_URL, headers=headers)
    assert response.status_code == status and response["Content-Type"] == "application/problem+json"
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_a_video_is_deleted_after_completion_and_the_video_says_why(
    editor, django_capture_on_commit_callbacks
):
    content = b"%PDF-1.4 not a video at all" * 100
    url = create(editor, len(content), filename="trailer.mp4")["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(editor, url, 0, content).status_code == 204
    video = Video.objects.get()
    assert video.state == Video.State.FAILED and video.failure_reason == "This file is not a video we can read."
    assert not video.file
    assert not list((Path(settings.MEDIA_ROOT) / "videos" / "masters").rglob("trailer*"))


@pytest.mark.django_db
def test_replacing_a_master_keeps_the_video_and_expires_its_clips(
    editor, make_video, master, django_capture_on_commit_callbacks
):
    from downloads.models import DownloadJob

    video = make_video(duration=2.0)
    old_name = video.file.name
    job = DownloadJob.objects.create(video=video, start_ms=0, end_ms=1000, mode="fast", status="ready")
    url = create(editor, len(master), video=str(video.pk))["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        assert patch(editor, url, 0, master).status_code == 204
    replaced = Video.objects.get()
    assert replaced.pk == video.pk and replaced.state == Video.State.READY
    assert replaced.file.name != old_name and not video.file.storage.exists(old_name)
    assert replaced.duration == pytest.approx(4.0, abs=0.1)
    job.refresh_from_db()
    assert job.status == DownloadJob.Status.EXPIRED


@pytest.mark.django_db
def test_an_abandoned_upload_is_cleaned_by_the_sweep_after_a_day(editor, master):
    stale_url = create(editor, len(master), title="Stale")["Location"]
    patch(editor, stale_url, 0, master[:100])
    fresh_url = create(editor, len(master), title="Fresh")["Location"]
    MasterUpload.objects.filter(video__title="Stale").update(created_at=timezone.now() - datetime.timedelta(days=2))
    stale_partial = MasterUpload.objects.get(video__title="Stale").partial_path
    call_command("expire_uploads", verbosity=0)
    assert list(Video.objects.values_list("title", flat=True)) == ["Fresh"]
    assert editor.head(stale_url, headers=TUS).status_code == 404
    assert offset_of(editor, fresh_url) == 0 and not stale_partial.exists()
    assert MasterUpload.objects.get().partial_path.exists()


@pytest.mark.django_db
def test_the_editor_can_abort_an_upload(editor, master):
    url = create(editor, len(master))["Location"]
    patch(editor, url, 0, master[:100])
    partial = MasterUpload.objects.get().partial_path
    assert editor.delete(url, headers=TUS).status_code == 204
    assert not Video.objects.exists() and not partial.exists()


@pytest.mark.django_db
def test_a_method_the_endpoint_does_not_serve_is_a_405_problem(editor, master):
    response = editor.put(CREATE_URL, b"", headers=TUS)
    assert response.status_code == 405 and response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "OPTIONS, POST"
    url = create(editor, len(master))["Location"]
    assert editor.post(url, headers=TUS).status_code == 405
