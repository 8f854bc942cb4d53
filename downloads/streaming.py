"""Delivering a stored file to a downloader: a signed, short-lived link to a streaming view with byte ranges.

The download API (`POST /api/v1/videos/{id}/downloads`) decides who may have
a file; on the file system it hands out `signed_file_url(...)`, and the view
here serves it. On S3 the API presigns instead: this module handles only the
default storage, and only when it has a local `path()`.

A link is a capability: an opaque token (`link_tokens`: the storage name,
the user it was issued to, the download file name, its expiry and a stamp of
the user's password, encrypted and authenticated), checked here to the
second; a password change or reset, "sign out everywhere" (`User.end_all_sessions`)
and deactivating the account revoke every earlier link, with one answer for all. Browsers, curl and
download managers fetch it without any header, so no identity on the request
is fine; an identity that is not the link's user (session cookie or allauth's
`X-Session-Token`) is refused, and so is a link whose user is gone or disabled.

Why this is written by hand: Django's `FileResponse` streams a file but knows
nothing of ranges, and the one library for it, django-ranged-response
(0.2.0, unchanged since 2017), does neither `If-Range` nor ETags, and reads
the range through a Python iterator, so gunicorn cannot `sendfile()` it.
Here the response is a `FileResponse` over the file seeked to the range's
start and wrapped to stop at the range's end (`_Window`), with the range's
`Content-Length`. gunicorn's `wsgi.file_wrapper` then calls `os.sendfile`
from the descriptor's current offset for exactly `Content-Length` bytes
(gunicorn/http/wsgi.py, `Response.sendfile`): the bytes never enter Python.
Servers without sendfile (runserver, the test client) iterate `_Window`,
one block at a time. Memory stays constant whatever the file size.

With nginx in front, the transfer itself can be left to it: set
`DOWNLOAD_ACCEL_REDIRECT` (see `accel_redirect`).
"""

import datetime
import hashlib
import math
import mimetypes
import os
import re
import stat
import time
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from cms.apikit import problem

from . import link_tokens

# Named before the move from videos/, so that reversing it keeps working.
URL_NAME = "videos-download-file"
# Only servers without sendfile read the file in Python; large reads keep them fast.
BLOCK_SIZE = 512 * 1024
# Resumable for the downloader, kept by no shared cache.
CACHE_CONTROL = "private, max-age=0"
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]")
_BYTE_RANGE = re.compile(r"([0-9]*)-([0-9]*)", re.ASCII)
# Beyond this many digits a position is past any file; int() of thousands of digits is slow (and refused).
_MAX_DIGITS = 30


@dataclass(frozen=True)
class Link:
    name: str
    user_id: int
    filename: str
    expires: int  # Unix time, seconds
    password_stamp: str


def signed_file_url(*, name: str, user, filename: str, expires_at: datetime.datetime) -> str:
    """Relative URL (starting with /) of the streaming view for the default storage's file `name`,
    offered as attachment `filename`, valid until `expires_at`, bound to `user` and its current password.

    `filename` is what the downloader saves: one path segment, no control
    characters. `expires_at` must be aware. Raises ValueError otherwise, and
    when the default storage has no local files (S3: presign instead).
    """
    if not filename or filename in (".", "..") or _UNSAFE_FILENAME.search(filename):
        raise ValueError(f"Not a file name to offer a download under: {filename!r}")
    if expires_at.tzinfo is None or expires_at.utcoffset() is None:
        raise ValueError("expires_at must be an aware datetime")
    try:
        default_storage.path(name)
    except NotImplementedError as error:
        raise ValueError(f"{type(default_storage).__name__} has no local files: presign a URL instead") from error
    token = link_tokens.seal(
        {
            "n": name,
            "u": user.pk,
            "f": filename,
            "e": math.floor(expires_at.timestamp()),
            "p": link_tokens.password_stamp(_revocation_material(user.password, getattr(user, "session_epoch", ""))),
        }
    )
    # The readable name last, so that `curl -O` and `wget` save the file under it.
    return reverse(URL_NAME, kwargs={"token": token, "filename": filename})


