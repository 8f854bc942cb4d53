"""A database from before the downloads app keeps every row when it migrates to the new layout.

The download models used to live in `videos`; `videos.0004` and
`downloads.0001` move them in Django's state only. Here a database is taken
back to the old layout, filled as the old code would have filled it (grants,
clip jobs, packet indexes, a queued clip task, permissions), and migrated
forward: every row must still be there, read through the new models.
"""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from downloads.models import Download, DownloadJob, PacketIndex, PacketIndexChunk

OLD_LAYOUT = [("videos", "0003_packet_index"), ("downloads", None)]
TABLES = ["videos_downloadjob", "videos_download", "videos_packetindex", "videos_packetindexchunk"]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _fill_old_layout(old_apps):
    User = old_apps.get_model("accounts", "User")
    Video = old_apps.get_model("videos", "Video")
    DownloadJob = old_apps.get_model("videos", "DownloadJob")
    Download = old_apps.get_model("videos", "Download")
    PacketIndex = old_apps.get_model("videos", "PacketIndex")
    PacketIndexChunk = old_apps.get_model("videos", "PacketIndexChunk")
    TaskResult = old_apps.get_model("django_tasks_database", "DBTaskResult")

    user = User.objects.create(email="reporter@example.org", password="!")
    video = Video.objects.create(
        title="Summit",
        file="videos/masters/summit.mxf",
        file_size=1234,
        sha256="a" * 64,
        container="mxf",
        duration=12.0,
        width=1920,
        height=1080,
        frame_rate=25.0,
        frame_rate_exact="25/1",
        video_codec="mpeg2video",
    )
    job = DownloadJob.objects.create(
        id=uuid.uuid4(), video=video, start_ms=1000, end_ms=4000, mode="fast", status="ready", progress=100
    )
    queued = DownloadJob.objects.create(id=uuid.uuid4(), video=video, start_ms=0, end_ms=2000, mode="exact")
    Download.objects.create(user=user, user_email=user.email, video=video, video_title="Summit", kind="full", size=1234)
    Download.objects.create(
        user=user,
        user_email=user.email,
        video=video,
        video_title="Summit",
        kind="clip",
        mode="fast",
        start_ms=1000,
        end_ms=4000,
        job=job,
        size=99,
        created_at=timezone.now() - datetime.timedelta(hours=3),
    )
    index = PacketIndex.objects.create(
        video=video,
        master_name=video.file,
        master_size=1234,
        master_sha256="a" * 64,
        version=1,
        streams=[{"kind": "video"}],
        origin=0.0,
        frame_rate="25/1",
        keyframe_gap=0.5,
        first_chunk=0,
        last_chunk=1,
        template=b"template",
        packet_count=300,
        stored_bytes=64,
        build_seconds=0.2,
    )
    PacketIndexChunk.objects.create(index=index, stream=0, number=0, records=b"\x00\x01")
    PacketIndexChunk.objects.create(index=index, stream=0, number=1, records=b"\x02\x03")
    TaskResult.objects.create(
        task_path="videos.tasks.cut_clip_job",
        args_kwargs={"args": [str(queued.pk)], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        status="READY",
    )
    return {"video": video.pk, "job": job.pk, "queued": queued.pk, "index": index.pk, "user": user.pk}


@pytest.mark.django_db(transaction=True)
def test_the_old_layout_migrates_forward_without_losing_a_row():
    # Content types are cached per process: after another transactional test flushed the tables, the
    # cached ids point at rows that are gone (PostgreSQL enforces the foreign key at once).
    ContentType.objects.clear_cache()
    editors = Group.objects.create(name="Download auditors")
    # A transactional test may start from a flushed database: make the permission as post_migrate does.
    permission, _ = Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(Download),
        codename="view_download",
        defaults={"name": "Can view download"},
    )
    editors.permissions.add(permission)
    try:
        leaves = _leaves()
        executor = _migrate(OLD_LAYOUT)
        old_nodes = [node for node in leaves if node[0] not in ("videos", "downloads")] + OLD_LAYOUT[:1]
        old_apps = executor.loader.project_state(old_nodes).apps
        # The old layout: the models are the videos app's, and so are their content types.
        assert ContentType.objects.filter(app_label="videos", model="download").exists()
        assert not ContentType.objects.filter(app_label="downloads").exists()
        ids = _fill_old_layout(old_apps)
        with connection.cursor() as cursor:
            before = {}
            for table in TABLES:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (names from the list above)
                before[table] = cursor.fetchone()[0]
    finally:
        _migrate(leaves)
        ContentType.objects.clear_cache()

    assert before == {
        "videos_downloadjob": 2,
        "videos_download": 2,
        "videos_packetindex": 1,
        "videos_packetindexchunk": 2,
    }
    assert DownloadJob.objects.count() == 2
    assert Download.objects.count() == 2
    assert PacketIndex.objects.count() == 1
    assert PacketIndexChunk.objects.count() == 2

    job = DownloadJob.objects.get(pk=ids["job"])
    assert (job.video_id, job.start_ms, job.end_ms, job.status) == (ids["video"], 1000, 4000, "ready")
    clip = Download.objects.get(kind="clip")
    assert (clip.job_id, clip.user_id, clip.size) == (ids["job"], ids["user"], 99)
    index = PacketIndex.objects.get(pk=ids["index"])
    assert index.video.packet_index == index
    assert sorted(bytes(chunk.records) for chunk in index.chunks.all()) == [b"\x00\x01", b"\x02\x03"]

    # Content types, so permissions and admin history, follow the models.
    assert ContentType.objects.get_for_model(Download).app_label == "downloads"
    assert not ContentType.objects.filter(app_label="videos", model__in=["download", "downloadjob"]).exists()
    assert editors.permissions.filter(content_type__app_label="downloads", codename="view_download").exists()
    # A clip task queued by the old code finds its function under its new name.
    from django_tasks_db.models import DBTaskResult

    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["downloads.tasks.cut_clip_job"]
