"""S3 multipart uploads of masters against a real S3 server (moto in server mode): the parts go over HTTP to it."""

import hashlib
import json
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth.models import Permission
from django.test import Client

from tests.conftest import generated_video_path
from tests.videos import s3
from videos.models import Video
from videos.uploads import MasterUpload

moto_server, s3_bucket, s3_default_storage = s3.moto_server, s3.s3_bucket, s3.s3_default_storage
BASE = "/uploads/videos/s3/"
PART = 5 * 1024 * 1024  # S3's smallest part but the last


def make_editor(django_user_model, email):
    user = django_user_model.objects.create_user(email=email, password="x")
    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_video", "change_video"]))
    return user


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(make_editor(django_user_model, "editor@example.org"))
    return client


@pytest.fixture
def master(tmp_path_factory):
    """A master over one part: the generated video, padded at the end (MP4 readers ignore what follows)."""
    data = generated_video_path(tmp_path_factory, duration=4.0).read_bytes()
    return data + b"\0" * (PART + 1000 - len(data)) if len(data) < PART + 1000 else data


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def start(client, master, **extra):
    response = post_json(client, BASE, {"filename": "summit.mp4", "size": len(master), **extra})
    assert response.status_code == 201, response.content
    return response.json()


def put_part(client, upload, number, data):
    """What the browser does: ask for the part's signed URL, then PUT the bytes straight to the bucket."""
    signed = client.get(f"{BASE}{upload['id']}/parts/{number}")
    assert signed.status_code == 200
    response = requests.put(signed.json()["url"], data=data, timeout=30)
    assert response.status_code == 200, response.text
    return {"PartNumber": number, "ETag": response.headers["ETag"]}


@pytest.mark.django_db
def test_a_master_sent_in_parts_to_the_bucket_is_completed_and_ingested(
    editor, master, s3_default_storage, s3_bucket, moto_server, django_capture_on_commit_callbacks
):
    upload = start(editor, master, title="Summit")
    assert Video.objects.get().state == Video.State.UPLOADING
    parts = [put_part(editor, upload, 1, master[:PART]), put_part(editor, upload, 2, master[PART:])]
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": parts})
    assert response.status_code == 200, response.content
    video = Video.objects.get()
    assert video.state == Video.State.READY, video.failure_detail
    assert video.file.name == upload["key"] and video.sha256 == hashlib.sha256(master).hexdigest()
    body = s3.s3_client(moto_server).get_object(Bucket=s3_bucket, Key=upload["key"])["Body"].read()
    assert body == master and not MasterUpload.objects.exists()


@pytest.mark.django_db
def test_an_interrupted_upload_resumes_from_the_parts_the_bucket_lists(
    editor, master, s3_default_storage, django_capture_on_commit_callbacks
):
    upload = start(editor, master)
    first = put_part(editor, upload, 1, master[:PART])
    # The tab was closed; the uploader comes back and asks what the bucket already holds.
    listed = editor.get(f"{BASE}{upload['id']}").json()["parts"]
    assert listed == [{"PartNumber": 1, "Size": PART, "ETag": first["ETag"]}]
    second = put_part(editor, upload, 2, master[PART:])
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": [first, second]}).status_code == 200
    assert Video.objects.get().state == Video.State.READY


@pytest.mark.django_db
def test_a_completion_with_missing_or_forged_parts_is_refused(editor, master, s3_default_storage):
    upload = start(editor, master)
    first = put_part(editor, upload, 1, master[:PART])
    missing = post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": [first]})
    assert missing.status_code == 409 and missing.json()["code"] == "size_mismatch"
    gap = post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": [first, {"PartNumber": 3, "ETag": '"x"'}]})
    assert gap.status_code == 409 and gap.json()["code"] == "missing_parts"
    forged = {"PartNumber": 2, "ETag": '"' + "0" * 32 + '"'}  # a part the bucket never received
    response = post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": [first, forged]})
    assert response.status_code == 409 and response.json()["code"] == "missing_parts"
    assert Video.objects.get().state == Video.State.UPLOADING


@pytest.mark.django_db
def test_a_part_url_is_signed_for_one_part_of_one_upload_and_expires(editor, master, s3_default_storage):
    # moto checks no signatures: the URL's signed parameters are checked here.
    upload = start(editor, master)
    url = urlparse(editor.get(f"{BASE}{upload['id']}/parts/7").json()["url"])
    query = parse_qs(url.query)
    assert url.path.endswith(upload["key"])
    assert query["partNumber"] == ["7"] and query["uploadId"] == [upload["uploadId"]]
    assert query["X-Amz-Expires"] == ["3600"] and query["X-Amz-Signature"][0]
    assert editor.get(f"{BASE}{upload['id']}/parts/0").status_code == 400
    assert editor.get(f"{BASE}{upload['id']}/parts/10001").status_code == 400


@pytest.mark.django_db
def test_an_aborted_upload_leaves_nothing_in_the_bucket(editor, master, s3_default_storage, s3_bucket, moto_server):
    upload = start(editor, master)
    put_part(editor, upload, 1, master[:PART])
    assert editor.delete(f"{BASE}{upload['id']}").status_code == 200
    client = s3.s3_client(moto_server)
    assert client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []
    assert not Video.objects.exists() and editor.get(f"{BASE}{upload['id']}").status_code == 404


