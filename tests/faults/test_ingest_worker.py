"""The task worker is SIGKILLed in the middle of an ingest, then started again (issue 13).

A live page's master is replaced through the tus endpoint; a real
`manage.py db_worker` process takes the ingest from the database queue and is
killed (no clean-up can run) while it encodes the proxy. The API shows the
video `processing` with nothing of the half-made derivatives; while the dead
run's heartbeat is fresh the sweep leaves it alone, once it is stale the sweep
(`expire_uploads`) queues the ingest again, and the restarted worker makes the
video `ready`.

PostgreSQL only: the worker must see the test's rows, which an in-memory
SQLite test database cannot share.
"""

import datetime
import os
import signal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import generated_video_path
from tests.faults.task_worker import WORKER_TEST_MARKS, wait_for, worker
from tests.videos.test_tus_uploads import create, patch
from videos import tasks
from videos.models import Video, VideoPage

pytestmark = WORKER_TEST_MARKS


def test_the_worker_killed_during_an_ingest_then_restarted(
    site_tree, make_video, client, django_user_model, settings, tmp_path, tmp_path_factory
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # A media folder of its own: what earlier tests of this process wrote is not this ingest's leftovers.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    editor = django_user_model.objects.create_user(email="editor@example.org", password="x")
    editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="videos"))
    client.force_login(editor)
    page = VideoPage(title="Summit", slug="summit", video=make_video(duration=2.0))
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    # Long enough that the proxy takes a few seconds to encode: the worker is killed during it.
    master = generated_video_path(tmp_path_factory, duration=60.0, width=1280, height=720).read_bytes()
    url = create(client, len(master), video=str(page.video_id))["Location"]
    assert patch(client, url, 0, master).status_code == 204  # the ingest is queued, no worker runs yet

    def api_video():
        return client.get(f"/api/v1/pages/{page.pk}/").json()["video"]

    log = tmp_path / "worker.log"
    with worker(log) as process:
        wait_for(lambda: Video.objects.get(pk=page.video_id).progress >= tasks.POSTER, 120, "the proxy to be started")
        assert tasks.recover_stalled_ingests() == (0, 0)  # a running ingest is never taken from its worker
        os.killpg(process.pid, signal.SIGKILL)  # mid-proxy: no except, no finally runs
        process.wait(timeout=10)

    video = Video.objects.get(pk=page.video_id)
    assert video.state == Video.State.PROCESSING and video.ingest_attempts == 1, log.read_text()[-2000:]
    assert not video.proxy and video.poster is None  # nothing half made is attached
    shown = api_video()
    assert shown["state"] == "processing" and shown["proxy_url"] is None
    proxies = Path(settings.MEDIA_ROOT) / "videos" / "proxies"
    assert not (proxies.is_dir() and any(proxies.rglob("*"))), list(proxies.rglob("*"))

    # Later: no heartbeat for longer than the proxy's own timeout. The sweep queues the ingest again.
    Video.objects.filter(pk=video.pk).update(ingest_heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    call_command("expire_uploads", verbosity=0)
    assert Video.objects.get(pk=video.pk).ingest_heartbeat_at is None

    with worker(log):  # restarted: it takes the re-queued ingest
        wait_for(lambda: Video.objects.get(pk=video.pk).state != Video.State.PROCESSING, 180, "the ingest")
    video = Video.objects.get(pk=video.pk)
    assert video.state == Video.State.READY, (video.failure_detail, log.read_text()[-2000:])
    assert video.ingest_attempts == 2 and video.duration == pytest.approx(60.0, abs=0.1)
    shown = api_video()
    assert shown["state"] == "ready" and shown["proxy_url"]
