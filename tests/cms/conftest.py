"""Fixtures of the API tests."""

from types import SimpleNamespace

import pytest
from django.db import transaction
from wagtail.models import Locale

from tests.conftest import video_factory

from .content import build_portal


@pytest.fixture(scope="module")
def shared_portal(django_db_setup, django_db_blocker, tmp_path_factory):
    """The portal built once for a module of read-only tests, inside a transaction rolled back at the end.

    Each test still runs in its own savepoint (pytest-django), so a test that
    writes by accident cannot leak into the next one.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        locales = SimpleNamespace(en=Locale.objects.get(language_code="en"), fr=Locale.objects.get(language_code="fr"))
        yield build_portal(locales, video_factory(tmp_path_factory))
        transaction.set_rollback(True)
