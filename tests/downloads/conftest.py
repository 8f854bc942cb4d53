"""Fixtures of the download tests: a published video with shots, a member, a front end asking, masters over HTTP."""

import datetime
import http.server
import json
import re
import threading
from pathlib import Path

import pytest
from django.test import Client

from videos import media
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


# --- generated masters ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_gop(tmp_path_factory):
    """Open GOPs: B-frames after a keyframe in decode order that show before it."""
    master = tmp_path_factory.mktemp("open-gop") / "open.mp4"
    media.run_ffmpeg(
        [
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "200",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-g", "24", "-x264-params", "open-gop=1:bframes=3:b-adapt=0", master,
        ],
        timeout=60,
    )  # fmt: skip
    return master


# --- masters over HTTP ---------------------------------------------------------------------


class RangeServer(http.server.ThreadingHTTPServer):
    """Serves files of one folder with single byte ranges, as S3 does, and records the ranges asked for."""

    daemon_threads = True

    def __init__(self, folder: Path):
        self.folder = folder
        self.ranges: list[tuple[str, int]] = []
        super().__init__(("127.0.0.1", 0), RangeHandler)


class RangeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):
        self.respond(body=False)

    def do_GET(self):
        self.respond(body=True)

    def respond(self, body: bool):
        path = self.server.folder / self.path.split("?", 1)[0].lstrip("/")
        if not path.is_file():
            self.send_error(404)
            return
        size = path.stat().st_size
        first, last = 0, size - 1
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if match:
            first = int(match[1])
            last = min(int(match[2]) if match[2] else size - 1, size - 1)
            if first >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.server.ranges.append((path.name, first))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        if not body:
            return
        with path.open("rb") as handle:
            handle.seek(first)
            remaining = last - first + 1
            try:
                while remaining > 0:
                    chunk = handle.read(min(65536, remaining))
                    self.wfile.write(chunk)
                    remaining -= len(chunk)
            except (BrokenPipeError, ConnectionResetError):  # the reader had what it needed
                pass

    def log_message(self, *args):
        pass


@pytest.fixture
def http_master(long_gop):
    """The test module's `long_gop` master served over HTTP with byte ranges, as from a presigned S3 URL."""
    server = RangeServer(long_gop.parent)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/{long_gop.name}?X-Amz-Signature=abc"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