def read_link(token: str) -> Link:
    """The link a token stands for; link_tokens.InvalidToken if it was not made by `signed_file_url`."""
    claims = link_tokens.open_token(token)
    try:
        return Link(
            name=str(claims["n"]),
            user_id=int(claims["u"]),
            filename=str(claims["f"]),
            expires=int(claims["e"]),
            password_stamp=str(claims["p"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise link_tokens.InvalidToken("incomplete download link") from error


# --- The view ------------------------------------------------------------------------------------------------


def _problem(status: int, detail: str, code: str, headers=None) -> HttpResponse:
    return problem(status, detail, code=code, headers=headers)


@csrf_exempt  # nothing but GET and HEAD is ever served; other methods get their 405, not CSRF's 403
def download_file(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return _problem(
            405, _("Download links accept only GET and HEAD."), "method_not_allowed", headers={"Allow": "GET, HEAD"}
        )
    try:
        link = read_link(token)
    except link_tokens.InvalidToken:
        return _problem(403, _("This download link is not valid."), "link_invalid")
    if filename != link.filename:
        # The file served is the signed one whatever the URL ends with; a different ending is another URL.
        return _problem(404, _("There is no such file."), "file_not_found")
    if time.time() >= link.expires:  # to the second, whenever the link was made
        return _problem(403, _("This download link has expired. Ask for a new one."), "link_expired")
    if any(user.pk != link.user_id for user in _request_users(request)):
        return _problem(403, _("This download link was issued to another account."), "link_not_yours")
    account = (
        get_user_model()
        ._default_manager.filter(pk=link.user_id, is_active=True)
        .values_list("password", "session_epoch")
        .first()
    )
    # One answer whatever revoked the link (password changed or reset, signed out everywhere,
    # account deactivated or deleted): a link's holder learns nothing about the account.
    if account is None or not link_tokens.stamp_matches(link.password_stamp, _revocation_material(*account)):
        return _problem(403, _("This download link is no longer valid. Ask for a new one."), "link_revoked")

    try:
        local_path = default_storage.path(link.name)
        if accel_redirect():
            return _accel_response(link, local_path)
        handle = open(local_path, "rb", buffering=0)  # noqa: SIM115  (the response closes it)
    except (NotImplementedError, SuspiciousFileOperation, OSError):
        return _gone()
    try:
        return _file_response(request, link, handle)
    except BaseException:
        handle.close()
        raise


def _revocation_material(password_hash: str, session_epoch: str) -> str:
    """What a link's stamp is made of: it changes with the password and with "sign out everywhere"."""
    return f"{password_hash}\n{session_epoch}" if session_epoch else password_hash


urlpatterns = [path("<str:token>/<path:filename>", download_file, name=URL_NAME)]


def _request_users(request: HttpRequest):
    """The users the request authenticates as: browser session, allauth session token."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        yield user
    if request.headers.get("X-Session-Token"):
        from allauth.headless.contrib.ninja.security import x_session_token_auth

        # An unknown or expired token identifies nobody, like no token at all.
        if (token_user := x_session_token_auth(request)) is not None:
            yield token_user


def _gone() -> HttpResponse:
    return _problem(404, _("This file is no longer available."), "file_not_found")


def _file_response(request: HttpRequest, link: Link, handle) -> HttpResponse:
    # The validators come from the open descriptor: they describe the bytes
    # served even if the name is replaced meanwhile.
    info = os.fstat(handle.fileno())
    if not stat.S_ISREG(info.st_mode):
        handle.close()
        return _gone()
    size, mtime = info.st_size, int(info.st_mtime)
    etag = '"{}"'.format(hashlib.sha256(f"{link.name}\0{size}\0{info.st_mtime_ns}".encode()).hexdigest()[:32])
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(mtime),
        "Cache-Control": CACHE_CONTROL,
    }

    validators = HttpResponse(headers=headers)
    conditional = get_conditional_response(request, etag=etag, last_modified=mtime, response=validators)
    if conditional is not validators:
        handle.close()
        if conditional.status_code == 412:
            return _problem(412, _("The file does not match the request's preconditions."), "precondition_failed")
        return conditional  # 304, with the validators

    start, length, status = 0, size, 200
    if request.method == "GET" and "Range" in request.headers and _if_range_holds(request, etag, mtime):
        requested = parse_range(request.headers["Range"], size)
        if requested == UNSATISFIABLE:
            handle.close()
            headers["Content-Range"] = f"bytes */{size}"
            return _problem(416, _("The requested range is outside the file."), "range_not_satisfiable", headers)
        if requested is not None:
            start, end = requested
            length, status = end - start + 1, 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"

    headers["Content-Disposition"] = attachment_header(link.filename)
    content_type = _content_type(link.filename)
    if request.method == "HEAD":
        handle.close()
        response = HttpResponse(status=status, headers=headers, content_type=content_type)
    else:
        handle.seek(start)
        response = _StreamedFile(_Window(handle, length), status=status, headers=headers, content_type=content_type)
    # The range's length, which gunicorn's sendfile sends from the descriptor's offset. (FileResponse
    # measures only files it can tell() and seek(), which _Window is not: the whole file's would be wrong.)
    response.headers["Content-Length"] = str(length)
    return response


class _StreamedFile(FileResponse):
    block_size = BLOCK_SIZE


class _Window:
    """`length` bytes of `handle` from where it stands.

    Iterated by servers without sendfile; with sendfile, only `fileno()` is
    used, from the descriptor's offset and for the response's Content-Length.
    No `name`, `tell` or `seek`: FileResponse must not measure the file itself.
    """

    def __init__(self, handle, length: int):
        self._handle = handle
        self._remaining = length

    def read(self, size: int = -1) -> bytes:
        if self._remaining <= 0:
            return b""
        data = self._handle.read(self._remaining if size is None or size < 0 else min(size, self._remaining))
        self._remaining -= len(data)
        return data

    def fileno(self) -> int:
        return self._handle.fileno()

    def close(self) -> None:
        self._handle.close()


# --- Ranges (RFC 9110, section 14) ---------------------------------------------------------------------------

UNSATISFIABLE = "unsatisfiable"


def parse_range(header: str, size: int) -> tuple[int, int] | str | None:
    """(first, last) byte of a single satisfiable range; UNSATISFIABLE; None to serve the whole file.

    None for a header that does not parse (which RFC 9110 says to ignore), for
    another unit than bytes, and for several ranges (served whole, which the
    RFC allows, rather than as multipart/byteranges).
    """
    unit, equals, ranges = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    specs = [spec.strip() for spec in ranges.split(",")]
    specs = [spec for spec in specs if spec]  # empty list elements are allowed (RFC 9110, 5.6.1)
    if not specs:
        return None
    parsed = []
    for spec in specs:
        match = _BYTE_RANGE.fullmatch(spec)
        if not match or not (match[1] or match[2]):
            return None
        first, last = (_position(digits) if digits else None for digits in match.groups())
        if first is not None and last is not None and last < first:
            return None
        parsed.append((first, last))
    if len(parsed) > 1:
        return None
    first, last = parsed[0]
    if first is None:  # suffix: the last `last` bytes
        if last == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - last), size - 1
    if first >= size:
        return UNSATISFIABLE
    return first, size - 1 if last is None else min(last, size - 1)


def _position(digits: str) -> int:
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def _if_range_holds(request: HttpRequest, etag: str, mtime: int) -> bool:
    """Whether a Range applies: no If-Range, or one naming the current file (RFC 9110, 13.1.5)."""
    if_range = request.headers.get("If-Range")
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        return if_range == etag  # a strong comparison: a weak tag never matches
    return parse_http_date_safe(if_range) == mtime


# --- Headers -------------------------------------------------------------------------------------------------


def attachment_header(filename: str) -> str:
    """`attachment` with an ASCII `filename=` for old clients and the exact name in `filename*` (RFC 6266).

    Django's `content_disposition_header` gives one form or the other, never both.
    """
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^\x20-\x7e]", "_", ascii_name).strip() or "download"
    quoted = ascii_name.replace("\\", "\\\\").replace('"', '\\"')
    return f"attachment; filename=\"{quoted}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _content_type(filename: str) -> str:
    content_type, encoding = mimetypes.guess_type(filename, strict=False)
    # A compressed file is sent as the bytes it is: no Content-Encoding, so no type of its content either.
    return "application/octet-stream" if encoding or not content_type else content_type


# --- Handing the transfer to nginx ---------------------------------------------------------------------------


def accel_redirect() -> str:
    """The internal nginx location of the media files (`DOWNLOAD_ACCEL_REDIRECT`), or "" to stream here.

    When set, every check above still runs here; the answer is then an empty
    response with `X-Accel-Redirect: <prefix><name>`, and nginx sends the file
    itself, ranges, `If-Range`, ETag and all. nginx keeps Content-Type,
    Content-Disposition and Cache-Control from this response. With
    `DOWNLOAD_ACCEL_REDIRECT=/protected-media/` and `MEDIA_ROOT=/srv/cms/media`:

        location /protected-media/ {
            internal;                 # only reachable through X-Accel-Redirect
            alias /srv/cms/media/;    # MEDIA_ROOT, with the trailing slash
        }

    Without nginx in front the header does nothing and the client gets an
    empty file: leave the setting unset there.
    """
    return getattr(settings, "CMS_DOWNLOAD_ACCEL_REDIRECT", "")


def _accel_response(link: Link, local_path: str) -> HttpResponse:
    if not os.path.isfile(local_path):
        return _gone()
    response = HttpResponse(content_type=_content_type(link.filename))
    # Percent-encoded: nginx decodes the URI, and a "?" would otherwise start its query string.
    response["X-Accel-Redirect"] = accel_redirect() + quote(link.name, safe="/")
    response["Content-Disposition"] = attachment_header(link.filename)
    response["Cache-Control"] = CACHE_CONTROL
    return response
