"""Downloads in /api/v1/: ask for a master or a clip, then follow the clip's job.

Callers authenticate as people (allauth's X-Session-Token, or the browser
session with its CSRF token), never as front ends: a download belongs to
someone. Refusals are problem+json documents whose `code` says why
(`not_authenticated`, `email_unverified`, `terms_not_accepted`,
`quota_exceeded` with `Retry-After`, …).
"""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status
from pydantic import ConfigDict, Field, model_validator

from accounts.api import member_auth
from cms.api_contract import Id
from cms.apikit import Problem, StrictRouter, problem
from cms.rate_limits import client_ip
from videos.timecode import format_timecode

from . import grants, tasks
from .grants import DownloadRefused, Requester
from .models import DownloadJob
from .s3 import StorageUnavailable

router = StrictRouter(tags=["downloads"])

# "HH:MM:SS.mmm" or seconds; the range is checked against the video's duration.
Timecode = Annotated[str, Field(max_length=32)] | float


class DownloadRequest(Schema):
    """What to download: the whole master, a range, or consecutive shots of the shot list."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["full", "clip", "shots"]
    start: Timecode | None = Field(None, description='In point of a clip: "HH:MM:SS.mmm" or seconds.')
    end: Timecode | None = Field(None, description='Out point of a clip: "HH:MM:SS.mmm" or seconds.')
    shots: list[Id] | None = Field(
        None, max_length=1000, description="Shot ids (from the video page's shot list), consecutive."
    )
    mode: Literal["fast", "exact"] | None = Field(
        None,
        description="Clips only. `fast` copies the stream (cut on keyframes for long-GOP masters, on any frame for "
        "intra-only ones); `exact` re-encodes to H.264/AAC and cuts on the requested frames. Default `fast`.",
    )

    @model_validator(mode="after")
    def fields_match_kind(self):
        wanted = {"full": set(), "clip": {"start", "end"}, "shots": {"shots"}}[self.kind]
        given = {name for name in ("start", "end", "shots") if getattr(self, name) is not None}
        if given - wanted:
            raise ValueError(
                _("%(fields)s cannot be used with kind “%(kind)s”.")
                % {"fields": ", ".join(sorted(given - wanted)), "kind": self.kind}
            )
        if wanted - given:
            raise ValueError(
                _("kind “%(kind)s” needs %(fields)s.")
                % {"fields": ", ".join(sorted(wanted - given)), "kind": self.kind}
            )
        if self.kind == "full" and self.mode is not None:
            raise ValueError(_("mode applies to clips only."))
        if self.kind == "shots" and not self.shots:
            raise ValueError(_("List at least one shot."))
        return self


class DownloadLink(Schema):
    url: str = Field(description="Short-lived, signed: fetch it soon; ask again for a fresh one.")
    filename: str
    size: int = Field(description="Bytes.")
    expires_at: datetime


class FullDownload(DownloadLink):
    kind: Literal["full"] = "full"
    download_id: int


class ClipPoints(Schema):
    start: str = Field(description="HH:MM:SS.mmm")
    end: str = Field(description="HH:MM:SS.mmm")
    start_ms: int
    end_ms: int


class JobError(Schema):
    code: str = Field(description="video_deleted, cut_failed, storage_error, worker_lost, not_started")
    message: str


class ClipJob(Schema):
    """A clip being cut; poll `status_url` until `ready` (with `link`) or `failed` (with `error`)."""

    job_id: uuid.UUID
    status: Literal["queued", "running", "ready", "failed", "expired"]
    progress: float = Field(description="Percent, while running.")
    mode: Literal["fast", "exact"]
    video_id: int | None
    requested: ClipPoints
    actual: ClipPoints | None = Field(
        description="The clip's real in and out points once ready (fast cuts of long-GOP masters start on a keyframe)."
    )
    link: DownloadLink | None
    error: JobError | None
    status_url: str


def _points(start_ms: int | None, end_ms: int | None) -> dict | None:
    if start_ms is None or end_ms is None:
        return None
    return {"start": format_timecode(start_ms), "end": format_timecode(end_ms), "start_ms": start_ms, "end_ms": end_ms}


_JOB_ERRORS = {
    "video_deleted": lambda: _("The video was withdrawn before the clip was made."),
    "cut_failed": lambda: _("The clip could not be cut from this video."),
    "storage_error": lambda: _("The clip could not be stored. Please try again."),
    "worker_lost": lambda: _("Cutting the clip took too long and was stopped. Please try again."),
    "not_started": lambda: _("The clip was never started. Please try again."),
}


def _job_body(request: HttpRequest, job: DownloadJob) -> dict:
    link = None
    if job.status == DownloadJob.Status.READY and job.file:
        span = grants.ClipRange(job.clip_start_ms, job.clip_end_ms)  # name the file after what it holds
        filename = grants.download_filename(job.video, "." + job.file.name.rsplit(".", 1)[-1], span)
        url, expires_at = grants.signed_url(request, request.auth, job.file, filename)
        link = {"url": url, "filename": filename, "size": job.file_size or 0, "expires_at": expires_at}
    error = None
    if job.status == DownloadJob.Status.FAILED:
        error = {"code": job.error_code, "message": _JOB_ERRORS.get(job.error_code, _JOB_ERRORS["cut_failed"])()}
    return {
        "job_id": job.pk,
        "status": job.status,
        "progress": round(job.progress, 1),
        "mode": job.mode,
        "video_id": job.video_id,
        "requested": _points(job.start_ms, job.end_ms),
        "actual": _points(job.clip_start_ms, job.clip_end_ms) if job.status == DownloadJob.Status.READY else None,
        "link": link,
        "error": error,
        "status_url": request.build_absolute_uri(f"/api/v1/downloads/{job.pk}"),
    }


def _refused(refusal: DownloadRefused):
    return problem(refusal.status, refusal.message, code=refusal.code, headers=refusal.headers)


@router.post(
    "/videos/{video_id}/downloads",
    auth=member_auth,
    response={200: FullDownload, 202: ClipJob, 503: Problem},
    summary="Download a video: the full master, a clip or consecutive shots",
    description="A full master answers at once with a signed link; a clip answers 202 with a job to poll. "
    "Needs a verified e-mail address, the current terms accepted and room in the daily quota; "
    "a new clip also needs fewer than `DOWNLOAD_CLIP_JOBS_PER_USER` (3) clips of yours waiting to be cut "
    "(429 `too_many_jobs` with `Retry-After` otherwise).",
    # Named as before the move from videos/, so that clients generated from the schema keep their names.
    operation_id="videos_downloads_api_request_download",
)
def request_download(request: HttpRequest, video_id: Id, payload: DownloadRequest):
    user = request.auth
    refusal = grants.entitlement_refusal(user)
    if refusal:
        return _refused(refusal)
    video = grants.downloadable_video(video_id)
    if video is None:
        return problem(404, _("There is no downloadable video with this id."), code="video_not_found")
    try:
        span = None
        if payload.kind == "clip":
            span = grants.clip_range(video, payload.start, payload.end)
        elif payload.kind == "shots":
            span = grants.shots_range(video, payload.shots)
        requester = Requester(user, client_ip(request), request.headers.get("User-Agent", ""))
        mode = (payload.mode or "fast") if span else ""
        download, job, _created = grants.grant(requester, video, payload.kind, mode=mode, span=span)
    except DownloadRefused as refusal:
        return _refused(refusal)

    if job is not None:
        return Status(202, _job_body(request, job))

    try:
        size = grants.stored_size(video.file)
        filename = grants.download_filename(video, "." + video.file.name.rsplit(".", 1)[-1])
        url, expires_at = grants.signed_url(request, user, video.file, filename)
    except StorageUnavailable:
        grants.mark_failed(download, "storage_unavailable")
        return problem(
            503,
            _("Video storage is unreachable. Please try again shortly."),
            code="storage_unavailable",
            headers={"Retry-After": "30"},
        )
    except FileNotFoundError:
        grants.mark_failed(download, "master_missing")
        grants.logger.error("The master of video %s is missing from storage: %s", video.pk, video.file.name)
        return problem(
            503,
            _("This video is temporarily unavailable. Please try again later."),
            code="master_unavailable",
            headers={"Retry-After": "3600"},
        )
    return {
        "download_id": download.pk,
        "url": url,
        "filename": filename,
        "size": size,
        "expires_at": expires_at,
    }


@router.get(
    "/downloads/{job_id}",
    auth=member_auth,
    response=ClipJob,
    summary="Follow a clip job",
    description="Only the people who asked for the clip see its job; for anyone else it does not exist.",
    operation_id="videos_downloads_api_clip_job",  # as before the move (see request_download)
)
def clip_job(request: HttpRequest, job_id: uuid.UUID):
    job = DownloadJob.objects.select_related("video").filter(pk=job_id, downloads__user=request.auth).distinct().first()
    if job is None:
        return problem(404, _("There is no such download job."), code="job_not_found")
    tasks.recover_if_stalled(job)
    return _job_body(request, job)
