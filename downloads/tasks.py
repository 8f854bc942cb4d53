"""Background work for downloads: cutting clip jobs, indexing masters' packets, the periodic sweep.

The sweep lives here, beside the task that re-queues what it recovers, so
that granting (``grants``) imports the tasks and the tasks nothing of granting.
"""

import contextlib
import datetime
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

import av
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from videos import media
from videos.files import local_path

from . import packet_index
from .jobs import WORK_FOLDER, fail_job
from .models import DownloadJob, PacketIndex

logger = logging.getLogger(__name__)


@task()
def build_packet_index(video_id: int) -> str:
    """Index the packets of a master that has no (current) packet index: masters from before indexes, lazily."""
    from videos.models import Video

    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return "deleted"
    if not packet_index.supports(video.file.name):
        return "unsupported"
    current = PacketIndex.objects.filter(video=video).first()
    if current is not None and current.matches(video):
        return "current"
    with local_path(video.file) as master:
        return "built" if index_packets(video, master) else "failed"


def index_packets(video, master: Path) -> bool:
    """Build ``video``'s packet index from a local copy of its master; without one, clips are cut by ffmpeg alone."""
    if not packet_index.supports(video.file.name):
        return False
    try:
        return PacketIndex.build(video, master) is not None
    except (ValueError, OSError, av.error.FFmpegError) as error:
        logger.warning("Packet index of video %s failed: %s", video.pk, error)
        return False


# --- Clip jobs ------------------------------------------------------------------------------------------------------

# How often a running cut writes its progress (and so proves it is alive).
HEARTBEAT_SECONDS = 2.0


