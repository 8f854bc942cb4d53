"""Resumable uploads of masters: the session an editor's uploader holds while a master arrives.

A `MasterUpload` belongs to one editor and one `Video` (new, `uploading`, or
one whose master it replaces). On the file system the bytes received so far
are a temporary file beside the masters, so the offset is that file's size
and completing is an atomic rename into place.
"""

import os
import uuid
from pathlib import Path

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from storages.backends.s3 import S3Storage

PARTIAL_FOLDER = "videos/partial"


class UploadRefused(Exception):
    """An upload the policy refuses: `status` and `code` for the answer, `message` for the editor."""

    def __init__(self, status: int, code: str, message) -> None:
        super().__init__(str(message))
        self.status, self.code, self.message = status, code, message


def uses_s3() -> bool:
    """Masters on a bucket take the S3 multipart endpoints; on the file system, tus. Each refuses the other storage."""
    return isinstance(default_storage, S3Storage)


def allowed_extensions() -> list[str]:
    return [ext.lower() for ext in settings.VIDEOS_UPLOAD_EXTENSIONS]


def check_policy(filename: str, length: int) -> None:
    """Size and container of a master, checked before the first byte and again on completion."""
    limit = settings.VIDEOS_MAX_UPLOAD_SIZE
    if length > limit:
        raise UploadRefused(
            413,
            "file_too_large",
            _("This file is %(size)s; videos are limited to %(limit)s.")
            % {"size": filesizeformat(length), "limit": filesizeformat(limit)},
        )
    if length <= 0:
        raise UploadRefused(400, "empty", _("This file is empty."))
    if Path(filename).suffix.lower() not in allowed_extensions():
        raise UploadRefused(
            415,
            "container_not_allowed",
            _("This file type is not supported. Upload MP4, MOV, MXF, MKV, AVI or MPEG-TS video."),
        )


class MasterUpload(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    video = models.ForeignKey("videos.Video", on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(_("file name"), max_length=255)
    length = models.PositiveBigIntegerField(_("size in bytes"))
    replaces_master = models.BooleanField(_("replaces the master"), default=False)
    # On S3 the parts go straight to the bucket, as one multipart upload of this key.
    s3_key = models.CharField(_("S3 key"), max_length=500, blank=True)
    s3_upload_id = models.CharField(_("S3 multipart upload"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        app_label = "videos"
        verbose_name = _("master upload")
        verbose_name_plural = _("master uploads")

    def __str__(self):
        return f"{self.filename} ({self.offset}/{self.length})"

    @property
    def partial_path(self) -> Path:
        return Path(default_storage.path(f"{PARTIAL_FOLDER}/{self.pk}.part"))

    @property
    def offset(self) -> int:
        try:
            return self.partial_path.stat().st_size
        except FileNotFoundError:
            return 0

    def discard(self) -> None:
        """Forget the upload and its bytes; a video that never had a master goes with it."""
        if self.s3_upload_id:
            self.abort_s3()
        else:
            self.partial_path.unlink(missing_ok=True)
        video = self.video
        self.delete()
        if not self.replaces_master and video.state == video.State.UPLOADING:
            video.delete()

    def abort_s3(self) -> None:
        client = default_storage.connection.meta.client
        try:
            client.abort_multipart_upload(
                Bucket=default_storage.bucket_name, Key=self.s3_key, UploadId=self.s3_upload_id
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise

    def put_in_place(self) -> str:
        """Move the received file among the masters, atomically (same file system); returns its storage name."""
        upload_to = self.video._meta.get_field("file")
        name = default_storage.get_available_name(upload_to.generate_filename(self.video, self.filename))
        target = Path(default_storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.partial_path, target)
        return name
