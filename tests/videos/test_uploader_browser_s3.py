"""The admin's uploader in a real Chromium on a bucket: the parts go from the browser straight to a real S3 server
(moto in server mode on loopback) through the CMS's multipart endpoints, across dropped connections and a closed
tab, and the video becomes `ready`; paused and resumed from the Dashboard; cancelled there, which aborts the
multipart upload on the bucket and removes the video it had begun. The CMS (gunicorn and db_worker,
tests/videos/live_cms.py) stores its videos in that bucket; the browser reaches the bucket across origins, so the
bucket has CORS rules, as a real one must.
"""

import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest

from tests.videos import s3
from tests.videos import test_uploader_browser as ui
from tests.videos.live_cms import LiveCMS

moto_server = s3.moto_server
browser, monkeypatch_module = ui.browser, ui.monkeypatch_module
pytestmark = ui.pytestmark
PART = 5 * 1024 * 1024  # S3's smallest part but the last, the uploader's on a bucket


@pytest.fixture(scope="module")
def bucket(moto_server):
    name = f"uploads-{uuid.uuid4().hex}"
    s3.s3_client(moto_server).create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module")
def cms_on_s3(live_database, tmp_path_factory, moto_server, bucket):
    cms = LiveCMS(
        live_database["url"],
        tmp_path_factory.mktemp("cms-s3"),
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=moto_server,
        AWS_S3_REGION_NAME=s3.REGION,
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_ACCESS_KEY_ID=s3.ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=s3.SECRET_KEY,
        VIDEOS_UPLOAD_CHUNK_SIZE=str(PART),
    )
    cms.run("editors")
    cms.start()
    # The browser PUTs the parts from the admin's origin and reads each part's ETag for the completion.
    s3.s3_client(moto_server).put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": [cms.url],
                    "AllowedMethods": ["PUT"],
                    "AllowedHeaders": ["*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )
    yield cms
    cms.stop()


def part_numbers(requests_seen):
    return [int(parse_qs(urlparse(request.url).query)["partNumber"][0]) for request in requests_seen]


def test_an_editor_uploads_a_master_to_the_bucket_across_dropped_parts_and_a_closed_tab(
    cms_on_s3, moto_server, bucket, tmp_path_factory, browser
):
    master = ui.padded_master(tmp_path_factory, "summit.mp4", 3 * PART + 1234)
    page = ui.open_uploader(ui.log_in(browser, cms_on_s3), cms_on_s3, upload_bytes_per_second=4 * 1024 * 1024)
    assert page.locator(".uppy-Dashboard").count() == 1
    # The first part goes through; every attempt at the second then drops, as on a failing connection.
    puts = ui.drop_connection(page, f"{moto_server}/**", "PUT", after=1, times=1000)
    page.set_input_files(".uppy-Dashboard-input >> nth=0", str(master))
    page.click(".uppy-StatusBar-actionBtn--upload")
    deadline = 60_000
    while len(puts) < 3 and deadline > 0:  # the first part, then the second tried again after failing
        page.wait_for_timeout(250)
        deadline -= 250
    assert part_numbers(puts)[:3] == [1, 2, 2], part_numbers(puts)
    ui.screenshot(page, "s3-interrupted")
    context = page.context
    page.close()  # the editor gives up and closes the tab

    page = ui.open_uploader(context.new_page(), cms_on_s3, upload_bytes_per_second=None)
    puts, lists = [], []
    page.on("request", lambda request: request.method == "PUT" and moto_server in request.url and puts.append(request))
    page.on(
        "request",
        lambda r: r.method == "GET" and re.search(r"/uploads/videos/s3/[0-9a-f-]{36}$", r.url) and lists.append(r),
    )
    ui.screenshot(page, "s3-reopened")
    # GoldenRetriever kept the queue: the file is there without its bytes, which the editor picks again.
    page.click(".uppy-Dashboard-Item-reSelect")  # opens the Dashboard's panel for adding files
    page.set_input_files(".uppy-Dashboard-input >> nth=0", str(master))
    action = page.locator(".uppy-StatusBar-actionBtn--upload, .uppy-StatusBar-actionBtn--retry").first
    action.click()
    page.wait_for_selector(".uppy-StatusBar.is-complete", timeout=120_000)
    # It asked the CMS which parts the bucket holds and sent only the others.
    assert lists and part_numbers(puts) == [2, 3, 4], part_numbers(puts)
    item = page.wait_for_selector("#video-uploader-results li[data-state]", timeout=30_000)
    video_id = int(item.get_attribute("data-video"))
    page.wait_for_selector(f"#video-uploader-results li[data-video='{video_id}'][data-state=ready]", timeout=180_000)
    ui.screenshot(page, "s3-done")
    ui.assert_listed_ready(page, cms_on_s3, video_id)
    client = s3.s3_client(moto_server)
    keys = [item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"]]
    masters = [key for key in keys if key.endswith("summit.mp4")]
    assert len(masters) == 1, keys
    assert client.get_object(Bucket=bucket, Key=masters[0])["Body"].read() == master.read_bytes()
    assert not client.list_multipart_uploads(Bucket=bucket).get("Uploads")


def s3_keys(client, bucket):
    return [entry["Key"] for entry in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def start_upload_to_the_bucket(page, moto_server, master):
    """Add `master`, start it; returns the PUTs of parts to the bucket begun and finished so far, as they come."""
    puts = ui.requests_to(page, "request", "PUT", moto_server)
    finished = ui.requests_to(page, "requestfinished", "PUT", moto_server)
    page.set_input_files(".uppy-Dashboard-input >> nth=0", str(master))
    page.click(".uppy-StatusBar-actionBtn--upload")
    ui.wait_until(page, lambda: len(finished) >= 1, "the first part in the bucket")
    return puts, finished


def test_an_editor_pauses_and_resumes_an_upload_to_the_bucket(
    cms_on_s3, moto_server, bucket, tmp_path_factory, browser
):
    master = ui.padded_master(tmp_path_factory, "recess.mp4", 3 * PART + 4321)
    page = ui.open_uploader(ui.log_in(browser, cms_on_s3), cms_on_s3, upload_bytes_per_second=2 * 1024 * 1024)
    lists = ui.requests_to(page, "request", "GET", "/uploads/videos/s3/")
    puts, _finished = start_upload_to_the_bucket(page, moto_server, master)
    page.click(".uppy-StatusBar [data-cy=togglePauseResume]")  # the status bar's pause button, for every file
    page.wait_for_selector(".uppy-StatusBar-statusPrimary:has-text('Paused')")
    page.wait_for_selector("button.uppy-Dashboard-Item-progressIndicator[title='Resume upload']")
    ui.screenshot(page, "s3-paused")
    held = ui.dashboard_progress(page)["recess.mp4"]
    assert 0 < held < 100, held
    sent, listed = len(puts), len(lists)
    page.wait_for_timeout(3000)
    assert len(puts) == sent, "a part was sent while paused"
    page.click(".uppy-StatusBar [data-cy=togglePauseResume]")
    page.wait_for_selector(".uppy-StatusBar.is-complete", timeout=120_000)
    numbers = part_numbers(puts)
    # On resuming it asked the CMS which parts the bucket holds, and did not send the first one again.
    resumed = [r.url for r in lists[listed:] if re.search(r"/uploads/videos/s3/[0-9a-f-]{36}$", r.url)]
    assert resumed and numbers.count(1) == 1 and set(numbers) == {1, 2, 3, 4} and len(numbers) > sent, numbers
    item = page.wait_for_selector("#video-uploader-results li[data-state]", timeout=30_000)
    video_id = int(item.get_attribute("data-video"))
    page.wait_for_selector(f"#video-uploader-results li[data-video='{video_id}'][data-state=ready]", timeout=180_000)
    ui.assert_listed_ready(page, cms_on_s3, video_id)
    client = s3.s3_client(moto_server)
    keys = [entry["Key"] for entry in client.list_objects_v2(Bucket=bucket)["Contents"]]
    keys = [key for key in keys if key.endswith("/recess.mp4")]  # the master (its proxy and poster have their names)
    assert len(keys) == 1 and client.get_object(Bucket=bucket, Key=keys[0])["Body"].read() == master.read_bytes()


def test_cancelling_an_upload_in_the_dashboard_aborts_it_on_the_bucket(
    cms_on_s3, moto_server, bucket, tmp_path_factory, browser
):
    client = s3.s3_client(moto_server)
    before = {entry["UploadId"] for entry in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])}
    master = ui.padded_master(tmp_path_factory, "withdrawn.mp4", 3 * PART + 99)
    page = ui.open_uploader(ui.log_in(browser, cms_on_s3), cms_on_s3, upload_bytes_per_second=1024 * 1024)
    start_upload_to_the_bucket(page, moto_server, master)
    uploads = [u for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) if "withdrawn" in u["Key"]]
    assert len(uploads) == 1, uploads
    ui.screenshot(page, "s3-before-cancel")
    page.click(".uppy-StatusBar [data-cy=cancel]")  # while the second part is on its way
    page.wait_for_selector(".uppy-Dashboard-Item", state="detached")

    def aborted():
        return not any("withdrawn" in u["Key"] for u in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []))

    ui.wait_until(page, aborted, "the multipart upload aborted on the bucket", timeout_ms=30_000)
    after = {entry["UploadId"] for entry in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])}
    assert after == before, (before, after)
    assert not [key for key in s3_keys(client, bucket) if "withdrawn" in key]
    # The Video record made when the upload began is gone: nothing a front end (or the admin) could list.
    videos = cms_on_s3.run("videos")["videos"]
    assert not [video for video in videos if video["title"] == "withdrawn.mp4"], videos


