"""Fixtures of the download tests: a published video with a shot list, a member, a front end asking."""

import datetime
import json

import pytest
from django.test import Client

from videos.models import VideoPage, VideoShot


@pytest.fixture
def published_video(site_tree, make_video):
    """A published 12-second long-GOP video (a keyframe every second) with a three-shot list."""
    page = VideoPage(title="Summit press conference", slug="press-conference", video=make_video(duration=12.0, gop=25))
    page.recorded_on = datetime.date(2025, 6, 2)
    for in_point, out_point, description in [(0, 3000, "Arrivals"), (3000, 6500, "Statement"), (6500, 10000, "Q&A")]:
        page.shots.add(VideoShot(in_point=in_point, out_point=out_point, description=description))
    site_tree.videos.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def member(media_account):
    """A verified media account with the current terms accepted, logged in through the browser session."""
    client = Client()
    client.user = media_account()
    client.force_login(client.user)
    return client


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """POST a download request the way a front end does, running what is queued on commit (the clip task)."""

    def post(client, video_id, body, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/api/v1/videos/{video_id}/downloads",
                data=json.dumps(body) if not isinstance(body, str) else body,
                content_type="application/json",
                headers={"User-Agent": "NewsroomBot/2.1", **headers},
            )

    return post


@pytest.fixture
def ask_without_worker(django_capture_on_commit_callbacks):
    """POST a download request whose clip task never runs: as if no worker were up, or it died."""

    def post(client, video_id, body):
        with django_capture_on_commit_callbacks(execute=False):
            return client.post(f"/api/v1/videos/{video_id}/downloads", data=body, content_type="application/json")

    return post
