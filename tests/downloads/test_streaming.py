"""Signed download links on the file system (downloads/streaming.py), fetched over real HTTP.

A live server on loopback answers every request here as it would a browser,
curl or a download manager; the bytes received are compared with the file
stored. gunicorn's sendfile path and the memory bound are exercised
in-process, where they can be observed.
"""

import base64
import contextlib
import datetime
import hashlib
import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote, urlsplit

import pytest
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.utils import timezone
from django.utils.http import parse_header_parameters

from accounts.models import User
from downloads import link_tokens, streaming

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "Gr8-Broadcast!Day"
FILENAME = "press-conference_2025-06-01.mov"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def master(media):
    """A stored master of random bytes (any offset mistake shows) and the account it is issued to."""
    data = os.urandom(256 * 1024 + 17)
    name = default_storage.save("masters/press-conference.mov", ContentFile(data))
    user = User.objects.create_user(email="reporter@example.org", password=PASSWORD)
    return SimpleNamespace(name=name, data=data, user=user, url=link(name, user))


def link(name, user, *, filename=FILENAME, seconds=600, expires_at=None):
    expires_at = expires_at or timezone.now() + datetime.timedelta(seconds=seconds)
    return streaming.signed_file_url(name=name, user=user, filename=filename, expires_at=expires_at)


# --- HTTP on loopback ---------------------------------------------------------------------------------------


