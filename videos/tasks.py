"""Background work on video masters: poster frames and preview proxies."""

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
from .files import local_path
from .signals import master_ready

logger = logging.getLogger(__name__)


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
        with local_path(video.file) as master, tempfile.TemporaryDirectory() as workdir:
            # First: what other apps make from the master (the downloads' packet index)
            # takes seconds where the proxy takes minutes.
            master_ready.send(sender=Video, video=video, path=master)
            poster_path = Path(workdir) / f"{Path(video.file.name).stem}-poster.jpg"
            media.extract_poster(master, poster_path)
            proxy_path = Path(workdir) / f"{Path(video.file.name).stem}-proxy.mp4"
            media.make_proxy(master, proxy_path)
            _attach_derivatives(video, poster_path, proxy_path)
    except (media.FfmpegError, OSError) as error:
        logger.warning("Derivatives of video %s failed: %s", video_id, error)
        video.fail(_("The poster or the preview could not be made from this video."), str(error))
        video.save(update_fields=["state", "failure_reason_source", "failure_detail"])
        return "failed"
    return "ready"


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
