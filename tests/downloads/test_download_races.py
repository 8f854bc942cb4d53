"""Simultaneous requests cannot beat the quota or start the same clip twice (threads on real connections)."""

import threading
from types import SimpleNamespace

import pytest
from django.db import connection

from downloads import grants
from downloads.grants import ClipRange, DownloadRefused, Requester
from downloads.models import Download, DownloadJob

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_rows"),  # the page tree and locales, if an earlier test emptied the database
    # The test database on SQLite is in memory, where concurrent writers fail
    # with "table is locked" instead of waiting; a real SQLite file (WAL, busy
    # timeout, immediate transactions) waits, as PostgreSQL does. CI runs these on PostgreSQL.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="needs a database that serves concurrent writers"),
]


def race(count, action):
    """Run `action()` in `count` threads released together; returns what each returned or raised."""
    barrier = threading.Barrier(count)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(action())
        except Exception as error:  # collected, asserted by the test
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_simultaneous_grants_cannot_exceed_the_quota(published_video, media_account, settings):
    settings.VIDEOS_DAILY_DOWNLOADS = 2
    requester = Requester(media_account(), "198.51.100.7", "race")
    results = race(6, lambda: grants.grant(requester, published_video.video, "full"))
    refused = [result for result in results if isinstance(result, DownloadRefused)]
    assert len(results) == 6 and len(refused) == 4, results
    assert {refusal.code for refusal in refused} == {"quota_exceeded"}
    assert Download.objects.count() == 2


def test_simultaneous_identical_clips_make_one_job(published_video, media_account, settings, monkeypatch):
    # No worker in this test: the jobs stay queued.
    monkeypatch.setattr("downloads.tasks.cut_clip_job", SimpleNamespace(enqueue=lambda job_id: None))
    people = [Requester(media_account(email=f"p{n}@example.org"), None, "race") for n in range(4)]
    span = ClipRange(1000, 2000)
    turn = iter(people)
    lock = threading.Lock()

    def ask():
        with lock:
            requester = next(turn)
        return grants.grant(requester, published_video.video, "clip", mode="fast", span=span)

    results = race(4, ask)
    assert all(isinstance(result, tuple) for result in results), results
    assert DownloadJob.objects.count() == 1 and Download.objects.count() == 4
    assert sum(created for _download, _job, created in results) == 1
