"""Downloads with the masters on S3: a real local S3 server (moto) on loopback, links fetched for real."""

import socket
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from downloads.models import Download, DownloadJob
from tests.videos import s3
from videos import media

moto_server, s3_bucket, s3_default_storage = s3.moto_server, s3.s3_bucket, s3.s3_default_storage


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (http URLs of the loopback S3 server)
    with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310
        return reply.status, dict(reply.headers), reply.read()


@pytest.fixture
def video_on_s3(s3_default_storage, published_video):
    """The published test video, its master stored in the bucket."""
    assert published_video.video.file.storage.exists(published_video.video.file.name)
    return published_video


def test_the_full_master_is_a_presigned_s3_link(video_on_s3, member, ask, settings):
    response = ask(member, video_on_s3.video_id, {"kind": "full"})
    assert response.status_code == 200, response.content
    body = response.json()
    status, headers, content = get(body["url"])
    with video_on_s3.video.file.open("rb") as master:
        assert content == master.read()
    assert headers["Content-Disposition"].startswith('attachment; filename="press-conference_2025-06-02.mp4"')
    params = parse_qs(urlsplit(body["url"]).query)
    assert params["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert params["X-Amz-Expires"] == [str(settings.VIDEOS_DOWNLOAD_LINK_TTL)]
    # Resuming works against S3 itself.
    status, headers, part = get(body["url"], Range="bytes=100-199")
    assert status == 206 and part == content[100:200]
    assert Download.objects.get().outcome == "granted"


def test_a_clip_is_cut_from_s3_and_stored_back_in_the_bucket(video_on_s3, member, ask, tmp_path):
    response = ask(member, video_on_s3.video_id, {"kind": "clip", "start": "00:00:03.000", "end": "00:00:05.000"})
    assert response.status_code == 202, response.content
    status = member.get(f"/api/v1/downloads/{response.json()['job_id']}").json()
    assert status["status"] == "ready", status
    job = DownloadJob.objects.get()
    assert job.file.storage.exists(job.file.name)
    _status, _headers, content = get(status["link"]["url"])
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(content)
    assert abs(media.probe(clip).duration - 2.0) <= 0.1


def test_s3_unreachable_is_503_with_retry_after_and_the_record_says_so(video_on_s3, member, ask, s3_bucket):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{closed.getsockname()[1]}"
        with s3.use_s3_default_storage(endpoint, s3_bucket):
            response = ask(member, video_on_s3.video_id, {"kind": "full"})
    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable" and int(response["Retry-After"]) > 0
    record = Download.objects.get()
    assert (record.outcome, record.failure_reason) == ("failed", "storage_unavailable")
    # The failed attempt did not use up the quota.
    assert ask(member, video_on_s3.video_id, {"kind": "full"}).status_code == 200
