"""The task worker is SIGKILLed in the middle of an exact clip, then started again.

A real `manage.py db_worker` process takes the job from the database queue;
it is killed (no clean-up can run) once it has started writing the clip in its
scratch folder. Nothing half written is ever visible: the job is not ready,
has no file, and nothing is under the clips' folder. When the job's heartbeat
is stale, polling it queues it again (the sweep does the same), and the
restarted worker cuts it to the end.

PostgreSQL only: the worker must see the test's rows, which an in-memory
SQLite test database cannot share.
"""

import os
import signal
import time
from pathlib import Path

import pytest

from downloads.jobs import WORK_FOLDER
from downloads.models import DownloadJob
from tests.downloads.conftest import ask, member  # noqa: F401  (fixtures)
from tests.faults.task_worker import WORKER_TEST_MARKS, wait_for, worker
from videos import media
from videos.models import VideoPage

pytestmark = WORKER_TEST_MARKS


@pytest.fixture
def long_video(site_tree, make_video):
    page = VideoPage(title="Long statement", slug="long-statement", video=make_video(duration=16.0, gop=250))
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    return page


def clip_files(folder):
    return {path for path in folder.rglob("*") if path.is_file()} if folder.is_dir() else set()


def test_the_worker_killed_during_an_exact_clip_then_restarted(long_video, member, ask, settings, tmp_path):  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.VIDEOS_CLIP_STALL_SECONDS = 1
    body = {"kind": "clip", "start": "00:00:00.500", "end": "00:00:15.500", "mode": "exact"}
    response = ask(member, long_video.video_id, body)
    assert response.status_code == 202, response.content
    job_id = response.json()["job_id"]
    scratch = Path(settings.MEDIA_ROOT) / WORK_FOLDER
    clips = Path(settings.MEDIA_ROOT) / "downloads" / "clips"
    # MEDIA_ROOT is shared by the tests of one worker: other tests' clips may already lie there.
    clips_before = clip_files(clips)

    with worker(tmp_path / "worker.log") as process:
        wait_for(lambda: scratch.is_dir() and any(scratch.rglob("*.*")), what="the clip to be started")
        os.killpg(process.pid, signal.SIGKILL)  # mid-cut: no except, no finally runs
        process.wait(timeout=10)

    job = DownloadJob.objects.get(pk=job_id)
    assert job.status == "running" and not job.file, job.status  # nothing half written is handed out
    assert clip_files(clips) == clips_before  # no half-cut clip left where finished ones go
    time.sleep(1.2)  # the heartbeat goes stale
    polled = member.get(f"/api/v1/downloads/{job_id}").json()
    assert polled["status"] == "queued", polled  # polling notices the dead worker and queues the job again

    with worker(tmp_path / "worker.log"):  # restarted: it takes the re-queued job
        wait_for(lambda: DownloadJob.objects.get(pk=job_id).status in ("ready", "failed"), 60, "the clip")
    status = member.get(f"/api/v1/downloads/{job_id}").json()
    assert status["status"] == "ready", (status, (tmp_path / "worker.log").read_text()[-2000:])
    job = DownloadJob.objects.get(pk=job_id)
    assert job.attempts == 2
    clip = Path(settings.MEDIA_ROOT) / job.file.name
    assert abs(media.probe(clip).duration - 15.0) <= 0.1