@pytest.mark.django_db
def test_other_editors_and_readers_are_refused(editor, master, s3_default_storage, client, django_user_model):
    upload = start(editor, master)
    client.force_login(make_editor(django_user_model, "other@example.org"))
    assert client.get(f"{BASE}{upload['id']}/parts/1").status_code == 403
    assert client.delete(f"{BASE}{upload['id']}").status_code == 403
    client.force_login(django_user_model.objects.create_user(email="reader@example.org", password="x"))
    assert post_json(client, BASE, {"filename": "a.mp4", "size": 10}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"filename": "a.mp4"}, 400),
        ({"filename": "a.pdf", "size": 10}, 415),
        ({"filename": "a.mp4", "size": 10**15}, 413),
    ],
)
def test_bad_creations_are_refused_before_the_bucket_is_touched(editor, s3_default_storage, body, status):
    response = post_json(editor, BASE, body)
    assert response.status_code == status and response["Content-Type"] == "application/problem+json"
    assert not Video.objects.exists()


@pytest.mark.django_db
def test_the_storage_unavailable_during_completion_is_a_503_and_the_upload_can_be_completed_later(
    editor, master, s3_default_storage, s3_bucket, django_capture_on_commit_callbacks
):
    upload = start(editor, master)
    parts = [put_part(editor, upload, 1, master[:PART]), put_part(editor, upload, 2, master[PART:])]
    with s3.use_s3_default_storage("http://127.0.0.1:9", s3_bucket):  # nothing listens there
        down = post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": parts})
    assert down.status_code == 503 and down.json()["code"] == "storage_unavailable"
    assert Video.objects.get().state == Video.State.UPLOADING
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": parts}).status_code == 200
    assert Video.objects.get().state == Video.State.READY


# moto (server mode) verifies no request signature: a forged or tampered part URL would be accepted by it, so what is
# tested here is what the CMS controls, who gets a URL signed for which part of which upload, and what it completes.
@pytest.mark.django_db
def test_parts_are_signed_only_for_the_editors_own_open_upload(
    editor, master, s3_default_storage, django_user_model, django_capture_on_commit_callbacks
):
    upload = start(editor, master)
    other = Client()  # not `client`: the `editor` fixture may be logged in through it
    other.force_login(make_editor(django_user_model, "other@example.org"))
    for response in (
        other.get(f"{BASE}{upload['id']}/parts/1"),
        other.get(f"{BASE}{upload['id']}"),
        post_json(other, f"{BASE}{upload['id']}/complete", {"parts": [{"PartNumber": 1, "ETag": '"x"'}]}),
    ):
        assert response.status_code == 403 and response.json()["code"] == "not_your_upload"
        assert response["Content-Type"] == "application/problem+json"

    unknown = editor.get(f"{BASE}00000000-0000-4000-8000-000000000000/parts/1")
    assert unknown.status_code == 404 and unknown.json()["code"] == "no_such_upload"

    aborted = start(editor, master)
    assert editor.delete(f"{BASE}{aborted['id']}").status_code == 200
    assert editor.get(f"{BASE}{aborted['id']}/parts/1").json()["code"] == "no_such_upload"

    parts = [put_part(editor, upload, 1, master[:PART]), put_part(editor, upload, 2, master[PART:])]
    with django_capture_on_commit_callbacks(execute=True):
        assert post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": parts}).status_code == 200
    for response in (
        editor.get(f"{BASE}{upload['id']}/parts/3"),
        post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": parts}),
    ):
        assert response.status_code == 404 and response.json()["code"] == "no_such_upload"

    still_open = start(editor, master)
    for number in (0, 10_001):
        out_of_range = editor.get(f"{BASE}{still_open['id']}/parts/{number}")
        assert out_of_range.status_code == 400 and out_of_range.json()["code"] == "bad_part_number"


@pytest.mark.django_db
def test_a_completion_whose_etags_do_not_match_the_parts_held_is_refused(editor, master, s3_default_storage):
    upload = start(editor, master)
    first, second = put_part(editor, upload, 1, master[:PART]), put_part(editor, upload, 2, master[PART:])
    swapped = [{"PartNumber": 1, "ETag": second["ETag"]}, {"PartNumber": 2, "ETag": first["ETag"]}]
    response = post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": swapped})
    assert response.status_code == 409 and response.json()["code"] == "missing_parts"
    twice = post_json(editor, f"{BASE}{upload['id']}/complete", {"parts": [first, first]})
    assert twice.status_code == 409
    assert Video.objects.get().state == Video.State.UPLOADING and MasterUpload.objects.exists()


@pytest.mark.django_db
def test_tus_on_a_bucket_is_refused_with_a_problem_naming_the_s3_endpoints(editor, s3_default_storage):
    # Before, tus went on and wrote beside the masters through default_storage.path(), which S3Storage has not: a 500.
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": "1000", "Upload-Metadata": "filename c3VtbWl0Lm1wNA=="}
    response = editor.post("/uploads/videos/tus/", headers=headers)
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "storage_is_s3" and not MasterUpload.objects.exists()


@pytest.mark.django_db
def test_the_s3_endpoints_on_the_file_system_are_refused_with_a_problem(editor, master):
    response = post_json(editor, BASE, {"filename": "summit.mp4", "size": len(master)})
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "storage_is_files" and not Video.objects.exists()
