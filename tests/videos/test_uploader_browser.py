"""The admin's uploader in a real Chromium (Debian's): an editor uploads a generated master, the connection drops
mid-upload, Uppy resumes, and the video becomes `ready` and downloadable, on the file system (tus). On a bucket:
test_uploader_browser_s3.py.

Playwright for Python rather than the portal's Node suite (frontend/e2e/): these tests need only the CMS, and
the suite's own fixtures (the live database copy, the generated masters), so they run in `make test` on
SQLite and on PostgreSQL without building the portal. Screenshots land in var/screenshots/uploader/ (not
committed).
"""

import os
import re
from pathlib import Path

import pytest
import requests

from tests.conftest import generated_video_path
from tests.videos.live_cms import BASE_DIR, EDITOR_PASSWORD, EDITORS, LiveCMS

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
    pytest.mark.django_db,
]

SCREENSHOTS = BASE_DIR / "var" / "screenshots" / "uploader"
TUS_CHUNK = 256 * 1024


def padded_master(tmp_path_factory, name, size) -> Path:
    """A generated video, padded at the end to `size` bytes (MP4 readers ignore what follows the movie)."""
    data = generated_video_path(tmp_path_factory, duration=6.0, width=640, height=360).read_bytes()
    path = tmp_path_factory.mktemp("uploader") / name
    path.write_bytes(data + b"\0" * max(0, size - len(data)))
    return path


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def browser(monkeypatch_module):
    # Playwright's sync API runs an event loop in this thread; Django's database calls of the fixtures around
    # the tests (none reaches the live CMS's database) would otherwise be refused as if they were async code.
    monkeypatch_module.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def cms_on_disk(live_database, tmp_path_factory):
    cms = LiveCMS(live_database["url"], tmp_path_factory.mktemp("cms-disk"), VIDEOS_UPLOAD_CHUNK_SIZE=str(TUS_CHUNK))
    cms.run("editors")
    yield cms.start()
    cms.stop()


def log_in(browser, cms, language="en", upload_bytes_per_second=1024 * 1024):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    # CI runs these beside ffmpeg-heavy tests on 2 cores: a cold admin page (its scripts and styles through
    # whitenoise) once took longer than Playwright's 30 s default to fire `load`.
    context.set_default_navigation_timeout(90_000)
    page = context.new_page()
    # A slower uplink than loopback's, as an editor's is: the upload lasts long enough to be seen and interrupted.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 5, "downloadThroughput": -1, "uploadThroughput": upload_bytes_per_second},
    )
    page.goto(f"{cms.url}/admin/login/")
    page.fill("input[name=username]", EDITORS[language])
    page.fill("input[name=password]", EDITOR_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{cms.url}/admin/")
    return page


def open_uploader(page, cms):
    page.goto(f"{cms.url}/admin/snippets/videos/video/")
    page.click("a.w-header-button[href$='/upload/']")
    page.wait_for_selector(".uppy-Dashboard-inner")
    return page


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def drop_connection(page, pattern, method, *, after, times):
    """Let `after` requests through, then make the next `times` ones fail as a dropped connection would."""
    seen = []

    def handle(route, request):
        if request.method != method:
            return route.continue_()
        seen.append(request)
        if after < len(seen) <= after + times:
            return route.abort("connectionreset")
        return route.continue_()

    page.route(pattern, handle)
    return seen


def upload_and_wait(page, master, name):
    page.set_input_files(".uppy-Dashboard-input >> nth=0", str(master))
    page.wait_for_selector(".uppy-StatusBar-actionBtn--upload")
    screenshot(page, f"{name}-added")
    page.click(".uppy-StatusBar-actionBtn--upload")
    page.wait_for_selector(".uppy-StatusBar.is-uploading")
    screenshot(page, f"{name}-uploading")
    page.wait_for_selector(".uppy-StatusBar.is-complete", timeout=120_000)
    item = page.wait_for_selector("#video-uploader-results li[data-state]", timeout=30_000)
    video_id = int(item.get_attribute("data-video"))
    page.wait_for_selector(f"#video-uploader-results li[data-video='{video_id}'][data-state=ready]", timeout=180_000)
    screenshot(page, f"{name}-done")
    return video_id


def assert_listed_ready(page, cms, video_id):
    page.goto(f"{cms.url}/admin/snippets/videos/video/")
    row = page.locator("tr", has=page.locator(f"a[href$='/edit/{video_id}/']"))
    assert re.search(r"\bReady\b", row.inner_text()), row.inner_text()


def assert_downloadable(cms, video_id, master):
    """A media account asks the public API for the full master, as a front end does, and gets the same bytes."""
    member = cms.run("publish", str(video_id))["member"]
    session = requests.Session()
    login = session.post(f"{cms.url}/_allauth/app/v1/auth/login", json=member, timeout=30)
    assert login.status_code == 200, login.text
    token = login.json()["meta"]["session_token"]
    granted = session.post(
        f"{cms.url}/api/v1/videos/{video_id}/downloads",
        json={"kind": "full"},
        headers={"X-Session-Token": token},
        timeout=30,
    )
    assert granted.status_code == 200, granted.text
    body = requests.get(granted.json()["url"], timeout=60)
    assert body.status_code == 200 and body.content == master.read_bytes()


def test_an_editor_uploads_a_master_through_tus_across_a_dropped_connection(cms_on_disk, tmp_path_factory, browser):
    master = padded_master(tmp_path_factory, "summit.mp4", 3 * 1024 * 1024)
    page = open_uploader(log_in(browser, cms_on_disk), cms_on_disk)
    screenshot(page, "en-empty")
    patches = drop_connection(page, "**/uploads/videos/tus/**", "PATCH", after=3, times=2)
    heads = []
    page.on("request", lambda request: request.method == "HEAD" and heads.append(request))
    video_id = upload_and_wait(page, master, "en-tus")
    offsets = [int(request.headers["upload-offset"]) for request in patches]
    # Three chunks went through, two attempts at the fourth failed; Uppy asked the server where it stood and
    # sent the fourth chunk again from there, not from the start.
    chunks = [n * TUS_CHUNK for n in range(-(-master.stat().st_size // TUS_CHUNK))]
    assert offsets == chunks[:4] + [chunks[3]] * 2 + chunks[4:] and heads, offsets
    assert_listed_ready(page, cms_on_disk, video_id)
    assert_downloadable(cms_on_disk, video_id, master)


def test_the_uploader_speaks_the_editors_language(cms_on_disk, browser):
    page = open_uploader(log_in(browser, cms_on_disk, "fr"), cms_on_disk)
    screenshot(page, "fr-empty")
    text = page.inner_text("#main")
    assert "Envoyer des fichiers maîtres" in text  # our title, through gettext
    assert "Déposer les fichiers ici" in page.inner_text(".uppy-Dashboard")  # Uppy's own words, from @uppy/locales
    assert "pick the same file again" not in text
