"""The S3 server goes down during a full download and during a clip, then comes back on the same address.

moto in server mode on loopback, stopped (its port then refuses connections,
as an unreachable S3 does) and started again with the bucket's contents kept,
as S3's are. Nothing is lost: a download cut off resumes from where it
stopped with the same link, a request made while S3 is down is refused with a
503 that says to retry (and uses up no quota), a clip whose storage vanished
fails cleanly, leaving no partial clip, and asking again once S3 is back works.
"""

import json
import logging
import urllib.error
import urllib.request

import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from downloads.models import Download, DownloadJob
from tests.accounts.smtp import free_port
from tests.downloads.conftest import ask, member, published_video  # noqa: F401  (fixtures)
from tests.videos import s3
from videos import media

pytestmark = pytest.mark.django_db


class RestartableS3:
    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = None

    def start(self):
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self):
        self.server.stop()


@pytest.fixture
def s3_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = RestartableS3()
    server.start()
    bucket = "faults-bucket"
    s3.s3_client(server.endpoint).create_bucket(Bucket=bucket)
    with s3.use_s3_default_storage(server.endpoint, bucket, AWS_S3_MAX_MEMORY_SIZE=0):
        yield server
    server.stop()


@pytest.fixture
def video(s3_server, published_video):  # noqa: F811
    assert published_video.video.file.storage.exists(published_video.video.file.name)
    return published_video


def fetch(url: str, **headers) -> bytes:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (the loopback S3 server)
    with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
        return reply.read()


def test_s3_down_during_a_full_download_then_back(s3_server, video, member, ask):  # noqa: F811
    with video.video.file.open("rb") as handle:
        master = handle.read()
    granted = ask(member, video.video_id, {"kind": "full"})
    assert granted.status_code == 200, granted.content
    url = granted.json()["url"]
    first_half = fetch(url, Range=f"bytes=0-{len(master) // 2 - 1}")

    s3_server.stop()
    with pytest.raises(urllib.error.URLError):  # the transfer is cut off
        fetch(url, Range=f"bytes={len(master) // 2}-")
    refused = ask(member, video.video_id, {"kind": "full"})
    assert refused.status_code == 503
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "storage_unavailable" and int(refused["Retry-After"]) > 0

    s3_server.start()
    # The same link resumes where the transfer stopped: nothing is downloaded twice, nothing is lost.
    assert first_half + fetch(url, Range=f"bytes={len(master) // 2}-") == master
    again = ask(member, video.video_id, {"kind": "full"})
    assert again.status_code == 200, again.content
    assert fetch(again.json()["url"]) == master
    outcomes = list(Download.objects.order_by("pk").values_list("outcome", "failure_reason"))
    assert outcomes == [("granted", ""), ("failed", "storage_unavailable"), ("granted", "")]


def test_s3_down_during_a_clip_then_back(s3_server, video, member, ask, tmp_path):  # noqa: F811
    body = {"kind": "clip", "start": "00:00:03.000", "end": "00:00:05.000"}
    s3_server.stop()
    during = ask(member, video.video_id, body)
    if during.status_code == 202:  # accepted, then the worker could not read the master: the job fails cleanly
        status = member.get(f"/api/v1/downloads/{during.json()['job_id']}").json()
        assert status["status"] == "failed", status
    else:
        assert during.status_code == 503, during.content
        assert json.loads(during.content)["code"] == "storage_unavailable"

    s3_server.start()
    client = s3.s3_client(s3_server.endpoint)
    keys = [entry["Key"] for entry in client.list_objects_v2(Bucket="faults-bucket").get("Contents", [])]
    assert not [key for key in keys if key.startswith("downloads/")], keys  # no partial clip stored
    again = ask(member, video.video_id, body)
    assert again.status_code == 202, again.content
    status = member.get(f"/api/v1/downloads/{again.json()['job_id']}").json()
    assert status["status"] == "ready", status
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(fetch(status["link"]["url"]))
    assert abs(media.probe(clip).duration - 2.0) <= 0.1
    assert DownloadJob.objects.filter(status="ready").count() == 1