def test_cancelling_before_the_cms_answered_still_aborts_the_upload(
    cms_on_s3, moto_server, bucket, tmp_path_factory, browser
):
    client = s3.s3_client(moto_server)
    before = {entry["UploadId"] for entry in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])}
    master = ui.padded_master(tmp_path_factory, "hasty.mp4", PART + 77)
    page = ui.open_uploader(ui.log_in(browser, cms_on_s3), cms_on_s3)
    creations = ui.requests_to(page, "request", "POST", "/uploads/videos/s3/")
    deletions = ui.requests_to(page, "requestfinished", "DELETE", "/uploads/videos/s3/")
    page.set_input_files(".uppy-Dashboard-input >> nth=0", str(master))
    page.click(".uppy-StatusBar-actionBtn--upload")
    ui.wait_until(page, lambda: creations, "the upload's creation asked of the CMS")
    page.click(".uppy-StatusBar [data-cy=cancel]")  # before the CMS answered (it made a video and a multipart upload)
    page.wait_for_selector(".uppy-Dashboard-Item", state="detached")
    ui.wait_until(page, lambda: deletions, "the new upload aborted", timeout_ms=60_000)
    after = {entry["UploadId"] for entry in client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])}
    assert after == before, (before, after)
    assert not [key for key in s3_keys(client, bucket) if "hasty" in key]
    videos = cms_on_s3.run("videos")["videos"]
    assert not [video for video in videos if video["title"] == "hasty.mp4"], videos
