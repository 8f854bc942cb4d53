"""Background work on video masters: the ingest of an uploaded master, its poster frame and preview proxy."""

import contextlib
import datetime
import hashlib
import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from wagtail.images import get_image_model

from cms.caching import ANY_CHANGE, bump

from . import media
from .files import CHUNK_SIZE, local_path
from .signals import master_ready

logger = logging.getLogger(__name__)

# Share of the progress bar each step of the ingest takes: reading (and hashing) the master is most of it.
HASHED, PROBED, INDEXED, POSTER = 40, 50, 60, 70
_DERIVATIVES_FAILED = _("The poster or the preview could not be made from this video.")
_INGEST_FAILED = _("This video could not be processed. Upload it again, or ask an administrator.")
_INGEST_INTERRUPTED = _("The processing of this video was interrupted several times; upload the master again.")


@task()
def ingest_master(video_id: int) -> str:
    """Ingest a master that a resumable upload has put in place: hash, probe, then its derivatives.

    The master is read once, in one streaming pass that hashes it (and, on S3,
    copies it to a local temporary file: the packet index and the proxy read
    every byte of it anyway, so fetching ranges for the probe first would only
    add traffic). A file that is not a video is deleted from the storage and
    the record says why.
    """
    from .models import Video

    # Claimed by one run only: the sweep clears the heartbeat of an ingest whose worker died before queuing it again.
    claimed = Video.objects.filter(pk=video_id, state=Video.State.PROCESSING, ingest_heartbeat_at__isnull=True).update(
        ingest_heartbeat_at=timezone.now(), ingest_attempts=F("ingest_attempts") + 1
    )
    video = Video.objects.filter(pk=video_id, state=Video.State.PROCESSING).first() if claimed else None
    if video is None or not video.file:
        return "gone"  # deleted, taken by another run, or replaced again and taken by a newer run
    try:
        return _ingest(video)
    except Exception as error:  # a bug, or a part down: the editor is told why; the video never stays processing
        logger.exception("Ingest of video %s failed", video.pk)
        video.fail(_INGEST_FAILED, f"{type(error).__name__}: {error}")
        same = Video.objects.filter(pk=video.pk, state=Video.State.PROCESSING, file=video.file.name)
        if same.update(state=video.state, **_reason(video)):
            _announce(video)
        return "failed"


def _ingest(video) -> str:
    from .models import Video

    with _hashed_local_copy(video) as (master, size, sha256):
        try:
            probe = media.probe(master)
        except media.NotAVideo as error:
            video.file.storage.delete(video.file.name)
            video.file = ""
            video.fail(error.message, error.code)
            video.save(update_fields=["file", "state", "failure_reason_source", "failure_detail"])
            return "not a video"
        video.apply_probe(probe, size=size, sha256=sha256)
        video.progress = PROBED
        # A plain update: the post_save handler would queue the derivatives, made here from this copy.
        Video.objects.filter(pk=video.pk).update(
            ingest_heartbeat_at=timezone.now(), **{field: getattr(video, field) for field in _probe_columns()}
        )
        _shown_changed(video.pk)
        return _make_derivatives(video, master)


def _reason(video) -> dict:
    return {"failure_reason_source": video.failure_reason_source, "failure_detail": video.failure_detail}


def _announce(video) -> None:
    """Tell the listeners of Video saves (cached API answers: videos/apps.py) that its state changed.

    The failures above are a guarded UPDATE (only if no other run changed the
    video meanwhile), which sends no signal; this sends the one a save would.
    """
    post_save.send(sender=type(video), instance=video, created=False, update_fields={"state", *_reason(video)})


def _report(video, percent: int) -> None:
    """The ingest's progress, which is also its heartbeat (a video's own saves do not touch it)."""
    type(video).objects.filter(pk=video.pk).update(progress=percent, ingest_heartbeat_at=timezone.now())
    _shown_changed(video.pk)


def _shown_changed(video_id: int) -> None:
    """Cached API answers showing the video go stale after an UPDATE of what they show (the progress, probed facts).

    An UPDATE sends no signal, so no content change. Bumping the video's tag
    is not enough: while the epoch (`ANY_CHANGE`) stays put, a cached entry
    is served without its tags being compared (cms/caching.py). Not a content
    change either: front ends get no webhook nor CDN purge for each step of
    the progress, only when the video's save makes it ready or failed.
    """
    bump(f"video:{video_id}", ANY_CHANGE)


def _probe_columns() -> list[str]:
    """The columns `Video.apply_probe` fills, written in one UPDATE once the ingest has read the master."""
    from .models import PROBED_FIELDS  # the models import this module's tasks

    audio_and_counts = ["audio_channels", "audio_sample_rate", "bit_rate", "frame_count"]
    return ["file_size", "sha256", *PROBED_FIELDS, *audio_and_counts, "progress"]


