"""Fixtures shared by every app's tests: a bilingual site tree and real video masters."""

import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files import File
from django.utils import translation
from wagtail.models import Collection, Locale, Page, Site

from accounts.models import User, current_terms_version
from home.models import HomePage
from interviews.models import InterviewIndexPage
from news.models import NewsIndexPage
from videos import media
from videos.files import sha256_of
from videos.models import Video, VideoIndexPage

from .helpers import MEMBER_PASSWORD
from .live_database import live_database  # noqa: F401  (a fixture for the tests that start processes)

# Generated masters are cached per test session: ffmpeg runs once per kind.
_VIDEO_CACHE: dict[tuple, Path] = {}


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language.

    Django keeps the active language per thread and nothing resets it after a
    request: a French request (LocaleMiddleware activates French) or a French
    e-mail in an earlier test left later tests of the same process reading
    French messages, depending on the order xdist gave them.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def own_cache(settings):
    """This test's cache entries, tag versions and rate-limit counters in a namespace of its own.

    Rather than `cache.clear()`: nothing an earlier test cached is seen, and
    nothing is thrown away that a module-scoped fixture (the shared portal)
    put there for the tests after this one.
    """
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _own_item_cache(settings, request):
    """Each test its own rendered page items (cms/item_cache.py), as a running site has one database.

    The cache outlives a test's database, which is rolled back: the next test
    may make a page with the same id, revision and path, so without this it
    could be shown the item an earlier test rendered.
    """
    settings.CMS_API_ITEM_CACHE_VERSION = request.node.nodeid


@pytest.fixture
def migrated_rows(transactional_db):
    """For tests that commit: the rows of the migrations they build on (locales, the root page and collection).

    Each committing test empties the database when it ends; the locales come back through post_migrate, the
    trees do not. Not `serialized_rollback`: it loads the migrations' rows whatever the database holds, and
    collides with the locales post_migrate has just made again (a duplicate `wagtailcore_locale`, depending
    on which tests ran before on the same worker).
    """
    for code in ("en", "fr"):
        Locale.objects.get_or_create(language_code=code)
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=Locale.objects.get(language_code="en")))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")


@pytest.fixture
def locales(db):
    return SimpleNamespace(en=Locale.objects.get(language_code="en"), fr=Locale.objects.get(language_code="fr"))


@pytest.fixture
def site_tree(locales):
    """An English home with its three sections, published, as the default site; and its French copy."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Media portal", slug="portal", locale=locales.en))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Portal"}
    )
    news = home.add_child(instance=NewsIndexPage(title="News", slug="news"))
    interviews = home.add_child(instance=InterviewIndexPage(title="Interviews", slug="interviews"))
    videos = home.add_child(instance=VideoIndexPage(title="Videos", slug="videos"))
    for page in (home, news, interviews, videos):
        page.save_revision().publish()
    home_fr = home.copy_for_translation(locales.fr)
    home_fr.save_revision().publish()
    return SimpleNamespace(root=root, home=home, home_fr=home_fr, news=news, interviews=interviews, videos=videos)


def generated_video_path(tmp_path_factory, **options) -> Path:
    key = tuple(sorted(options.items()))
    if key not in _VIDEO_CACHE:
        suffix = ".mov" if options.get("codec") in ("prores", "dnxhd") else ".mp4"
        folder = tmp_path_factory.mktemp("masters")
        _VIDEO_CACHE[key] = media.generate_test_video(folder / f"master{suffix}", **options)
    return _VIDEO_CACHE[key]


def video_factory(tmp_path_factory):
    """A function creating a `Video` from a real generated master, probed as the ingest does.

    The video is `ready` (as after its ingest) unless `state` says otherwise; its poster and proxy are not made.
    """

    def make(title="Press conference", state=Video.State.READY, **options) -> Video:
        options.setdefault("duration", 4.0)
        path = generated_video_path(tmp_path_factory, **options)
        video = Video(title=title)
        video.apply_probe(media.probe(path), size=path.stat().st_size, sha256=sha256_of(path))
        video.state = state
        with path.open("rb") as handle:
            video.file.save(path.name, File(handle), save=False)
        video.save()
        return video

    return make


@pytest.fixture
def make_video(db, tmp_path_factory):
    return video_factory(tmp_path_factory)


@pytest.fixture
def media_account(db):
    """A verified media account that accepted the current terms, made directly (not through sign-up)."""

    def make(email="ann@example.org", password=MEMBER_PASSWORD, **fields):
        fields.setdefault("first_name", "Ann")
        fields.setdefault("organisation", "Radio Nord")
        user = User.objects.create_user(email=email, password=password, **fields)
        user.accept_terms(current_terms_version())
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    return make
