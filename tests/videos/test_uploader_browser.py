"""The admin's uploader in a real Chromium (Debian's): an editor uploads a generated master, the connection drops
mid-upload, Uppy resumes, and the video becomes `ready` and downloadable, on the file system (tus); an editor
pauses and resumes with the Dashboard's own button; several files added at once each show their own progress
and become ready. On a bucket: test_uploader_browser_s3.py.

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


def log_in(browser, cms, language="en"):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    # CI runs these beside ffmpeg-heavy tests on 2 cores: a cold admin page (its scripts and styles through
    # whitenoise) once took longer than Playwright's 30 s default to fire `load`.
    context.set_default_navigation_timeout(90_000)
    page = context.new_page()
    page.goto(f"{cms.url}/admin/login/")
    page.fill("input[name=username]", EDITORS[language])
    page.fill("input[name=password]", EDITOR_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{cms.url}/admin/")
    return page


def throttle_uplink(page, upload_bytes_per_second):
    """A slower uplink than loopback's, as an editor's is: the upload lasts long enough to be seen and interrupted.

    Only once the uploader's page is loaded: under load in CI, Chromium's emulated network has left a whole
    admin page's scripts pending past the 90 s timeout, when the CMS served them at once to another client.
    """
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 5, "downloadThroughput": -1, "uploadThroughput": upload_bytes_per_second},
    )


def open_uploader(page, cms, upload_bytes_per_second=1024 * 1024):
    page.goto(f"{cms.url}/admin/snippets/videos/video/")
    page.click("a.w-header-button[href$='/upload/']")
    page.wait_for_selector(".uppy-Dashboard-inner")
    if upload_bytes_per_second:
        throttle_uplink(page, upload_bytes_per_second)
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


# Each file's progress as the Dashboard draws it (its circle's arc, or its tick when complete), in percent by name.
DASHBOARD_PROGRESS = """() => Object.fromEntries([...document.querySelectorAll('.uppy-Dashboard-Item')].map((item) => {
  const name = item.querySelector('.uppy-Dashboard-Item-name').title;
  const arc = item.querySelector('.uppy-Dashboard-Item-progressIcon--progress');
  if (item.classList.contains('is-complete')) return [name, 100];
  if (!arc) return [name, 0];
  const length = Number(arc.getAttribute('stroke-dasharray'));
  return [name, Math.round(100 * (1 - Number(arc.getAttribute('stroke-dashoffset')) / length))];
}))"""


def dashboard_progress(page) -> dict[str, int]:
    return page.evaluate(DASHBOARD_PROGRESS)


def wait_until(page, condition, what, timeout_ms=90_000):
    """Poll `condition` in the page's own time (Playwright's events keep coming meanwhile) until it holds."""
    for _attempt in range(timeout_ms // 200):
        if condition():
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"still waiting for {what} after {timeout_ms / 1000:.0f} s")


def requests_to(page, event, method, fragment):
    """The requests with `method` to URLs containing `fragment`, as `event` ("request", "requestfinished") sees them."""
    seen = []
    page.on(event, lambda request: request.method == method and fragment in request.url and seen.append(request))
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


def test_an_editor_pauses_and_resumes_an_upload_with_the_dashboards_button(cms_on_disk, tmp_path_factory, browser):
    master = padded_master(tmp_path_factory, "interlude.mp4", 16 * TUS_CHUNK)
    page = open_uploader(log_in(browser, cms_on_disk), cms_on_disk, upload_bytes_per_second=512 * 1024)
    patches = requests_to(page, "request", "PATCH", "/uploads/videos/tus/")
    done = requests_to(page, "requestfinished", "PATCH", "/uploads/videos/tus/")
    page.set_input_files(".uppy-Dashboard-input >> nth=0", str(master))
    page.click(".uppy-StatusBar-actionBtn--upload")
    wait_until(page, lambda: len(done) >= 2, "two chunks sent")
    toggle = page.locator("button.uppy-Dashboard-Item-progressIndicator")
    assert toggle.get_attribute("title") == "Pause upload"
    toggle.click()
    page.wait_for_selector("button.uppy-Dashboard-Item-progressIndicator[title='Resume upload']")
    page.wait_for_selector(".uppy-StatusBar-statusPrimary:has-text('Paused')")
    screenshot(page, "en-tus-paused")
    held = dashboard_progress(page)["interlude.mp4"]
    assert 0 < held < 100, held  # the editor sees how far it got
    sent = len(patches)
    page.wait_for_timeout(3000)
    assert len(patches) == sent, "a chunk was sent while paused"
    assert dashboard_progress(page)["interlude.mp4"] == held
    toggle.click()
    page.wait_for_selector(".uppy-StatusBar.is-complete", timeout=120_000)
    # It went on from where the server stood: no chunk from the start again, and the rest was sent after resuming.
    offsets = [int(request.headers["upload-offset"]) for request in patches]
    assert offsets == sorted(offsets) and offsets.count(0) == 1 and len(patches) > sent, offsets
    item = page.wait_for_selector("#video-uploader-results li[data-state]", timeout=30_000)
    video_id = int(item.get_attribute("data-video"))
    page.wait_for_selector(f"#video-uploader-results li[data-video='{video_id}'][data-state=ready]", timeout=180_000)
    assert_listed_ready(page, cms_on_disk, video_id)
    assert_downloadable(cms_on_disk, video_id, master)


def two_masters(tmp_path_factory, size):
    """Two different generated videos (their own pictures and lengths), each padded to `size` bytes."""
    masters = []
    for name, options in (("north.mp4", {"duration": 4.0}), ("south.mp4", {"duration": 5.0, "width": 480})):
        data = generated_video_path(tmp_path_factory, **options).read_bytes()
        path = tmp_path_factory.mktemp("uploader") / name
        path.write_bytes(data + b"\0" * max(0, size - len(data)))
        masters.append(path)
    return masters


def test_several_masters_added_at_once_each_show_their_progress_and_become_ready(
    cms_on_disk, tmp_path_factory, browser
):
    masters = two_masters(tmp_path_factory, 8 * TUS_CHUNK)
    page = open_uploader(log_in(browser, cms_on_disk), cms_on_disk, upload_bytes_per_second=768 * 1024)
    page.set_input_files(".uppy-Dashboard-input >> nth=0", [str(master) for master in masters])
    page.wait_for_selector(".uppy-StatusBar-actionBtn--upload")
    assert page.locator(".uppy-Dashboard-Item").count() == 2
    page.click(".uppy-StatusBar-actionBtn--upload")
    seen, pictured = {master.name: [] for master in masters}, False
    for _attempt in range(600):
        progress = dashboard_progress(page)
        for name, percent in progress.items():
            seen[name].append(percent)
        if not pictured and sum(0 < percent < 100 for percent in progress.values()) == 2:
            screenshot(page, "en-tus-several-uploading")  # both on their way
            pictured = True
        if len(progress) == 2 and all(percent == 100 for percent in progress.values()):
            break
        page.wait_for_timeout(200)
    page.wait_for_selector(".uppy-StatusBar.is-complete", timeout=120_000)
    for name, series in seen.items():
        # Each file's own circle went up step by step to its end, not all at once at the end.
        assert series == sorted(series) and series[-1] == 100 and any(0 < p < 100 for p in series), (name, series)
    page.wait_for_selector("#video-uploader-results li[data-state=ready] >> nth=1", timeout=180_000)
    screenshot(page, "en-tus-several-done")
    rows = page.locator("#video-uploader-results li")
    assert rows.count() == 2
    videos = {rows.nth(n).locator(".video-uploader-title").inner_text(): rows.nth(n) for n in range(2)}
    assert sorted(videos) == ["north.mp4", "south.mp4"]
    ids = {name: int(row.get_attribute("data-video")) for name, row in videos.items()}
    assert len(set(ids.values())) == 2 and all(row.get_attribute("data-state") == "ready" for row in videos.values())
    for master in masters:
        assert_listed_ready(page, cms_on_disk, ids[master.name])
        assert_downloadable(cms_on_disk, ids[master.name], master)


def test_the_uploader_speaks_the_editors_language(cms_on_disk, browser):
    page = open_uploader(log_in(browser, cms_on_disk, "fr"), cms_on_disk, upload_bytes_per_second=None)
    screenshot(page, "fr-empty")
    text = page.inner_text("#main")
    assert "Envoyer des fichiers maîtres" in text  # our title, through gettext
    assert "Déposer les fichiers ici" in page.inner_text(".uppy-Dashboard")  # Uppy's own words, from @uppy/locales
    assert "pick the same file again" not in text
