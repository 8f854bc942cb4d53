"""The tus 1.0 protocol (core, creation, termination) for masters on the file system.

Written here rather than taken from a library: django-tus (last release 2020)
is unmaintained and keeps the offset in the cache, drf-tus needs Django REST
framework, tuspyserver is a FastAPI router. The protocol part we need is
small: create with Upload-Length and Upload-Metadata, HEAD for the offset,
PATCH at the offset, DELETE. Chunks are appended to a temporary file beside
the masters whose size is the offset (so a crashed process loses nothing),
and the complete file is renamed into place. Uppy's Tus plugin speaks it.
"""

import base64
import binascii
import fcntl
import functools

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from cms.apikit import problem

from .files import CHUNK_SIZE
from .models import Video
from .signals import master_replaced
from .tasks import ingest_master
from .uploads import MasterUpload, UploadRefused, check_policy, uses_s3

TUS_VERSION = "1.0.0"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
# Not tus: names the Video an upload makes, so the admin's uploader can link to it and show its state.
VIDEO_ID_HEADER = "Video-Id"


def allow_methods(*methods):
    """Django's require_http_methods, but the 405 is a problem document like every other refusal here."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method not in methods:
                return problem(405, code="method_not_allowed", headers={"Allow": ", ".join(methods)})
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _refuse(status: int, code: str, detail) -> HttpResponse:
    return _tus(problem(status, str(detail), code=code))


def _gate(request):
    """None when the request may go on, else the problem answer."""
    if not request.user.is_authenticated:
        return _refuse(401, "not_authenticated", _("Log in to the admin to upload videos."))
    if not request.user.has_perm("videos.add_video"):
        return _refuse(403, "permission_denied", _("You are not allowed to upload videos."))
    if uses_s3():  # the bytes would pass through this process and land on its disk, not in the bucket
        return _refuse(409, "storage_is_s3", _("Videos are stored on S3: upload masters through the S3 endpoints."))
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != TUS_VERSION:
        response = _refuse(412, "tus_version", _("Only version 1.0.0 of the tus protocol is supported."))
        response["Tus-Version"] = TUS_VERSION
        return response
    return None


def _metadata(header: str) -> dict[str, str] | None:
    values = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _sep, value = pair.partition(" ")
        try:
            values[key] = base64.b64decode(value, validate=True).decode() if value else ""
        except (binascii.Error, UnicodeDecodeError):
            return None
    return values


def _integer(value: str | None) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdigit() and len(value) < 20 else None


@login_not_required
@allow_methods("OPTIONS", "POST")
def create(request):
    if (refused := _gate(request)) is not None:
        return refused
    if request.method == "OPTIONS":
        response = _tus(HttpResponse(status=204))
        response["Tus-Version"] = TUS_VERSION
        response["Tus-Extension"] = "creation,termination"
        return response
    length = _integer(request.headers.get("Upload-Length"))
    metadata = _metadata(request.headers.get("Upload-Metadata", ""))
    if length is None or metadata is None or not metadata.get("filename"):
        return _refuse(400, "bad_upload_headers", _("Upload-Length and Upload-Metadata with a filename are required."))
    filename = metadata["filename"][-255:]
    try:
        check_policy(filename, length)
    except UploadRefused as refused:
        return _refuse(refused.status, refused.code, refused.message)
    replaced = None
    if metadata.get("video"):
        video_id = _integer(metadata["video"])
        replaced = Video.objects.filter(pk=video_id).first() if video_id else None
        if replaced is None or not request.user.has_perm("videos.change_video"):
            return _refuse(404, "no_such_video", _("There is no such video to replace."))
    with transaction.atomic():
        video = replaced or Video.objects.create(
            title=(metadata.get("title") or filename)[:255], state=Video.State.UPLOADING, uploaded_by=request.user
        )
        upload = MasterUpload.objects.create(
            owner=request.user, video=video, filename=filename, length=length, replaces_master=replaced is not None
        )
    upload.partial_path.parent.mkdir(parents=True, exist_ok=True)
    upload.partial_path.touch()
    response = _tus(HttpResponse(status=201))
    response["Location"] = request.build_absolute_uri(reverse("videos_tus_upload", args=[upload.pk]))
    response[VIDEO_ID_HEADER] = str(video.pk)
    return response


@login_not_required
@allow_methods("HEAD", "PATCH", "DELETE")
def upload(request, upload_id):
    if (refused := _gate(request)) is not None:
        return refused
    upload = MasterUpload.objects.select_related("video").filter(pk=upload_id).first()
    if upload is None:
        return _refuse(404, "no_such_upload", _("This upload does not exist or has expired."))
    if upload.owner_id != request.user.pk:
        return _refuse(403, "not_your_upload", _("This upload was started by another editor."))
    if request.method == "DELETE":
        upload.discard()
        return _tus(HttpResponse(status=204))
    if request.method == "HEAD":
        response = _tus(HttpResponse(status=200))
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
    else:
        response = _append(request, upload)
    response[VIDEO_ID_HEADER] = str(upload.video_id)
    return response


def _append(request, upload):
    if request.content_type != OFFSET_CONTENT_TYPE:
        return _refuse(415, "bad_content_type", _("Send the bytes as application/offset+octet-stream."))
    offset = _integer(request.headers.get("Upload-Offset"))
    declared = _integer(request.headers.get("Content-Length"))
    if offset is None or declared is None:
        return _refuse(400, "bad_upload_headers", _("Upload-Offset and Content-Length are required."))
    with upload.partial_path.open("ab") as partial:
        try:  # one PATCH at a time per upload: a second one racing it is refused, not interleaved
            fcntl.flock(partial, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _refuse(409, "upload_busy", _("Another request is sending bytes to this upload."))
        current = partial.seek(0, 2)
        if offset != current:
            response = _refuse(409, "offset_mismatch", _("The upload is at another offset: ask for it and resume."))
            response["Upload-Offset"] = str(current)
            return response
        if current + declared > upload.length:
            return _refuse(413, "past_upload_length", _("These bytes go past the length declared for the upload."))
        # Every byte that arrived is kept, even if the connection drops mid-chunk: the client resumes from there.
        while chunk := request.read(min(CHUNK_SIZE, declared - (partial.tell() - current))):
            partial.write(chunk)
        partial.flush()
        received = partial.tell()
    if received == upload.length:
        refused = _complete(upload)
        if refused is not None:
            return refused
    response = _tus(HttpResponse(status=204))
    response["Upload-Offset"] = str(received)
    return response


def _complete(upload):
    """The last byte arrived: check again, put the master in place, queue its ingest."""
    try:
        check_policy(upload.filename, upload.offset)
    except UploadRefused as refused:
        upload.discard()
        return _refuse(refused.status, refused.code, refused.message)
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=upload.video_id)
        old_name = video.file.name
        video.file.name = upload.put_in_place()
        video.await_ingest()
        video.save()
        upload.delete()
        storage = video.file.storage
        if old_name:
            transaction.on_commit(lambda: storage.delete(old_name))
            transaction.on_commit(lambda: master_replaced.send(sender=Video, video=video))
        transaction.on_commit(lambda: ingest_master.enqueue(video.pk))
    return None


urlpatterns = [
    path("", create, name="videos_tus_create"),
    path("<uuid:upload_id>", upload, name="videos_tus_upload"),
]
