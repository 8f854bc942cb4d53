"""Fixtures of the API tests."""

from types import SimpleNamespace

import pytest
from django.core.files import File
from django.db import transaction
from wagtail.models import Locale

from .content import build_portal


def _video_factory(tmp_path_factory):
    from tests.conftest import generated_video_path
    from videos import media
    from videos.files import sha256_of
    from videos.models import Video

    def make(title="Press conference", **options):
        path = generated_video_path(tmp_path_factory, **options)
        video = Video(title=title)
        video.apply_probe(media.probe(path), size=path.stat().st_size, sha256=sha256_of(path))
        with path.open("rb") as handle:
            video.file.save(path.name, File(handle), save=False)
        video.save()
        return video

    return make


@pytest.fixture(scope="module")
def shared_portal(django_db_setup, django_db_blocker, tmp_path_factory):
    """The portal built once for a module of read-only tests, inside a transaction rolled back at the end.

    Each test still runs in its own savepoint (pytest-django), so a test that
    writes by accident cannot leak into the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        locales = SimpleNamespace(en=Locale.objects.get(language_code="en"), fr=Locale.objects.get(language_code="fr"))
        yield build_portal(locales, _video_factory(tmp_path_factory))
        transaction.set_rollback(True)