@task()
def cut_clip_job(job_id: str) -> str:
    """Cut one clip job's range from its master and publish the clip atomically.

    Only a queued job is claimed (a duplicate enqueue finds it running and
    stops). The clip is written under a temporary name and moved into place,
    then the job turns ready; a job failed meanwhile by the stall sweeper has
    its late clip removed rather than served.
    """
    claimed = DownloadJob.objects.filter(pk=job_id, status=DownloadJob.Status.QUEUED).update(
        status=DownloadJob.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        progress=0,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "not queued"
    job = DownloadJob.objects.select_related("video").get(pk=job_id)
    video = job.video
    if video is None:
        fail_job(job.pk, "video_deleted", "The video was deleted.")
        return "failed"

    from . import clips

    master = {"video__file": video.file.name, "video__sha256": video.sha256}  # the master this cut reads
    suffix = clips.clip_suffix(video.file.name, job.mode, video.all_intra)
    name = f"downloads/clips/{video.pk}/{job.pk}{suffix}"
    reporter = _ProgressReporter(job)
    copy = video.all_intra or job.mode == clips.FAST
    index = None
    try:
        if copy and packet_index.supports(video.file.name):
            index = PacketIndex.for_clips(video)
        with _master_source(video) as source, _work_dir(video.file.storage) as work:
            cut = clips.cut_clip(
                source,
                work / f"{job.pk}{suffix}",
                start=job.start_ms / 1000,
                end=job.end_ms / 1000,
                mode=job.mode,
                all_intra=video.all_intra,
                duration=video.duration,
                progress=reporter,
                index=index,
            )
            name, size = _publish(work / f"{job.pk}{suffix}", video.file.storage, name)
    except media.FfmpegError as error:
        logger.warning("Clip job %s failed: %s", job_id, error)
        fail_job(job.pk, "cut_failed", str(error))
        return "failed"
    except Exception as error:  # storage down, disk full…: the job must end, not stay running
        logger.exception("Clip job %s failed", job_id)
        fail_job(job.pk, "storage_error", str(error))
        return "failed"

    ttl = getattr(settings, "VIDEOS_CLIP_TTL", 24 * 3600)
    still_ours = DownloadJob.objects.filter(
        pk=job.pk, status=DownloadJob.Status.RUNNING, attempts=job.attempts, video__isnull=False, **master
    ).update(
        status=DownloadJob.Status.READY,
        progress=100,
        file=name,
        file_size=size,
        clip_start_ms=round(cut.start * 1000),
        clip_end_ms=round(cut.end * 1000),
        stream_copied=cut.stream_copied,
        finished_at=timezone.now(),
        expires_at=timezone.now() + datetime.timedelta(seconds=ttl),
    )
    if not still_ours:
        # Failed or re-queued while we worked (stall sweep, video deleted): drop the late clip.
        video.file.storage.delete(name)
        our_attempt = job.attempts
        job.refresh_from_db()
        if job.status == DownloadJob.Status.RUNNING and job.video_id is None:
            fail_job(job.pk, "video_deleted", "The video was deleted.")
        elif job.status == DownloadJob.Status.RUNNING and job.attempts == our_attempt:
            # The master was replaced during the cut: the clip is of the old one. Expired, as the replacement
            # expires the old master's clips (`expire_clips_of_old_master`); the member asks again.
            DownloadJob.objects.filter(pk=job.pk, status=DownloadJob.Status.RUNNING).update(
                status=DownloadJob.Status.EXPIRED, file="", finished_at=timezone.now()
            )
        return "superseded"
    job.downloads.update(size=size)
    if copy and index is None and packet_index.supports(video.file.name):
        # A master from before packet indexes, or replaced since: index it for the next clips.
        request_packet_index(video)
    return "ready"


# A master whose index could not be built is tried again after this long, not
# on every clip: on S3 each try reads the whole master.
PACKET_INDEX_RETRY_SECONDS = 6 * 3600


def request_packet_index(video) -> bool:
    """Queue a build of ``video``'s packet index, once per master and period, whatever the number of clips asking."""
    from django.core.cache import cache

    key = f"videos:packet-index-requested:{video.pk}:{video.sha256}"
    if not cache.add(key, True, timeout=PACKET_INDEX_RETRY_SECONDS):
        return False
    build_packet_index.enqueue(video.pk)
    return True


class _ProgressReporter:
    """Writes progress at most every HEARTBEAT_SECONDS: it doubles as the worker's heartbeat."""

    def __init__(self, job):
        self.job = job
        self.last = 0.0

    def __call__(self, percent: float) -> None:
        now = time.monotonic()
        if now - self.last < HEARTBEAT_SECONDS:
            return
        self.last = now
        type(self.job).objects.filter(pk=self.job.pk, status=type(self.job).Status.RUNNING).update(
            progress=min(99.0, max(0.0, percent)), heartbeat_at=timezone.now()
        )


@contextlib.contextmanager
def _master_source(video):
    """What ffmpeg reads: the file in place on disk, or a presigned URL it seeks over with HTTP ranges on S3."""
    from . import s3

    if s3.is_remote(video.file.storage):
        yield s3.presigned_download_url(video.file.name, filename=Path(video.file.name).name, expires_in=6 * 3600)
    else:
        yield Path(video.file.path)


@contextlib.contextmanager
def _work_dir(storage):
    """A scratch folder on the same file system as the clips, so publishing is a rename."""
    from . import s3

    if s3.is_remote(storage):
        with tempfile.TemporaryDirectory(prefix="clip-") as work:
            yield Path(work)
        return
    base = Path(storage.path(WORK_FOLDER))
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="clip-", dir=base) as work:
        yield Path(work)


def _publish(path: Path, storage, name: str) -> tuple[str, int]:
    """Move a finished clip into storage in one step: a rename on disk, a single PUT on S3."""
    size = path.stat().st_size
    try:
        final = Path(storage.path(name))
    except NotImplementedError:
        with path.open("rb") as handle:
            return storage.save(name, File(handle)), size
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, final)
    return name, size


@task()
def expire_downloads() -> dict:
    """The periodic sweep: delete expired clips, recover or fail stalled jobs."""
    return sweep()


