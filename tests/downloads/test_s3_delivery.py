"""Delivering masters from S3: presigned links fetched for real from a local S3 server, sizes, outages, refusals."""

import base64
import contextlib
import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from storages.backends.s3 import S3Storage

from downloads.checks import refuse_unsigned_download_links
from downloads.s3 import StorageUnavailable, attachment_disposition, is_remote, presigned_download_url, stored_size
from tests.conftest import video_factory
from tests.videos import s3
from tests.videos.s3 import ACCESS_KEY, REGION, s3_client, use_s3_default_storage
from videos.models import Video

moto_server, s3_bucket, s3_default_storage = s3.moto_server, s3.s3_bucket, s3.s3_default_storage  # fixtures

BASE_DIR = Path(__file__).resolve().parents[2]
CONTENT = bytes(range(256)) * 40  # 10 240 bytes


def fetch(url, headers=None):
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:  # noqa: S310
        return response.status, response.headers, response.read()


def query(url) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


@functools.cache
def cloudfront_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def cloudfront_pem() -> str:
    return (
        cloudfront_key()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


@pytest.fixture
def master(s3_default_storage):
    return s3_default_storage.save("videos/masters/2025/01/press-conference.mp4", ContentFile(CONTENT))


# --- Presigned links, fetched ------------------------------------------------


def test_a_presigned_link_downloads_the_object_as_a_named_attachment(master):
    url = presigned_download_url(
        master, filename="Press conference 2025-01-02.mp4", expires_in=600, content_type="application/octet-stream"
    )

    status, headers, body = fetch(url)

    assert status == 200
    assert body == CONTENT
    assert headers["Content-Disposition"] == 'attachment; filename="Press conference 2025-01-02.mp4"'
    assert headers["Content-Type"] == "application/octet-stream"


def test_a_non_ascii_file_name_comes_in_utf_8_with_an_ascii_fallback(master):
    url = presigned_download_url(master, filename="Conférence de presse à Genève.mp4", expires_in=600)

    _, headers, _ = fetch(url)

    disposition = headers["Content-Disposition"]
    assert disposition == (
        'attachment; filename="Conference de presse a Geneve.mp4"; '
        "filename*=utf-8''Conf%C3%A9rence%20de%20presse%20%C3%A0%20Gen%C3%A8ve.mp4"
    )
    assert unquote(disposition.partition("filename*=utf-8''")[2]) == "Conférence de presse à Genève.mp4"


@pytest.mark.parametrize(
    ("filename", "fallback"),
    [("記者会見.mp4", "download.mp4"), ("記者会見", "download"), ("Zürich 記者会見 2025.mxf", "Zurich 2025.mxf")],
)
def test_a_file_name_with_nothing_in_ascii_falls_back_to_download(filename, fallback):
    assert attachment_disposition(filename).startswith(f"attachment; filename=\"{fallback}\"; filename*=utf-8''")


def test_without_a_content_type_the_stored_one_is_served(master):
    _, headers, _ = fetch(presigned_download_url(master, filename="clip.mp4", expires_in=60))

    assert headers["Content-Type"] == "video/mp4"  # guessed from the name when it was stored


def test_a_range_request_through_the_link_gets_the_part(master):
    url = presigned_download_url(master, filename="clip.mp4", expires_in=600)

    status, headers, body = fetch(url, {"Range": "bytes=1000-1999"})

    assert status == 206
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(CONTENT)}"
    assert body == CONTENT[1000:2000]


# --- Presigned links, read (moto checks neither signature nor expiry) ---------


def test_the_link_is_signed_with_sigv4_for_the_requested_time(master):
    params = query(presigned_download_url(master, filename="clip.mp4", expires_in=600))

    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == "600"
    key_id, date, region, service, terminator = params["X-Amz-Credential"].split("/")
    assert (key_id, region, service, terminator) == (ACCESS_KEY, REGION, "s3", "aws4_request")
    assert params["X-Amz-Date"].startswith(date)
    assert params["X-Amz-SignedHeaders"] == "host"
    assert len(params["X-Amz-Signature"]) == 64
    assert params["response-content-disposition"] == 'attachment; filename="clip.mp4"'


