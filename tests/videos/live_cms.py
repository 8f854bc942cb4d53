"""A real CMS for the uploader's browser tests: gunicorn and a `db_worker` on a copy of the test database.

The processes share a media folder (or a bucket, with `AWS_*` variables) and
the database `live_database` made. What a test needs in that database (the
editors, a published page for the uploaded video, a media account) is made by
running this module in the same environment: `python -m tests.videos.live_cms
editors` or `… publish VIDEO_ID`, which print what they made as JSON; `… videos`
prints the videos the database holds (what front ends could be shown).
"""

import json
import sys

from tests.live_server import BASE_DIR, LiveServer

__all__ = ["BASE_DIR", "EDITORS", "EDITOR_PASSWORD", "MEMBER", "LiveCMS"]

EDITOR_PASSWORD = "correct horse battery staple"
EDITORS = {"en": "editor@example.org", "fr": "redactrice@example.org"}
MEMBER = {"email": "ann@example.org", "password": "Gr8-Broadcast!Day"}


class LiveCMS(LiveServer):
    """The uploader's CMS: the web process and a task worker, with tests/videos/live_settings.py."""

    def __init__(self, database_url, workdir, **environment: str) -> None:
        super().__init__(database_url, workdir, "tests.videos.live_settings", worker=True, **environment)

    def run(self, *arguments: str) -> dict:
        """Run one of this module's commands in the CMS's environment; what it made, as JSON."""
        return self.run_module("tests.videos.live_cms", *arguments)


def make_editors() -> dict:
    """An editor per admin language: Wagtail's Editors group, allowed to add, change and see videos."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from wagtail.users.models import UserProfile

    # The permissions themselves, not Wagtail's Editors group: a committing test before this one may have emptied
    # the group table, which only a data migration fills.
    permissions = Permission.objects.filter(
        content_type__app_label="videos", codename__in=["add_video", "change_video", "view_video"]
    ) | Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    for language, email in EDITORS.items():
        user = get_user_model().objects.create_user(email=email, password=EDITOR_PASSWORD)
        user.user_permissions.add(*permissions)
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
    return {"editors": EDITORS}


def publish(video_id: int) -> dict:
    """A published video page presenting the video, and a media account allowed to download it."""
    from allauth.account.models import EmailAddress
    from wagtail.models import Locale, Page, Site

    from accounts.models import User, current_terms_version
    from home.models import HomePage
    from videos.models import VideoIndexPage, VideoPage

    locale, _created = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = root.add_child(instance=HomePage(title="Media portal", slug=f"portal-{video_id}", locale=locale))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Portal"}
    )
    index = home.add_child(instance=VideoIndexPage(title="Videos", slug="videos"))
    page = index.add_child(instance=VideoPage(title="Summit", slug="summit", video_id=video_id))
    page.save_revision().publish()
    member = User.objects.filter(email=MEMBER["email"]).first()
    if member is None:
        member = User.objects.create_user(email=MEMBER["email"], password=MEMBER["password"], first_name="Ann")
        member.accept_terms(current_terms_version())
        member.save()
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    return {"page": page.pk, "member": MEMBER}


def list_videos() -> dict:
    """Every video record, whatever its state: an upload cancelled in the browser must leave none behind."""
    from videos.models import Video

    return {"videos": list(Video.objects.order_by("pk").values("id", "title", "state"))}


if __name__ == "__main__":
    import django

    django.setup()
    command, *arguments = sys.argv[1:]
    commands = {"editors": make_editors, "publish": lambda video: publish(int(video)), "videos": list_videos}
    print(json.dumps(commands[command](*arguments)))
