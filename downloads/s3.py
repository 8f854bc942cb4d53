"""Delivering a stored file from S3: presigned download links and a quick look at the object.

Signing a link is local arithmetic on the credentials, with no request to S3;
`stored_size` is the one call that reaches S3, so it is the one that can find
it unreachable and say so as `StorageUnavailable`.
"""

import re
import unicodedata
import weakref

from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from django.core.files.storage import storages
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# SigV4 refuses presigned URLs valid for longer than seven days.
MAX_EXPIRES_IN = 7 * 24 * 3600

# A download request waits on the HEAD in `stored_size` before it can answer.
# botocore's defaults (60 s to connect, 60 s per read, up to 5 attempts with
# back-off) would hold that request, and a server worker, for minutes when S3
# is unreachable. A HEAD answers in milliseconds, so: 2 s to connect, 2 s to
# read, one retry for a passing hiccup; past that the caller answers 503 with
# Retry-After. Uploads and the copies ffmpeg reads keep the storage's own
# client and its defaults: they are long transfers that may wait on S3.
DELIVERY_CLIENT_CONFIG = Config(
    connect_timeout=2,
    read_timeout=2,
    retries={"mode": "standard", "total_max_attempts": 2},
)

_S3_QUERY_NAMES = {
    "ResponseContentDisposition": "response-content-disposition",
    "ResponseContentType": "response-content-type",
}

_delivery_clients: "weakref.WeakKeyDictionary[S3Storage, object]" = weakref.WeakKeyDictionary()


class StorageUnavailable(Exception):
    """S3 could not be reached, timed out or answered with a server error: try again later."""


def is_remote(storage) -> bool:
    """True for a storage whose files have no local path (S3), so they cannot be streamed from disk."""
    try:
        storage.path("")
    except NotImplementedError:
        return True
    return False


def presigned_download_url(name: str, *, filename: str, expires_in: int, content_type: str | None = None) -> str:
    """A link to download the default storage's object `name` as `filename`, valid for `expires_in` seconds.

    On S3 it is a SigV4 presigned GET; with a custom domain (CloudFront) it is
    signed with the CloudFront key instead (`downloads.checks` refuses a custom
    domain without one). The response is an attachment named `filename`, of
    `content_type` when given, else of the type stored with the object.
    """
    if not 0 < expires_in <= MAX_EXPIRES_IN:
        raise ValueError(f"expires_in must be between 1 and {MAX_EXPIRES_IN} seconds, not {expires_in}.")
    storage = _s3_storage()
    overrides = {"ResponseContentDisposition": attachment_disposition(filename)}
    if content_type:
        overrides["ResponseContentType"] = content_type
    if storage.custom_domain:
        # django-storages copies the parameters into the CloudFront URL as they
        # are; the origin (S3) only knows the query-string names. The
        # distribution must forward them to the origin.
        overrides = {_S3_QUERY_NAMES[key]: value for key, value in overrides.items()}
    return storage.url(name, parameters=overrides, expire=expires_in)


def attachment_disposition(filename: str) -> str:
    """`attachment` with `filename=` in plain ASCII for old clients and `filename*=` in UTF-8 when that differs."""
    full = content_disposition_header(as_attachment=True, filename=filename)
    if "filename*=" not in full:
        return full
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = " ".join(re.sub(r"[^\x20-\x7e]", "", ascii_name).split())
    if not ascii_name or ascii_name.startswith("."):  # nothing left of the name but perhaps its extension
        ascii_name = f"download{ascii_name}"
    return f"{content_disposition_header(as_attachment=True, filename=ascii_name)}; {full.removeprefix('attachment; ')}"


def stored_size(name: str) -> int:
    """The size of the default storage's object `name`, asking S3 (HEAD) that it is there.

    Raises FileNotFoundError when it is not, StorageUnavailable when S3 cannot
    be reached, times out or answers with a 5xx error.
    """
    storage = _s3_storage()
    # The storage's own key for the name (its AWS_LOCATION prefix), as its size() would use.
    key = storage._normalize_name(clean_name(name))
    try:
        head = _delivery_client(storage).head_object(Bucket=storage.bucket_name, Key=key)
    except (BotocoreConnectionError, HTTPClientError) as error:
        raise StorageUnavailable(str(error)) from error
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if status == 404:
            raise FileNotFoundError(f"No object {key!r} in bucket {storage.bucket_name!r}.") from error
        if status >= 500:
            raise StorageUnavailable(str(error)) from error
        raise
    return head["ContentLength"]


def _s3_storage() -> S3Storage:
    storage = storages["default"]
    if not isinstance(storage, S3Storage):
        raise TypeError(f"The default storage is {type(storage).__name__}, not S3: serve its files from disk.")
    return storage


def _delivery_client(storage: S3Storage):
    """An S3 client with the storage's credentials and endpoint, and timeouts fit for a request in progress."""
    client = _delivery_clients.get(storage)
    if client is None:
        # The storage's session gives the same credentials, profile or role as its own client.
        client = storage._create_session().client(
            "s3",
            region_name=storage.region_name,
            use_ssl=storage.use_ssl,
            endpoint_url=storage.endpoint_url,
            verify=storage.verify,
            config=storage.client_config.merge(DELIVERY_CLIENT_CONFIG),
        )
        _delivery_clients[storage] = client
    return client
