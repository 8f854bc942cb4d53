"""An ingest whose worker died: its heartbeat goes stale, the sweep queues it again or fails it with a reason.

The real kill of a `db_worker` process is in tests/faults/test_ingest_worker.py (PostgreSQL).
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from cms.content_events import _listeners, listen
from videos import tasks
from videos.models import Video


def stalled(video, *, attempts, ago=datetime.timedelta(hours=1)):
    Video.objects.filter(pk=video.pk).update(
        state=Video.State.PROCESSING,
        progress=tasks.POSTER,
        sha256="",
        ingest_heartbeat_at=timezone.now() - ago,
        ingest_attempts=attempts,
    )


@pytest.mark.django_db
def test_a_stalled_ingest_is_queued_again_by_the_sweep_and_becomes_ready(make_video):
    video = make_video(duration=2.0)
    stalled(video, attempts=1)
    call_command("expire_uploads", verbosity=0)  # the immediate task backend runs the ingest at once
    video.refresh_from_db()
    assert video.state == Video.State.READY, video.failure_detail
    assert video.ingest_attempts == 2 and video.proxy and len(video.sha256) == 64


@pytest.mark.django_db
def test_an_ingest_with_a_recent_heartbeat_is_left_to_its_worker(make_video, settings):
    settings.VIDEOS_INGEST_STALL_SECONDS = 60
    video = make_video(duration=2.0)
    # Older than the stall time, but not older than the proxy's own ffmpeg timeout (at least two minutes).
    stalled(video, attempts=1, ago=datetime.timedelta(seconds=90))
    assert tasks.recover_stalled_ingests() == (0, 0)
    video.refresh_from_db()
    assert video.state == Video.State.PROCESSING and video.ingest_heartbeat_at is not None


@pytest.mark.django_db
def test_an_ingest_interrupted_too_often_fails_with_a_reason_in_the_editors_language(
    make_video, settings, django_capture_on_commit_callbacks
):
    settings.VIDEOS_INGEST_MAX_ATTEMPTS = 2
    video = make_video(duration=2.0)
    stalled(video, attempts=2)
    changes = []
    listen(changes.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.recover_stalled_ingests() == (0, 1)
    finally:
        _listeners.remove(changes.append)
    # A content change, as a save sends: cached API answers showing the video 'processing' go stale.
    assert [(change.model, change.ids) for change in changes] == [("videos.Video", (video.pk,))]
    video.refresh_from_db()
    assert video.state == Video.State.FAILED and "no sign of life since" in video.failure_detail
    assert video.failure_reason.startswith("The processing of this video was interrupted several times")
    with translation.override("fr"):
        assert video.failure_reason.startswith("Le traitement de cette vidéo a été interrompu")


@pytest.mark.django_db
def test_a_second_run_of_the_same_ingest_does_nothing_while_the_first_holds_it(make_video):
    video = make_video(duration=2.0)
    stalled(video, attempts=1, ago=datetime.timedelta(seconds=1))
    assert tasks.ingest_master.call(video.pk) == "gone"
    video.refresh_from_db()
    assert video.state == Video.State.PROCESSING and video.ingest_attempts == 1
