"""What both demo loaders (the demo site in `builder`, the benchmark trees in `generator`) share.

The demo's two locales, blocks and rich text in their stored form,
publishing, the files a load writes (deleted by hand if it fails: the
database rolls back, storage does not), and Wagtail's logs kept quiet.
"""

import contextlib
import html
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from wagtail.models import Locale

from videos import media
from videos.files import sha256_of
from videos.models import Video
from videos.tasks import make_video_derivatives


class StoredFiles:
    """Files written to storage during a load: the database rolls back, these must be deleted by hand."""

    def __init__(self):
        self._files = []

    def add(self, field_file) -> None:
        self._files.append((field_file.storage, field_file.name))

    def delete_all(self) -> None:
        for storage, name in reversed(self._files):
            # Best effort: the error that made the load fail is the one to report.
            with contextlib.suppress(OSError):
                storage.delete(name)
        self._files.clear()


def paragraph_html(*paragraphs: str) -> str:
    # quote=False: apostrophes and « » are text, and must stay as they are in the seed.
    return "".join(f"<p>{html.escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)


def block(block_type: str, value, block_id: str | None = None) -> dict:
    """A StreamField block in its stored form, with the stable id wagtail-localize keys segments on."""
    return {"type": block_type, "value": value, "id": block_id or str(uuid.uuid4())}


def pairs_to_texts(*pairs: tuple[str, str]) -> dict[str, str]:
    """{source: translation} from (source, translation) pairs."""
    return dict(pairs)


def demo_locales() -> tuple[Locale, Locale]:
    """(English, French): the demo is written for these two languages."""
    locales = {locale.language_code: locale for locale in Locale.objects.filter(language_code__in=["en", "fr"])}
    missing = {"en", "fr"} - set(locales)
    if missing:
        raise ImproperlyConfigured(
            f"The demo content needs the locale(s) {', '.join(sorted(missing))}: add them to CONTENT_LANGUAGES "
            f"(now {', '.join(code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES)}) and run migrate."
        )
    return locales["en"], locales["fr"]


def publish(page):
    page.save_revision().publish()
    return page


def store_video(title: str, path: Path, files: StoredFiles) -> Video:
    """A Video from a master on disk, probed as an upload is."""
    video = Video(title=title)
    video.apply_probe(media.probe(path), size=path.stat().st_size, sha256=sha256_of(path))
    with path.open("rb") as handle:
        video.file.save(path.name, File(handle), save=False)
    files.add(video.file)
    video.save()
    # Made now rather than by the worker: the demo publishes its video pages at once, and a page is published
    # only with a ready video (`VideoPage.clean`).
    make_video_derivatives.call(video.pk)
    video.refresh_from_db()
    for field_file in (video.poster.file if video.poster else None, video.proxy):
        if field_file:
            files.add(field_file)
    return video


@contextlib.contextmanager
def quiet_wagtail_logs(verbosity: int):
    """Wagtail logs every page created, edited and published at INFO: thousands of lines in a load."""
    logger = logging.getLogger("wagtail")
    previous = logger.level
    if verbosity < 2:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(previous)