def fetch(live_server, path, method="GET", headers=None):
    """One request on its own connection, the path sent exactly as given, the answer read to the last byte.

    The body must be exactly as long as announced: a server sending past the
    end of a range would go unnoticed by a client that stops at Content-Length.
    """
    lines = [f"{method} {path} HTTP/1.1", "Host: localhost", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    raw = raw_exchange(live_server, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, _, header_block = head.partition(b"\r\n")
    status = int(status_line.split()[1])
    parsed = http.client.parse_headers(io.BytesIO(header_block + b"\r\n\r\n"))
    if method == "HEAD" or status == 304:
        assert body == b""
    else:
        assert len(body) == int(parsed["Content-Length"]), (len(body), parsed["Content-Length"])
    return SimpleNamespace(status=status, headers=parsed, body=body)


def raw_exchange(live_server, request: bytes) -> bytes:
    """Everything the server sends back until it closes the connection."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(request)
        return read_all(sock)


def read_all(sock) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def assert_problem(reply, status, code):
    assert reply.status == status, reply.body[:300]
    assert reply.headers["Content-Type"] == "application/problem+json"
    body = json.loads(reply.body)
    assert (body["status"], body["code"]) == (status, code)
    assert body["detail"]
    return body


# --- Whole file, HEAD ---------------------------------------------------------------------------------------


def test_get_sends_the_whole_file_as_an_attachment(live_server, master):
    reply = fetch(live_server, master.url)

    assert reply.status == 200
    assert reply.body == master.data
    assert reply.headers["Content-Length"] == str(len(master.data))
    assert reply.headers["Content-Type"] == "video/quicktime"
    assert reply.headers["Content-Disposition"].startswith(f'attachment; filename="{FILENAME}"; filename*=UTF-8')
    assert reply.headers["Accept-Ranges"] == "bytes"
    assert reply.headers["Cache-Control"] == "private, max-age=0"
    assert reply.headers["ETag"].startswith('"') and reply.headers["ETag"].endswith('"')  # strong
    assert reply.headers["Last-Modified"].endswith(" GMT")
    assert "Content-Range" not in reply.headers


def test_the_url_ends_with_the_download_name_for_curl_and_wget(media):
    url = sign()

    assert url.startswith("/downloads/files/")
    assert url.endswith("/" + FILENAME)


def test_head_sends_the_headers_of_get_and_no_body(live_server, master):
    get, head = fetch(live_server, master.url), fetch(live_server, master.url, "HEAD")
    with_range = fetch(live_server, master.url, "HEAD", {"Range": "bytes=0-9"})

    assert (head.status, with_range.status) == (200, 200)  # a range is defined for GET only (RFC 9110, 14.2)
    for header in ("Content-Length", "Content-Type", "Content-Disposition", "ETag", "Last-Modified", "Accept-Ranges"):
        assert head.headers[header] == get.headers[header] == with_range.headers[header], header
    # Read off the socket: not one byte after the headers.
    raw = raw_exchange(
        live_server, f"HEAD {master.url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
    )
    head_block, _, after = raw.partition(b"\r\n\r\n")
    assert head_block.startswith(b"HTTP/1.1 200")
    assert f"Content-Length: {len(master.data)}".encode() in head_block
    assert after == b""


# --- Ranges -------------------------------------------------------------------------------------------------

# Each live-server test empties the database afterwards (seconds on PostgreSQL),
# so the cases of one behaviour share a test.


def test_a_single_range_is_sent_as_206(live_server, master):
    size = len(master.data)
    cases = [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-1999", 1000, 1999),
        ("bytes=200000-", 200000, size - 1),
        ("bytes=-500", size - 500, size - 1),
        ("bytes=262000-999999999", 262000, size - 1),  # the end is clamped to the file's
        ("bytes=-9999999", 0, size - 1),  # a suffix longer than the file: all of it, as a range
        ("BYTES = 5-5", 5, 5),  # the unit in any case, spaces around
        ("bytes=10-20,", 10, 20),  # an empty list element is allowed
    ]
    for header, first, last in cases:
        reply = fetch(live_server, master.url, headers={"Range": header})

        assert reply.status == 206, header
        assert reply.body == master.data[first : last + 1], header
        assert reply.headers["Content-Length"] == str(last - first + 1), header
        assert reply.headers["Content-Range"] == f"bytes {first}-{last}/{size}", header
        assert reply.headers["Content-Disposition"].startswith("attachment;"), header


def test_a_download_resumes_where_it_stopped(live_server, master):
    size = len(master.data)
    first = fetch(live_server, master.url, headers={"Range": "bytes=0-99999"})
    by_etag = fetch(live_server, master.url, headers={"Range": "bytes=100000-", "If-Range": first.headers["ETag"]})
    by_date = fetch(
        live_server, master.url, headers={"Range": "bytes=100000-", "If-Range": first.headers["Last-Modified"]}
    )

    assert (first.status, by_etag.status, by_date.status) == (206, 206, 206)
    assert by_etag.headers["Content-Range"] == f"bytes 100000-{size - 1}/{size}"
    assert first.body + by_etag.body == first.body + by_date.body == master.data


def test_a_stale_if_range_gets_the_whole_current_file(live_server, master):
    etag = fetch(live_server, master.url, "HEAD").headers["ETag"]
    stale = [
        '"0123456789abcdef0123456789abcdef"',  # another version's tag
        f"W/{etag}",  # weak: never good enough to splice bytes
        "Mon, 01 Jan 2001 00:00:00 GMT",  # another date
        "not a validator",
    ]
    for if_range in stale:
        reply = fetch(live_server, master.url, headers={"Range": "bytes=100-", "If-Range": if_range})

        assert reply.status == 200, if_range
        assert reply.body == master.data, if_range
        assert "Content-Range" not in reply.headers, if_range


def test_a_file_replaced_under_the_same_name_gets_a_new_etag(live_server, master):
    before = fetch(live_server, master.url, "HEAD").headers["ETag"]
    path = default_storage.path(master.name)
    with open(path, "wb") as handle:
        handle.write(master.data[::-1])
    os.utime(path, (time.time() + 5, time.time() + 5))

    reply = fetch(live_server, master.url, headers={"Range": "bytes=100-", "If-Range": before})

    assert reply.headers["ETag"] != before
    assert reply.status == 200
    assert reply.body == master.data[::-1]


def test_a_range_past_the_end_is_416(live_server, master):
    for header in ("bytes=262161-", "bytes=999999999999-", "bytes=-0", "bytes=" + "9" * 5000 + "-"):
        reply = fetch(live_server, master.url, headers={"Range": header})

        assert_problem(reply, 416, "range_not_satisfiable")
        assert reply.headers["Content-Range"] == f"bytes */{len(master.data)}"


def test_several_ranges_or_an_invalid_one_get_the_whole_file(live_server, master):
    several = ["bytes=0-9,20-29", "bytes=0-0, -1", "bytes=0-9,999999999-"]
    invalid = ["bytes=abc", "bytes=9-2", "bytes=-", "bytes=", "bytes 0-9", "lines=0-9", "bytes=0x10-", "bytes=1-2-3"]
    for header in several + invalid:
        reply = fetch(live_server, master.url, headers={"Range": header})

        assert reply.status == 200, header
        assert reply.body == master.data, header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-0", (0, 0)),
        ("bytes=9-", (9, 9)),
        ("bytes=-1", (9, 9)),
        ("bytes=-10", (0, 9)),
        ("bytes=0000003-0000004", (3, 4)),
        ("Bytes=\t2-3 ", (2, 3)),
        ("bytes=10-", streaming.UNSATISFIABLE),
        ("bytes=-0", streaming.UNSATISFIABLE),
        ("bytes=" + "9" * 100 + "-", streaming.UNSATISFIABLE),
        ("bytes=0-" + "9" * 100, (0, 9)),
        ("bytes=4-3", None),
        ("bytes=0-1,4-5", None),
        ("bytes=,,", None),
        ("bytes=½-1", None),
        ("bytes=٣-4", None),  # ARABIC-INDIC DIGIT THREE is a digit to Python, not to HTTP
        ("bytes=+1-2", None),
        ("bytes=1", None),
        ("pages=1-2", None),
        ("", None),
    ],
)
def test_parse_range(header, expected):
    assert streaming.parse_range(header, 10) == expected


def test_parse_range_on_an_empty_file():
    assert streaming.parse_range("bytes=0-", 0) == streaming.UNSATISFIABLE
    assert streaming.parse_range("bytes=-5", 0) == streaming.UNSATISFIABLE


# --- Conditional requests -----------------------------------------------------------------------------------


def test_conditional_requests(live_server, master):
    current = fetch(live_server, master.url, "HEAD").headers
    etag = current["ETag"]

    for header, value in [
        ("If-None-Match", etag),
        ("If-None-Match", f'"other", {etag}'),
        ("If-None-Match", "*"),
        ("If-Modified-Since", current["Last-Modified"]),
    ]:
        reply = fetch(live_server, master.url, headers={header: value})
        assert reply.status == 304, value
        assert reply.body == b""
        assert reply.headers["ETag"] == etag
        assert reply.headers["Cache-Control"] == "private, max-age=0"

    assert fetch(live_server, master.url, headers={"If-None-Match": '"other"'}).status == 200
    assert_problem(fetch(live_server, master.url, headers={"If-Match": '"other"'}), 412, "precondition_failed")
    assert fetch(live_server, master.url, headers={"If-Match": etag}).status == 200


# --- Refusals -----------------------------------------------------------------------------------------------


def _token(url):
    return url.split("/")[3]


def _claims(master, **changes):
    return {
        "n": master.name,
        "u": master.user.pk,
        "f": FILENAME,
        "e": int(time.time()) + 600,
        "p": link_tokens.password_stamp(master.user.password),
        **changes,
    }


def test_only_the_canonical_spelling_of_a_token_opens(settings):
    """Base64 decoders ignore stray characters and the spare bits of the last character; tokens must not."""
    from downloads.link_tokens import InvalidToken, open_token, seal

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    token = next(t for t in (seal({"n": "x" * size}) for size in range(8)) if len(t) % 4 == 2)  # 4 spare bits
    assert open_token(token) == open_token(token)
    spare_bit_flipped = token[:-1] + alphabet[alphabet.index(token[-1]) ^ 1]
    assert base64.urlsafe_b64decode(spare_bit_flipped + "==") == base64.urlsafe_b64decode(token + "==")
    for variant in (spare_bit_flipped, token[:8] + "." + token[8:], token[:8] + "=" + token[8:]):
        with pytest.raises(InvalidToken):
            open_token(variant)


def test_a_tampered_link_is_403(live_server, master):
    token = _token(master.url)
    for position in (0, 5, len(token) // 2, len(token) - 3, len(token) - 1):  # nonce, claims, tag
        flipped = token[:position] + ("A" if token[position] != "A" else "B") + token[position + 1 :]

        reply = fetch(live_server, master.url.replace(token, flipped))

        assert_problem(reply, 403, "link_invalid")
        assert master.data[:64] not in reply.body
    for broken in (token[:-4], token[:10], token + "AAAA", "A" * 3000, "not*base64", "AAAA"):
        assert_problem(fetch(live_server, master.url.replace(token, broken)), 403, "link_invalid")


def test_a_link_reveals_neither_the_file_nor_the_account(live_server, master):
    """What a link shows to whoever sees it (logs, chat, a forwarded e-mail): no path, no user id, no claims."""
    token = _token(master.url)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for secret in (master.name, "press-conference", "masters", master.user.email, '"u"', '"n"'):
        assert secret.encode() not in raw, secret
        assert secret not in token, secret
    for encoded in (base64.urlsafe_b64encode(master.name.encode()), base64.urlsafe_b64encode(b'"u":')):
        assert encoded.decode().rstrip("=")[:8] not in token
    with pytest.raises(ValueError):
        json.loads(raw)
    # The same file for the same person, twice: two different links (a random nonce), both valid.
    again = link(master.name, master.user)
    assert _token(again) != token
    assert fetch(live_server, again).body == master.data


def test_claims_sealed_with_another_key_or_by_another_module_are_refused(live_server, master, settings):
    claims = _claims(master)
    signed_only = signing.Signer(salt="videos.streaming.download-link", algorithm="sha256").sign_object(claims)
    other_salt = signing.Signer(salt="accounts.newsletter").sign_object(claims)
    settings.SECRET_KEY, own_key = "another-site-" + "x" * 40, settings.SECRET_KEY
    other_key = link_tokens.seal(claims)
    settings.SECRET_KEY = own_key

    for token in (signed_only, other_salt, other_key):
        assert_problem(fetch(live_server, f"/downloads/files/{token}/{FILENAME}"), 403, "link_invalid")
    # The same claims sealed here do open the file.
    assert fetch(live_server, f"/downloads/files/{link_tokens.seal(claims)}/{FILENAME}").body == master.data


def test_a_link_survives_a_key_rotation_through_the_fallbacks(live_server, master, settings):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-" + "y" * 50, [old_key]

    assert fetch(live_server, master.url).body == master.data  # sealed and stamped under the old key

    settings.SECRET_KEY_FALLBACKS = []
    assert_problem(fetch(live_server, master.url), 403, "link_invalid")


def test_claims_cannot_be_widened_without_the_key(live_server, master):
    """Without the key an attacker can only replay a token as it is; a stamp of another hash is refused."""
    other = default_storage.save("masters/embargoed.mov", ContentFile(b"embargoed until Monday"))
    someone = User.objects.create_user(email="someone@example.org", password=PASSWORD)
    for changes in ({"p": "0" * 22}, {"p": None}, {"p": link_tokens.password_stamp("")}):
        reply = fetch(live_server, f"/downloads/files/{link_tokens.seal(_claims(master, **changes))}/{FILENAME}")
        assert_problem(reply, 403, "link_revoked")
    # A stamp is bound to one hash: someone's stamp does not open a link made out to the reporter.
    stamp = link_tokens.password_stamp(someone.password)
    reply = fetch(live_server, f"/downloads/files/{link_tokens.seal(_claims(master, p=stamp, n=other))}/{FILENAME}")
    assert_problem(reply, 403, "link_revoked")
    assert b"embargoed" not in reply.body


def test_a_password_change_or_reset_revokes_earlier_links(live_server, master):
    assert fetch(live_server, master.url).status == 200

    master.user.set_password("An0ther-Broadcast!Day")
    master.user.save()

    reply = fetch(live_server, master.url)
    assert_problem(reply, 403, "link_revoked")
    assert master.data[:64] not in reply.body
    # A link made after the change works.
    master.user.refresh_from_db()
    assert fetch(live_server, link(master.name, master.user)).body == master.data


def test_a_reset_through_allauths_api_revokes_earlier_links(live_server, master, client, mailoutbox):
    """The whole reset by code, as a person does it on the portal: the link handed out before stops working."""
    headless = "/_allauth/browser/v1"
    asked = client.post(f"{headless}/auth/password/request", {"email": master.user.email}, "application/json")
    # By code, allauth answers 401 with the reset flow pending until the code is entered.
    assert asked.status_code == 401, asked.content
    assert {"id": "password_reset_by_code", "is_pending": True} in asked.json()["data"]["flows"]
    code = _code_in(mailoutbox[-1].body)
    reset = client.post(
        f"{headless}/auth/password/reset", {"key": code, "password": "Fresh-Broadcast!Day42"}, "application/json"
    )
    assert reset.status_code in (200, 401), reset.content  # 401: reset done, not logged in

    assert User.objects.get(pk=master.user.pk).check_password("Fresh-Broadcast!Day42")
    assert_problem(fetch(live_server, master.url), 403, "link_revoked")


def _code_in(body):
    match = re.search(r"\b[A-Z]{4}-[A-Z]{4}\b", body)
    assert match, body
    return match.group(0)


def test_the_url_ending_cannot_point_elsewhere(live_server, master, media):
    (media.parent / "secret.txt").write_bytes(b"not a media file")
    token = _token(master.url)
    endings = [
        "../../secret.txt",
        "..%2F..%2Fsecret.txt",
        "%2e%2e/%2e%2e/secret.txt",
        "../../../../etc/passwd",
        "other.mov",
        FILENAME + "/x",
    ]
    for ending in endings:
        reply = fetch(live_server, f"/downloads/files/{token}/{ending}")

        assert_problem(reply, 404, "file_not_found")
        assert b"not a media file" not in reply.body


def test_a_signed_name_cannot_leave_the_media_folder(live_server, master, media):
    (media.parent / "secret.txt").write_bytes(b"not a media file")

    with pytest.raises(SuspiciousFileOperation):
        link("../secret.txt", master.user)
    # Even signed with the site's key (a bug elsewhere), the storage refuses the name.
    claims = _claims(master, n="../secret.txt", f="secret.txt")
    reply = fetch(live_server, f"/downloads/files/{link_tokens.seal(claims)}/secret.txt")
    assert_problem(reply, 404, "file_not_found")
    assert b"not a media file" not in reply.body


def test_an_expired_link_is_403(live_server, master):
    url = link(master.name, master.user, expires_at=timezone.now() - datetime.timedelta(seconds=1))

    body = assert_problem(fetch(live_server, url), 403, "link_expired")
    assert "expired" in body["detail"]


def test_a_link_stops_working_at_its_expiry(live_server, master):
    # Expiry is kept to the second (rounded down): two seconds leave one to fetch it while valid.
    expires_at = timezone.now() + datetime.timedelta(seconds=2)
    url = link(master.name, master.user, expires_at=expires_at)
    assert fetch(live_server, url).status == 200

    time.sleep(max(0.0, expires_at.timestamp() - time.time()) + 0.05)

    assert_problem(fetch(live_server, url), 403, "link_expired")
    assert_problem(fetch(live_server, url, headers={"Range": "bytes=0-0"}), 403, "link_expired")


def _session_key(user) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


def test_a_logged_in_request_must_be_the_links_account(live_server, master, settings):
    other = User.objects.create_user(email="colleague@example.org", password=PASSWORD)
    own_key, other_key = _session_key(master.user), _session_key(other)

    def cookie(key):
        return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}

    # Another account, by browser session or by allauth's session token (app clients).
    for headers in (
        cookie(other_key),
        {"X-Session-Token": other_key},
        {**cookie(own_key), "X-Session-Token": other_key},
    ):
        assert_problem(fetch(live_server, master.url, headers=headers), 403, "link_not_yours")
    # The link's own account, and requests that say nothing of who sends them (an unknown token says nothing).
    for headers in (cookie(own_key), {"X-Session-Token": own_key}, {"X-Session-Token": "no-such-session"}, {}):
        reply = fetch(live_server, master.url, headers=headers)
        assert reply.status == 200, headers
        assert reply.body == master.data


def test_a_link_of_a_disabled_or_deleted_account_is_403(live_server, master):
    User.objects.filter(pk=master.user.pk).update(is_active=False)
    assert_problem(fetch(live_server, master.url), 403, "link_revoked")

    master.user.delete()
    assert_problem(fetch(live_server, master.url), 403, "link_revoked")


def test_a_file_gone_from_the_storage_is_404(live_server, master):
    default_storage.delete(master.name)

    assert_problem(fetch(live_server, master.url), 404, "file_not_found")
    assert_problem(fetch(live_server, master.url, headers={"Range": "bytes=0-9"}), 404, "file_not_found")


def test_only_get_and_head_are_allowed(live_server, master):
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        reply = fetch(live_server, master.url, method)

        assert_problem(reply, 405, "method_not_allowed")
        assert reply.headers["Allow"] == "GET, HEAD"


# --- File names ---------------------------------------------------------------------------------------------


def test_a_non_ascii_name_with_quotes_reaches_the_client_intact(live_server, master):
    filename = 'Déclaration "finale" — Bruxelles 2025.mov'
    url = link(master.name, master.user, filename=filename)

    reply = fetch(live_server, url)

    assert reply.status == 200
    assert unquote(url.rsplit("/", 1)[1]) == filename
    disposition = reply.headers["Content-Disposition"]
    disposition.encode("ascii")  # header values stay ASCII
    # Old clients get an ASCII stand-in with its quotes escaped; others the exact name (RFC 6266, RFC 8187).
    assert disposition.startswith('attachment; filename="Declaration \\"finale\\"  Bruxelles 2025.mov"; ')
    # A client that reads filename* (as RFC 6266 asks) gets the exact name.
    assert parse_header_parameters(disposition) == ("attachment", {"filename": filename})
    assert reply.headers["Content-Type"] == "video/quicktime"


def sign(**changes):
    """signed_file_url with valid arguments, but for `changes`; no file or account needed to sign."""
    arguments = {
        "name": "masters/a.mov",
        "user": SimpleNamespace(pk=1, password="!"),
        "filename": FILENAME,
        "expires_at": timezone.now(),
    }
    return streaming.signed_file_url(**{**arguments, **changes})


@pytest.mark.parametrize("filename", ["", ".", "..", "../master.mov", "a/b.mov", "a\\b.mov", "x\r\nSet-Cookie: a=b"])
def test_a_file_name_that_is_not_one_path_segment_is_refused(media, filename):
    with pytest.raises(ValueError, match="file name"):
        sign(filename=filename)


def test_a_naive_expiry_is_refused(media):
    with pytest.raises(ValueError, match="aware"):
        sign(expires_at=datetime.datetime.now())


def test_a_storage_without_local_files_is_refused(media, monkeypatch):
    def no_local_path(name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    monkeypatch.setattr(default_storage, "path", no_local_path)

    with pytest.raises(ValueError, match="presign"):
        sign()


def test_the_content_type_follows_the_download_name(live_server, master):
    for filename, content_type in [
        ("clip.mp4", "video/mp4"),
        ("clip.mxf", "application/mxf"),
        ("notes.tar.gz", "application/octet-stream"),  # no Content-Encoding: the bytes as they are
        ("no-extension", "application/octet-stream"),
    ]:
        reply = fetch(live_server, link(master.name, master.user, filename=filename), "HEAD")

        assert reply.headers["Content-Type"] == content_type, filename


# --- nginx hand-off -----------------------------------------------------------------------------------------


def test_with_nginx_the_checked_link_is_handed_over(live_server, master, settings):
    settings.CMS_DOWNLOAD_ACCEL_REDIRECT = "/protected-media/"

    reply = fetch(live_server, master.url, headers={"Range": "bytes=0-9"})

    assert reply.status == 200
    assert reply.headers["X-Accel-Redirect"] == f"/protected-media/{master.name}"
    assert reply.body == b""
    assert reply.headers["Content-Disposition"].startswith(f'attachment; filename="{FILENAME}"')
    assert reply.headers["Content-Type"] == "video/quicktime"
    assert reply.headers["Cache-Control"] == "private, max-age=0"


def test_with_nginx_the_checks_still_run_here(live_server, master, settings):
    settings.CMS_DOWNLOAD_ACCEL_REDIRECT = "/protected-media/"
    expired = link(master.name, master.user, expires_at=timezone.now() - datetime.timedelta(seconds=1))
    other = User.objects.create_user(email="colleague@example.org", password=PASSWORD)

    refusals = [
        fetch(live_server, expired),
        fetch(live_server, master.url, headers={"X-Session-Token": _session_key(other)}),
    ]
    default_storage.delete(master.name)
    refusals.append(fetch(live_server, master.url))

    for reply, status, code in zip(
        refusals, (403, 403, 404), ("link_expired", "link_not_yours", "file_not_found"), strict=True
    ):
        assert_problem(reply, status, code)
        assert "X-Accel-Redirect" not in reply.headers


def test_with_nginx_a_name_that_needs_escaping_is_escaped(live_server, master, settings):
    settings.CMS_DOWNLOAD_ACCEL_REDIRECT = "/protected-media/"
    name = default_storage.save("masters/what? #1.mov", ContentFile(b"x"))
    assert name == "masters/what? #1.mov"

    reply = fetch(live_server, link(name, master.user))

    assert reply.headers["X-Accel-Redirect"] == "/protected-media/masters/what%3F%20%231.mov"


def test_the_nginx_prefix_comes_from_the_environment_and_must_be_a_path():
    def start_with(value):
        env = {key: val for key, val in os.environ.items() if not key.startswith(("DJANGO_", "DOWNLOAD_"))}
        env.update({"DJANGO_SETTINGS_MODULE": "cms.settings.dev", "DOWNLOAD_ACCEL_REDIRECT": value})
        code = (
            "import django; from django.conf import settings as s; django.setup(); print(s.CMS_DOWNLOAD_ACCEL_REDIRECT)"
        )
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    good, bad = start_with("/protected-media/"), start_with("protected-media")

    assert good.returncode == 0, good.stderr
    assert good.stdout.strip().splitlines()[-1] == "/protected-media/"
    assert bad.returncode != 0
    assert "DOWNLOAD_ACCEL_REDIRECT='protected-media': expected the path of an nginx location" in bad.stderr


# --- Under gunicorn, and memory -----------------------------------------------------------------------------


@contextlib.contextmanager
def _database_connection_kept():
    """As Django's test client does: the request must not close the test's connection (and its transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def through_gunicorn(path, headers):
    """The request answered by Django and written by gunicorn's own Response, as its sync worker does."""
    from gunicorn.config import Config
    from gunicorn.http import wsgi as gunicorn_wsgi

    environ = dict(RequestFactory().get(path, headers=headers).environ)
    environ["wsgi.file_wrapper"] = gunicorn_wsgi.FileWrapper
    server_side, client_side = socket.socketpair()
    received = []
    reader = threading.Thread(target=lambda: received.append(read_all(client_side)))
    reader.start()
    try:
        request = SimpleNamespace(method="GET", version=(1, 1), should_close=lambda: True)
        response = gunicorn_wsgi.Response(request, server_side, Config())
        with _database_connection_kept():
            body = WSGIHandler()(environ, response.start_response)
            try:
                assert isinstance(body, gunicorn_wsgi.FileWrapper)
                response.write_file(body)
                response.close()
            finally:
                body.close()
    finally:
        server_side.close()
        reader.join(timeout=30)
        client_side.close()
    head, _, content = received[0].partition(b"\r\n\r\n")
    return head.decode("latin-1"), content


@pytest.mark.parametrize(
    ("header", "start", "end"), [(None, 0, None), ("bytes=1000-1999", 1000, 2000), ("bytes=-17", -17, None)]
)
def test_gunicorn_sends_the_range_with_sendfile(db, master, monkeypatch, header, start, end):
    def read_in_python(*args):
        raise AssertionError("the bytes went through Python instead of sendfile")

    monkeypatch.setattr(streaming._Window, "read", read_in_python)

    head, content = through_gunicorn(master.url, {"Range": header} if header else {})

    assert content == master.data[start:end]
    assert f"Content-Length: {len(content)}" in head
    assert head.startswith("HTTP/1.1 206" if header else "HTTP/1.1 200")


def test_streaming_a_large_file_keeps_memory_bounded(db, media, client):
    size = 20 * 1024 * 1024
    user = User.objects.create_user(email="reporter@example.org", password=PASSWORD)
    name = default_storage.save("masters/large.mov", ContentFile(b""))
    expected = hashlib.sha256()
    with open(default_storage.path(name), "wb") as handle:
        for _ in range(size // (1024 * 1024)):
            block = os.urandom(1024 * 1024)
            expected.update(block)
            handle.write(block)
    url = link(name, user)

    tracemalloc.start()
    try:
        response = client.get(url)
        received, total = hashlib.sha256(), 0
        for chunk in response.streaming_content:
            received.update(chunk)
            total += len(chunk)
        response.close()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (response.status_code, total) == (200, size)
    assert received.hexdigest() == expected.hexdigest()
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"


def test_a_range_read_in_python_stops_at_its_end(db, master, client):
    response = client.get(master.url, headers={"Range": "bytes=100-199"})

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == master.data[100:200]
