"""A real S3 server on loopback for storage tests: moto in server mode, reached over HTTP like AWS.

Bind the fixtures in a test module to use them (an import would trip ruff's
F811 where a test names one as an argument):

    from tests.videos import s3
    moto_server, s3_bucket, s3_default_storage = s3.moto_server, s3.s3_bucket, s3.s3_default_storage

- `moto_server`: the server's endpoint URL, started once per test session
  (per xdist worker), on a free loopback port.
- `s3_bucket`: a new, empty bucket for one test, removed after it.
- `s3_default_storage`: Django's default storage (so `Video.file` too) switched
  to `S3Storage` on that bucket for one test; yields the storage.
- `use_s3_default_storage(endpoint_url, bucket, **settings)`: the same as a
  context manager, for another endpoint or other AWS_* settings.
- `s3_client(endpoint_url)`: a plain boto3 client, to look in the bucket
  behind the storage's back.

moto checks neither signatures nor expiry: test those on the URL's parameters.
"""

import contextlib
import logging
import uuid

import boto3
import pytest
from botocore.config import Config
from django.core.files.storage import default_storage
from django.test import override_settings
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

REGION = "us-east-1"
ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"


def s3_client(endpoint_url: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@contextlib.contextmanager
def use_s3_default_storage(endpoint_url: str, bucket: str, **settings):
    """Switch the default storage to S3Storage on `bucket` at `endpoint_url`; `settings` override AWS_* ones.

    Changing STORAGES makes Django drop its cached storages (django.test.signals),
    so `default_storage`, and every FileField bound to it, builds a new S3Storage
    from these settings on next use; leaving puts the previous one back.
    """
    aws_settings = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint_url,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_S3_SIGNATURE_VERSION": "s3v4",
        "AWS_S3_CUSTOM_DOMAIN": None,
        "AWS_CLOUDFRONT_KEY_ID": None,
        "AWS_CLOUDFRONT_KEY": None,
        "AWS_LOCATION": "",
        "AWS_DEFAULT_ACL": None,
        "AWS_QUERYSTRING_AUTH": True,
        "AWS_S3_FILE_OVERWRITE": False,
        **settings,
    }
    storages = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, **aws_settings):
        yield default_storage


@pytest.fixture(scope="session")
def moto_server():
    # moto logs every request through werkzeug at INFO.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(moto_server):
    name = f"test-{uuid.uuid4().hex}"
    client = s3_client(moto_server)
    client.create_bucket(Bucket=name)
    yield name
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        for entry in page.get("Contents", ()):
            client.delete_object(Bucket=name, Key=entry["Key"])
    client.delete_bucket(Bucket=name)


@pytest.fixture
def s3_default_storage(moto_server, s3_bucket):
    with use_s3_default_storage(moto_server, s3_bucket) as storage:
        yield storage