@contextlib.contextmanager
def _hashed_local_copy(video):
    """(path, size, SHA-256) of the master, read in one pass; a temporary copy when the storage has no paths."""
    total = max(video.file.size, 1)
    digest, done, reported = hashlib.sha256(), 0, 0

    def read_all(source, sink=None):
        nonlocal done, reported
        while chunk := source.read(CHUNK_SIZE):
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
            done += len(chunk)
            percent = done * HASHED // total
            if percent >= reported + 5:
                reported = percent
                _report(video, percent)

    try:
        path = Path(video.file.path)
    except NotImplementedError:
        with tempfile.NamedTemporaryFile(suffix=Path(video.file.name).suffix) as copy:
            with video.file.open("rb") as source:
                read_all(source, copy)
            copy.flush()
            yield Path(copy.name), done, digest.hexdigest()
        return
    with path.open("rb") as source:
        read_all(source)
    yield path, done, digest.hexdigest()


@task()
def make_video_derivatives(video_id: int) -> str:
    """Index the master's packets, take a poster frame and encode a low-resolution H.264 proxy for in-browser preview.

    Safe to run twice: the newest run wins and the files it replaces are removed.
    """
    from .models import Video

    video = Video.objects.filter(pk=video_id).first()
    if video is None:
        return "deleted"  # the video went away before the worker reached it
    if video.is_ready and video.proxy and video.poster_id:
        return "ready"  # made already (the demo loader makes them at once); a new master makes the video processing
    try:
        with local_path(video.file) as master:
            return _make_derivatives(video, master)
    except OSError as error:
        return _derivatives_failed(video, error)


def _make_derivatives(video, master: Path) -> str:
    from .models import Video

    try:
        with tempfile.TemporaryDirectory() as workdir:
            # First: what other apps make from the master (the downloads' packet index)
            # takes seconds where the proxy takes minutes.
            master_ready.send(sender=Video, video=video, path=master)
            _report(video, INDEXED)
            poster_path = Path(workdir) / f"{Path(video.file.name).stem}-poster.jpg"
            media.extract_poster(master, poster_path)
            _report(video, POSTER)
            proxy_path = Path(workdir) / f"{Path(video.file.name).stem}-proxy.mp4"
            media.make_proxy(master, proxy_path)
            _attach_derivatives(video, poster_path, proxy_path)
    except (media.FfmpegError, OSError) as error:
        return _derivatives_failed(video, error)
    except Exception as error:  # not ffmpeg's fault (a bug, the database): the video must not stay processing
        logger.exception("Derivatives of video %s failed", video.pk)
        return _derivatives_failed(video, error)
    return "ready"


def _derivatives_failed(video, error) -> str:
    logger.warning("Derivatives of video %s failed: %s", video.pk, error)
    video.fail(_DERIVATIVES_FAILED, str(error))
    video.save(update_fields=["state", "failure_reason_source", "failure_detail"])
    return "failed"


def _attach_derivatives(video, poster_path: Path, proxy_path: Path) -> None:
    Image = get_image_model()
    old_poster, old_proxy = video.poster, video.proxy.name
    with poster_path.open("rb") as poster_file:
        poster = Image(title=f"{video.title} (poster)")
        poster.file = ImageFile(poster_file, name=poster_path.name)
        poster.save()
    with proxy_path.open("rb") as proxy_file:
        video.proxy.save(proxy_path.name, File(proxy_file), save=False)
    video.poster = poster
    video.state = video.State.READY
    video.progress = 100
    video.failure_reason_source = video.failure_detail = ""
    with transaction.atomic():
        video.save(update_fields=["poster", "proxy", "state", "progress", "failure_reason_source", "failure_detail"])
    if old_proxy and old_proxy != video.proxy.name:
        video.proxy.storage.delete(old_proxy)
    if old_poster is not None and old_poster.pk != poster.pk and old_poster.title.endswith("(poster)"):
        old_poster.delete()


def recover_stalled_ingests(*, now=None) -> tuple[int, int]:
    """Ingests whose worker died (no heartbeat for too long): queued again, or failed after too many runs.

    A heartbeat is written with every step of the progress; the proxy of a
    long master is one ffmpeg run without one, so an ingest counts as stalled
    only once that run would have timed out too. Returns (queued, failed).
    """
    from .models import Video

    now = now or timezone.now()
    stall = settings.VIDEOS_INGEST_STALL_SECONDS
    max_attempts = settings.VIDEOS_INGEST_MAX_ATTEMPTS
    queued = failed = 0
    candidates = Video.objects.filter(
        state=Video.State.PROCESSING, ingest_heartbeat_at__lt=now - datetime.timedelta(seconds=stall)
    )
    for video in candidates:
        proxy_timeout = media.default_timeout(video.duration or None, per_second=2.0, minimum=120.0)
        if video.ingest_heartbeat_at > now - datetime.timedelta(seconds=stall + proxy_timeout):
            continue
        # Only if no run wrote a heartbeat meanwhile: a live ingest is never taken from its worker.
        same = Video.objects.filter(
            pk=video.pk, state=Video.State.PROCESSING, ingest_heartbeat_at=video.ingest_heartbeat_at
        )
        if video.ingest_attempts >= max_attempts:
            video.fail(_INGEST_INTERRUPTED, f"no sign of life since {video.ingest_heartbeat_at.isoformat()}")
            if same.update(state=video.state, **_reason(video)):
                _announce(video)
                failed += 1
        elif same.update(ingest_heartbeat_at=None, progress=0):
            _shown_changed(video.pk)
            logger.warning("Ingest of video %s stalled (worker gone?): queued again", video.pk)
            ingest_master.enqueue(video.pk)
            queued += 1
    return queued, failed