# --- Keeping jobs honest ----------------------------------------------------------------------------------------


def recover_if_stalled(job: DownloadJob, *, now=None) -> bool:
    """A running job whose worker went quiet is queued again, or failed after its last attempt.

    Called by the sweep and whenever a client polls the job, so a killed
    worker never leaves a job `running` for ever, even without the sweep.
    """
    now = now or timezone.now()
    stall = datetime.timedelta(seconds=getattr(settings, "VIDEOS_CLIP_STALL_SECONDS", 120))
    if job.status != DownloadJob.Status.RUNNING or (job.heartbeat_at and job.heartbeat_at > now - stall):
        return False
    running = DownloadJob.objects.filter(pk=job.pk, status=DownloadJob.Status.RUNNING, heartbeat_at=job.heartbeat_at)
    if job.attempts < getattr(settings, "VIDEOS_CLIP_MAX_ATTEMPTS", 2):
        if running.update(status=DownloadJob.Status.QUEUED, progress=0):
            job_id = str(job.pk)
            transaction.on_commit(lambda: cut_clip_job.enqueue(job_id))
    else:
        fail_job(
            job.pk,
            "worker_lost",
            "The worker stopped responding.",
            status=DownloadJob.Status.RUNNING,
            heartbeat_at=job.heartbeat_at,
        )
    job.refresh_from_db()
    return True


def sweep(*, now=None) -> dict:
    """Delete expired clips, recover stalled jobs, fail jobs no worker ever took. Returns what it did."""
    now = now or timezone.now()
    done = {"expired": 0, "recovered": 0, "abandoned": 0, "scratch_removed": _remove_stale_scratch(now)}
    for job in DownloadJob.objects.filter(status=DownloadJob.Status.READY, expires_at__lt=now):
        if DownloadJob.objects.filter(pk=job.pk, status=DownloadJob.Status.READY, expires_at__lt=now).update(
            status=DownloadJob.Status.EXPIRED, file=""
        ):
            if job.file:
                job.file.storage.delete(job.file.name)
            done["expired"] += 1
    for job in DownloadJob.objects.filter(status=DownloadJob.Status.RUNNING):
        done["recovered"] += recover_if_stalled(job, now=now)
    never_taken = now - datetime.timedelta(seconds=getattr(settings, "VIDEOS_CLIP_TTL", 86400))
    abandoned = DownloadJob.objects.filter(status=DownloadJob.Status.QUEUED, created_at__lt=never_taken)
    for job in abandoned:
        queued = DownloadJob.Status.QUEUED
        done["abandoned"] += fail_job(job.pk, "not_started", "No worker took the job.", status=queued)
    return done


def _remove_stale_scratch(now) -> int:
    """Scratch folders a killed worker left behind (a finished or failed cut removes its own)."""
    try:
        base = Path(default_storage.path(WORK_FOLDER))
    except NotImplementedError:
        return 0  # on S3 the scratch space is the worker's own temporary directory
    if not base.is_dir():
        return 0
    cutoff = now.timestamp() - getattr(settings, "VIDEOS_CLIP_TTL", 86400)
    stale = [entry for entry in base.iterdir() if entry.stat().st_mtime < cutoff]
    for entry in stale:
        shutil.rmtree(entry, ignore_errors=True)
    return len(stale)


def index_master_packets(sender, video, path: Path, **kwargs) -> None:
    """`videos.signals.master_ready`: index a new master's packets while its local copy is at hand."""
    index_packets(video, path)


def expire_clips_of_old_master(sender, video, **kwargs) -> None:
    """`videos.signals.master_replaced`: clips cut from the old master are expired and their files removed."""
    for job in DownloadJob.objects.filter(video=video, status__in=DownloadJob.ACTIVE):
        expired = DownloadJob.objects.filter(pk=job.pk, status=job.status).update(
            status=DownloadJob.Status.EXPIRED, file=""
        )
        if expired and job.file:
            job.file.storage.delete(job.file.name)