def test_the_signature_covers_the_file_name_and_the_lifetime(master):
    signature = query(presigned_download_url(master, filename="clip.mp4", expires_in=600))["X-Amz-Signature"]
    renamed = query(presigned_download_url(master, filename="other.mp4", expires_in=600))["X-Amz-Signature"]
    longer = query(presigned_download_url(master, filename="clip.mp4", expires_in=601))["X-Amz-Signature"]

    assert len({signature, renamed, longer}) == 3


@pytest.mark.parametrize("expires_in", [0, -1, 7 * 24 * 3600 + 1])
def test_a_lifetime_sigv4_cannot_sign_is_refused(master, expires_in):
    with pytest.raises(ValueError, match="expires_in must be between 1 and 604800 seconds"):
        presigned_download_url(master, filename="clip.mp4", expires_in=expires_in)


def test_on_a_cloudfront_domain_the_link_is_signed_with_the_cloudfront_key(moto_server, s3_bucket):
    cloudfront = {
        "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
        "AWS_CLOUDFRONT_KEY_ID": "K2JCJMDEHXQW5F",
        "AWS_CLOUDFRONT_KEY": cloudfront_pem(),
    }
    with use_s3_default_storage(moto_server, s3_bucket, **cloudfront):
        before = int(time.time())
        url = presigned_download_url("videos/masters/a b.mp4", filename="Genève.mp4", expires_in=600)

    params = query(url)
    assert url.startswith("https://media.example.org/videos/masters/a%20b.mp4?response-content-disposition=")
    assert params["response-content-disposition"] == (
        "attachment; filename=\"Geneve.mp4\"; filename*=utf-8''Gen%C3%A8ve.mp4"
    )
    assert params["Key-Pair-Id"] == "K2JCJMDEHXQW5F"
    expires = int(params["Expires"])
    assert before + 600 <= expires <= int(time.time()) + 600
    # CloudFront's canned policy over the URL without its signature, signed with
    # RSA-SHA1 and written in CloudFront's URL-safe base64.
    resource = url.partition("&Expires=")[0]
    policy = {"Statement": [{"Resource": resource, "Condition": {"DateLessThan": {"AWS:EpochTime": expires}}}]}
    signature = base64.b64decode(params["Signature"].translate(str.maketrans("-_~", "+=/")))
    signed = json.dumps(policy, separators=(",", ":")).encode()
    cloudfront_key().public_key().verify(signature, signed, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303


# --- The object's size, and S3 out of reach --------------------------------------


def test_stored_size_asks_s3_for_the_size(master):
    assert stored_size(master) == len(CONTENT)


def test_stored_size_of_a_missing_object_is_file_not_found(s3_default_storage):
    with pytest.raises(FileNotFoundError, match=r"videos/masters/gone\.mp4"):
        stored_size("videos/masters/gone.mp4")


@pytest.fixture
def refused_port():
    """A loopback port bound but not listening: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_unreachable_s3_is_storage_unavailable_at_once(refused_port):
    with use_s3_default_storage(f"http://127.0.0.1:{refused_port}", "media"):
        started = time.monotonic()
        with pytest.raises(StorageUnavailable, match="Could not connect"):
            stored_size("videos/masters/a.mp4")

    assert time.monotonic() - started < 5


@contextlib.contextmanager
def http_server(handler_class):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class SlowDown(http.server.BaseHTTPRequestHandler):
    requests = 0

    def do_HEAD(self):
        SlowDown.requests += 1
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_server_error_from_s3_is_storage_unavailable_after_one_retry():
    SlowDown.requests = 0
    with (
        http_server(SlowDown) as endpoint,
        use_s3_default_storage(endpoint, "media"),
        pytest.raises(StorageUnavailable, match="503"),
    ):
        stored_size("videos/masters/a.mp4")

    assert SlowDown.requests == 2


def test_an_s3_that_never_answers_times_out_in_seconds():
    # Listening without ever accepting: connections succeed, answers never come.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with use_s3_default_storage(endpoint, "media"):
            started = time.monotonic()
            with pytest.raises(StorageUnavailable, match="Read timeout"):
                stored_size("videos/masters/a.mp4")

    # Two attempts of 2 s and at most 1 s of back-off (with room for a busy machine),
    # where botocore's defaults would wait for minutes.
    assert time.monotonic() - started < 8


# --- Which storage ------------------------------------------------------------------


def test_s3_is_remote_and_the_file_system_is_not(s3_default_storage, tmp_path):
    assert is_remote(s3_default_storage)
    assert not is_remote(FileSystemStorage(location=tmp_path))


def test_links_are_only_presigned_on_s3():
    assert not is_remote(default_storage)
    with pytest.raises(TypeError, match="The default storage is FileSystemStorage, not S3"):
        presigned_download_url("videos/masters/a.mp4", filename="a.mp4", expires_in=60)


def test_a_video_master_is_stored_in_the_bucket(db, tmp_path_factory, s3_default_storage, moto_server, s3_bucket):
    video = video_factory(tmp_path_factory)(title="Press conference", duration=2.0)

    assert isinstance(Video._meta.get_field("file").storage._wrapped, S3Storage)
    objects = s3_client(moto_server).list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [(entry["Key"], entry["Size"]) for entry in objects] == [(video.file.name, video.file_size)]
    assert video.file.name.startswith("videos/masters/")
    assert stored_size(video.file.name) == video.file_size


# --- Start-up refusals -------------------------------------------------------------------


def test_presigned_s3_links_and_the_file_system_start(moto_server, s3_bucket):
    refuse_unsigned_download_links()  # file system
    with use_s3_default_storage(moto_server, s3_bucket):
        refuse_unsigned_download_links()


def test_a_custom_domain_without_cloudfront_keys_is_refused(moto_server, s3_bucket):
    with (
        use_s3_default_storage(moto_server, s3_bucket, AWS_S3_CUSTOM_DOMAIN="media.example.org"),
        pytest.raises(ImproperlyConfigured, match=r"AWS_S3_CUSTOM_DOMAIN='media\.example\.org' is set without"),
    ):
        refuse_unsigned_download_links()


def test_a_custom_domain_with_half_a_cloudfront_key_is_refused(moto_server, s3_bucket):
    half = {"AWS_S3_CUSTOM_DOMAIN": "media.example.org", "AWS_CLOUDFRONT_KEY_ID": "K2JCJMDEHXQW5F"}
    with (
        use_s3_default_storage(moto_server, s3_bucket, **half),
        pytest.raises(ImproperlyConfigured, match="must be provided together"),
    ):
        refuse_unsigned_download_links()


def test_unsigned_s3_urls_are_refused(moto_server, s3_bucket):
    with (
        use_s3_default_storage(moto_server, s3_bucket, AWS_QUERYSTRING_AUTH=False),
        pytest.raises(ImproperlyConfigured, match="AWS_QUERYSTRING_AUTH is False"),
    ):
        refuse_unsigned_download_links()


def manage_py_check(env_overrides):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "AWS_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "cms.settings.dev", "AWS_STORAGE_BUCKET_NAME": "media", **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_manage_py_refuses_to_start_on_a_custom_domain_without_cloudfront_keys():
    result = manage_py_check({"AWS_S3_CUSTOM_DOMAIN": "media.example.org"})

    assert result.returncode != 0
    assert "ImproperlyConfigured: AWS_S3_CUSTOM_DOMAIN='media.example.org' is set without" in result.stderr


def test_manage_py_starts_on_a_custom_domain_with_a_cloudfront_key_from_the_environment():
    result = manage_py_check(
        {
            "AWS_S3_CUSTOM_DOMAIN": "media.example.org",
            "AWS_CLOUDFRONT_KEY_ID": "K2JCJMDEHXQW5F",
            # On one line, as environment files hold it.
            "AWS_CLOUDFRONT_KEY": cloudfront_pem().replace("\n", "\\n"),
        }
    )

    assert result.returncode == 0, result.stderr
