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

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection

from downloads.jobs import WORK_FOLDER
from downloads.models import DownloadJob
from tests.downloads.conftest import ask, member  # noqa: F401  (fixtures)
from videos import media
from videos.models import VideoPage

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="the worker fault test needs PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_rows"),  # before site_tree: an earlier test may have emptied the database
]
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def long_video(site_tree, make_video):
    page = VideoPage(title="Long statement", slug="long-statement", video=make_video(duration=16.0, gop=250))
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    return page


@contextlib.contextmanager
def worker(log_path: Path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker fault test needs PostgreSQL (set DATABASE_URL)")
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{connection.settings_dict['NAME']}").geturl()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    if not django_settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        # The test's own disk cache, as a machine's processes share one: what the worker changes invalidates it.
        env["CACHE_DIR"] = django_settings.CACHES["default"]["LOCATION"]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def clip_files(folder):
    return {path for path in folder.rglob("*") if path.is_file()} if folder.is_dir() else set()


def wait_for(condition, timeout=30.0, what=""):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
    return result


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
