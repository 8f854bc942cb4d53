"""Background work on video masters: the ingest of an uploaded master, its poster frame and preview proxy."""

import contextlib
import hashlib
import logging
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from wagtail.images import get_image_model

from . import media
from .files import CHUNK_SIZE, local_path
from .signals import master_ready

logger = logging.getLogger(__name__)

# Share of the progress bar each step of the ingest takes: reading (and hashing) the master is most of it.
HASHED, PROBED, INDEXED, POSTER = 40, 50, 60, 70
_DERIVATIVES_FAILED = _("The poster or the preview could not be made from this video.")


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

    video = Video.objects.filter(pk=video_id, state=Video.State.PROCESSING).first()
    if video is None or not video.file:
        return "gone"  # deleted, or replaced again and taken by a newer run
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
        Video.objects.filter(pk=video.pk).update(**{field: getattr(video, field) for field in _probe_columns()})
        return _make_derivatives(video, master)


def _probe_columns() -> list[str]:
    """The columns `Video.apply_probe` fills, written in one UPDATE once the ingest has read the master."""
    from .models import PROBED_FIELDS  # the models import this module's tasks

    audio_and_counts = ["audio_channels", "audio_sample_rate", "bit_rate", "frame_count"]
    return ["file_size", "sha256", *PROBED_FIELDS, *audio_and_counts, "progress"]


@contextlib.contextmanager
def _hashed_local_copy(video):
    """(path, size, SHA-256) of the master, read in one pass; a temporary copy when the storage has no paths."""
    from .models import Video

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
                Video.objects.filter(pk=video.pk).update(progress=percent)

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
            Video.objects.filter(pk=video.pk).update(progress=INDEXED)
            poster_path = Path(workdir) / f"{Path(video.file.name).stem}-poster.jpg"
            media.extract_poster(master, poster_path)
            Video.objects.filter(pk=video.pk).update(progress=POSTER)
            proxy_path = Path(workdir) / f"{Path(video.file.name).stem}-proxy.mp4"
            media.make_proxy(master, proxy_path)
            _attach_derivatives(video, poster_path, proxy_path)
    except (media.FfmpegError, OSError) as error:
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
