"""S3 multipart uploads of masters: the browser sends each part straight to the bucket.

The CMS creates the multipart upload, signs one URL per part, lists the parts
the bucket holds (to resume), completes or aborts; the web process never
holds the file. The answers have the shapes Uppy's AwsS3 plugin expects.
Errors are problem documents, like the tus endpoint's.
"""

import functools
import json

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import JsonResponse
from django.urls import path
from django.utils.translation import gettext as _

from cms.apikit import problem

from .models import Video
from .signals import master_replaced
from .tasks import ingest_master
from .tus import allow_methods
from .uploads import MasterUpload, UploadRefused, check_policy, uses_s3

PART_URL_TTL = 3600
MAX_PARTS = 10_000


def storage_errors(view):
    """The bucket unreachable or refusing: a 503 problem, and the upload stays as it was, to try again."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (BotoCoreError, ClientError):
            return problem(503, _("The storage could not be reached; try again."), code="storage_unavailable")

    return wrapped


def _client():
    return default_storage.connection.meta.client


def _bucket() -> str:
    return default_storage.bucket_name


def _gate(request, upload_id=None):
    """(upload or None, problem answer or None)."""
    if not request.user.is_authenticated:
        return None, problem(401, _("Log in to the admin to upload videos."), code="not_authenticated")
    if not request.user.has_perm("videos.add_video"):
        return None, problem(403, _("You are not allowed to upload videos."), code="permission_denied")
    if not uses_s3():
        return None, problem(
            409,
            _("Videos are stored on the file system: upload masters through the tus endpoint."),
            code="storage_is_files",
        )
    if upload_id is None:
        return None, None
    upload = MasterUpload.objects.select_related("video").filter(pk=upload_id).exclude(s3_upload_id="").first()
    if upload is None:
        return None, problem(404, _("This upload does not exist or has expired."), code="no_such_upload")
    if upload.owner_id != request.user.pk:
        return None, problem(403, _("This upload was started by another editor."), code="not_your_upload")
    return upload, None


def _json(request) -> dict | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@login_not_required
@allow_methods("POST")
@storage_errors
def create(request):
    _none, refused = _gate(request)
    if refused is not None:
        return refused
    body = _json(request)
    filename, size = (body or {}).get("filename"), (body or {}).get("size")
    if not isinstance(filename, str) or not filename or not isinstance(size, int) or isinstance(size, bool):
        return problem(400, _("Send the file's name and size."), code="bad_upload_request")
    try:
        check_policy(filename, size)
    except UploadRefused as error:
        return problem(error.status, str(error.message), code=error.code)
    replaced = None
    if body.get("video") is not None:
        replaced = Video.objects.filter(pk=body["video"]).first() if isinstance(body["video"], int) else None
        if replaced is None or not request.user.has_perm("videos.change_video"):
            return problem(404, _("There is no such video to replace."), code="no_such_video")
    title = body.get("title") if isinstance(body.get("title"), str) and body.get("title") else filename
    with transaction.atomic():
        video = replaced or Video.objects.create(
            title=title[:255], state=Video.State.UPLOADING, uploaded_by=request.user
        )
        upload = MasterUpload(
            owner=request.user, video=video, filename=filename[-255:], length=size, replaces_master=bool(replaced)
        )
        field = Video._meta.get_field("file")
        upload.s3_key = default_storage.get_available_name(field.generate_filename(video, upload.filename))
        created = _client().create_multipart_upload(Bucket=_bucket(), Key=upload.s3_key)
        upload.s3_upload_id = created["UploadId"]
        upload.save()
    return JsonResponse({"id": str(upload.pk), "uploadId": upload.s3_upload_id, "key": upload.s3_key}, status=201)


@login_not_required
@allow_methods("GET")
@storage_errors
def sign_part(request, upload_id, number: int):
    upload, refused = _gate(request, upload_id)
    if refused is not None:
        return refused
    if not 1 <= number <= MAX_PARTS:
        return problem(400, _("Part numbers go from 1 to 10,000."), code="bad_part_number")
    url = _client().generate_presigned_url(
        "upload_part",
        Params={"Bucket": _bucket(), "Key": upload.s3_key, "UploadId": upload.s3_upload_id, "PartNumber": number},
        ExpiresIn=PART_URL_TTL,
    )
    return JsonResponse({"url": url})


def _parts(upload) -> list[dict]:
    parts, marker = [], 0
    while True:
        page = _client().list_parts(
            Bucket=_bucket(), Key=upload.s3_key, UploadId=upload.s3_upload_id, PartNumberMarker=marker
        )
        parts += [{"PartNumber": p["PartNumber"], "Size": p["Size"], "ETag": p["ETag"]} for p in page.get("Parts", [])]
        if not page.get("IsTruncated"):
            return parts
        marker = page["NextPartNumberMarker"]


@login_not_required
@allow_methods("GET", "DELETE")
@storage_errors
def upload_view(request, upload_id):
    upload, refused = _gate(request, upload_id)
    if refused is not None:
        return refused
    if request.method == "DELETE":
        upload.discard()
        return JsonResponse({}, status=200)
    return JsonResponse({"parts": _parts(upload)})


@login_not_required
@allow_methods("POST")
@storage_errors
def complete(request, upload_id):
    upload, refused = _gate(request, upload_id)
    if refused is not None:
        return refused
    body = _json(request)
    sent = (body or {}).get("parts")
    if (
        not isinstance(sent, list)
        or not sent
        or not all(
            isinstance(p, dict) and isinstance(p.get("PartNumber"), int) and isinstance(p.get("ETag"), str)
            for p in sent
        )
    ):
        return problem(400, _("Send the list of parts with their numbers and ETags."), code="bad_upload_request")
    held = {part["PartNumber"]: part for part in _parts(upload)}
    wanted = sorted({p["PartNumber"] for p in sent})
    if wanted != list(range(1, len(wanted) + 1)) or any(
        held.get(p["PartNumber"], {}).get("ETag") != p["ETag"] for p in sent
    ):
        return problem(409, _("Some parts are missing or differ from what the bucket holds."), code="missing_parts")
    size = sum(held[number]["Size"] for number in wanted)
    if size != upload.length:
        return problem(409, _("The parts do not add up to the size declared for the upload."), code="size_mismatch")
    try:
        check_policy(upload.filename, size)
    except UploadRefused as error:
        upload.discard()
        return problem(error.status, str(error.message), code=error.code)
    _client().complete_multipart_upload(
        Bucket=_bucket(),
        Key=upload.s3_key,
        UploadId=upload.s3_upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": held[n]["ETag"]} for n in wanted]},
    )
    with transaction.atomic():
        video = Video.objects.select_for_update().get(pk=upload.video_id)
        old_name = video.file.name
        video.file.name = upload.s3_key
        video.await_ingest()
        video.save()
        upload.delete()
        if old_name:
            transaction.on_commit(lambda: default_storage.delete(old_name))
            transaction.on_commit(lambda: master_replaced.send(sender=Video, video=video))
        transaction.on_commit(lambda: ingest_master.enqueue(video.pk))
    return JsonResponse({"location": video.file.name, "video": video.pk})


urlpatterns = [
    path("", create, name="videos_s3_create"),
    path("<uuid:upload_id>", upload_view, name="videos_s3_upload"),
    path("<uuid:upload_id>/parts/<int:number>", sign_part, name="videos_s3_sign_part"),
    path("<uuid:upload_id>/complete", complete, name="videos_s3_complete"),
]
