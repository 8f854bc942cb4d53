"""Gated downloads: who may download, how much, what they asked for, and the link they get.

The order of a grant follows the audit rule: the `Download` record is
committed before any link is made, so a failure after it (S3 unreachable, a
worker dying) leaves a record marked failed, never a link without a record.
A person's grants are serialized on their user row, so two simultaneous
requests cannot both slip under the quota.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.entitlements import download_refusals
from cms.routing import HomeDirectory
from videos.models import Video, VideoPage, VideoShot
from videos.timecode import format_timecode, parse_timecode

from .models import Download, DownloadJob

logger = logging.getLogger(__name__)

QUOTA_WINDOW = datetime.timedelta(hours=24)


@dataclass
class DownloadRefused(Exception):
    """A reason not to grant, as the API answers it: HTTP status, machine code, message, headers."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


def link_ttl() -> int:
    return getattr(settings, "VIDEOS_DOWNLOAD_LINK_TTL", 600)


# --- What may be downloaded --------------------------------------------------------------------------------------


def live_video_pages():
    """Video pages the public API shows: live and outside private sections."""
    pages = VideoPage.objects.live()
    for path in HomeDirectory.load().restricted_paths:
        pages = pages.exclude(path__startswith=path)
    return pages


def downloadable_video(video_id: int) -> Video | None:
    """The video, if a page the public can see presents it; unpublished or private videos are not offered."""
    return Video.objects.filter(pk=video_id, pages__in=live_video_pages()).distinct().first()


# --- Who may, and how much -----------------------------------------------------------------------------------------


def entitlement_refusal(user) -> DownloadRefused | None:
    """The first reason `user` may not download at all (401 when anonymous, 403 otherwise)."""
    refusals = download_refusals(user)
    if not refusals:
        return None
    code, message = refusals[0]
    return DownloadRefused(401 if code == "not_authenticated" else 403, code, message)


def quota_refusal(user, size: int, *, now=None) -> DownloadRefused | None:
    """Refuse when this grant of `size` bytes would exceed the rolling 24-hour count or byte quota.

    `Retry-After` is when enough of the window's grants have aged out for
    this one to fit.
    """
    now = now or timezone.now()
    max_count = getattr(settings, "VIDEOS_DAILY_DOWNLOADS", 50)
    max_bytes = getattr(settings, "VIDEOS_DAILY_DOWNLOAD_BYTES", 0)
    granted = Download.objects.filter(user=user, outcome=Download.Outcome.GRANTED, created_at__gt=now - QUOTA_WINDOW)
    totals = granted.aggregate(count=Count("pk"), bytes=Sum("size"), oldest=Min("created_at"))
    count, used = totals["count"], totals["bytes"] or 0
    if max_bytes and size > max_bytes:
        return DownloadRefused(
            403, "quota_exceeded", _("This file is larger than your daily download allowance. Ask us for a copy.")
        )
    free_at = None
    if max_count and count >= max_count:
        free_at = totals["oldest"] + QUOTA_WINDOW
    if max_bytes and used + size > max_bytes:
        # The earliest time at which enough bytes have left the window.
        excess = used + size - max_bytes
        for created_at, grant_size in granted.order_by("created_at").values_list("created_at", "size"):
            excess -= grant_size
            if excess <= 0:
                free_at = max(free_at or created_at, created_at + QUOTA_WINDOW)
                break
    if free_at is None:
        return None
    retry_after = max(1, int((free_at - now).total_seconds()) + 1)
    message = (
        ngettext(
            "You have reached your daily limit of %(count)d download.",
            "You have reached your daily limit of %(count)d downloads.",
            max_count,
        )
        % {"count": max_count}
        if max_count and count >= max_count
        else _("You have reached your daily download volume.")
    )
    return DownloadRefused(403, "quota_exceeded", message, headers={"Retry-After": str(retry_after)})


# A person waiting for this many clips to be cut is asked to wait for one before
# asking for another: cutting, re-encoding above all, takes a worker for as long
# as it lasts, and the daily quota alone would let one account fill the queue.
CLIP_JOBS_RETRY_AFTER = 30


def busy_refusal(user, video: Video, span: "ClipRange", mode: str) -> DownloadRefused | None:
    """Refuse a new clip while `user` already waits for `VIDEOS_CLIP_JOBS_PER_USER` others (429, `too_many_jobs`).

    Asking for a clip that is already being cut, or is ready, joins that job
    and adds no work: always allowed.
    """
    limit = getattr(settings, "VIDEOS_CLIP_JOBS_PER_USER", 3)
    if not limit:
        return None
    pending = (DownloadJob.Status.QUEUED, DownloadJob.Status.RUNNING)
    waiting = DownloadJob.objects.filter(status__in=pending, downloads__user=user).distinct().count()
    if waiting < limit:
        return None
    if _active_jobs(video, span, mode).exists():
        return None
    message = ngettext(
        "You are already waiting for %(count)d clip. Ask for another once it is ready.",
        "You are already waiting for %(count)d clips. Ask for another once one of them is ready.",
        limit,
    ) % {"count": limit}
    return DownloadRefused(429, "too_many_jobs", message, headers={"Retry-After": str(CLIP_JOBS_RETRY_AFTER)})


# --- What exactly was asked for ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClipRange:
    start_ms: int
    end_ms: int
    shot_ids: tuple[int, ...] = ()

    @property
    def seconds(self) -> float:
        return (self.end_ms - self.start_ms) / 1000


def clip_range(video: Video, start, end) -> ClipRange:
    try:
        start_ms, end_ms = _milliseconds(start), _milliseconds(end)
    except ValueError as error:
        raise DownloadRefused(400, "invalid_timecode", str(error)) from None
    return _checked_range(video, start_ms, end_ms)


def _milliseconds(value) -> int:
    """A timecode string, or seconds as a JSON number (to the millisecond; negative and NaN are refused)."""
    return parse_timecode(f"{value:.3f}" if isinstance(value, int | float) else value)


def shots_range(video: Video, shot_ids: list[int]) -> ClipRange:
    """The span of consecutive shots of one of the video's public pages, merged into one clip."""
    if len(set(shot_ids)) != len(shot_ids):
        raise DownloadRefused(400, "invalid_shots", _("Each shot may be listed only once."))
    shots = list(
        VideoShot.objects.filter(pk__in=shot_ids, page__video=video, page__in=live_video_pages()).only(
            "pk", "page_id", "sort_order", "in_point", "out_point"
        )
    )
    if len(shots) != len(shot_ids):
        missing = sorted(set(shot_ids) - {shot.pk for shot in shots})
        raise DownloadRefused(
            404,
            "shot_not_found",
            _("This video has no shot %(ids)s.") % {"ids": ", ".join(str(pk) for pk in missing)},
        )
    if len({shot.page_id for shot in shots}) > 1:
        raise DownloadRefused(400, "invalid_shots", _("Choose shots from one shot list."))
    order = list(
        VideoShot.objects.filter(page_id=shots[0].page_id).order_by("sort_order", "pk").values_list("pk", flat=True)
    )
    positions = sorted(order.index(pk) for pk in shot_ids)
    if positions != list(range(positions[0], positions[0] + len(positions))):
        raise DownloadRefused(400, "invalid_shots", _("The shots must follow each other in the shot list."))
    by_position = sorted(shots, key=lambda shot: order.index(shot.pk))
    checked = _checked_range(video, by_position[0].in_point, by_position[-1].out_point)
    return ClipRange(checked.start_ms, checked.end_ms, tuple(shot.pk for shot in by_position))


def _checked_range(video: Video, start_ms: int, end_ms: int) -> ClipRange:
    if start_ms >= end_ms:
        raise DownloadRefused(400, "invalid_range", _("The in point must come before the out point."))
    if end_ms > video.duration_ms:
        raise DownloadRefused(
            400,
            "invalid_range",
            _("The video lasts %(duration)s; the out point cannot be later.")
            % {"duration": format_timecode(video.duration_ms)},
        )
    max_seconds = getattr(settings, "VIDEOS_CLIP_MAX_SECONDS", 900)
    if max_seconds and end_ms - start_ms > max_seconds * 1000:
        raise DownloadRefused(
            400,
            "clip_too_long",
            _("A clip may last at most %(length)s; download the full video instead.")
            % {"length": format_timecode(max_seconds * 1000)},
        )
    return ClipRange(start_ms, end_ms)


# --- Granting -------------------------------------------------------------------------------------------------------


@dataclass
class Requester:
    user: object
    client_ip: str | None
    user_agent: str


def grant(requester: Requester, video: Video, kind: str, *, mode: str = "", span: ClipRange | None = None):
    """Check the quota and commit the audit record (and the clip job): returns (download, job, job_created)."""
    if span is None:
        size = video.file_size
    else:
        # An estimate until the clip exists: the master's share of the range.
        size = int(video.file_size * min(1.0, span.seconds / max(video.duration, 0.001)))
    with transaction.atomic():
        # One grant at a time per person: the quota is read and written under this lock.
        get_user_model().objects.select_for_update().filter(pk=requester.user.pk).first()
        refused = quota_refusal(requester.user, size)
        if refused is None and span is not None:
            refused = busy_refusal(requester.user, video, span, mode)
        if refused:
            raise refused
        job, created = (None, False) if span is None else _job_for(video, span, mode)
        download = Download.objects.create(
            user=requester.user,
            user_email=requester.user.email,
            organisation=getattr(requester.user, "organisation", ""),
            video=video,
            video_title=video.title,
            kind=kind,
            mode=mode,
            start_ms=span.start_ms if span else None,
            end_ms=span.end_ms if span else None,
            shot_ids=list(span.shot_ids) if span else [],
            job=job,
            size=job.file_size if job and job.file_size else size,
            client_ip=requester.client_ip or None,
            user_agent=requester.user_agent[:500],
        )
        if created:
            from .tasks import cut_clip_job

            job_id = str(job.pk)
            transaction.on_commit(lambda: cut_clip_job.enqueue(job_id))
    return download, job, created


def _job_for(video: Video, span: ClipRange, mode: str) -> tuple[DownloadJob, bool]:
    """The active job for this exact clip, or a new one (the partial unique constraint settles races)."""
    same = _active_jobs(video, span, mode)
    job = same.first()
    if job is None:
        try:
            with transaction.atomic():
                return DownloadJob.objects.create(
                    video=video, start_ms=span.start_ms, end_ms=span.end_ms, mode=mode
                ), True
        except IntegrityError:
            job = same.get()
    if job.status == DownloadJob.Status.READY:
        # Asked for again: keep it at least one link lifetime past the clip's TTL from now.
        keep_until = timezone.now() + datetime.timedelta(seconds=getattr(settings, "VIDEOS_CLIP_TTL", 86400))
        if job.expires_at is None or job.expires_at < keep_until:
            DownloadJob.objects.filter(pk=job.pk).update(expires_at=keep_until)
            job.expires_at = keep_until
    return job, False


def _active_jobs(video: Video, span: ClipRange, mode: str):
    """The job queued, running or ready for this exact clip (at most one: a partial unique constraint)."""
    return DownloadJob.objects.filter(
        video=video, start_ms=span.start_ms, end_ms=span.end_ms, mode=mode, status__in=DownloadJob.ACTIVE
    )


def mark_failed(download: Download, reason: str) -> None:
    """The grant could not be completed: it stays on record, but no longer counts against the quota."""
    Download.objects.filter(pk=download.pk).update(outcome=Download.Outcome.FAILED, failure_reason=reason)


# --- Links ---------------------------------------------------------------------------------------------------------


def download_filename(video: Video, suffix: str, span: ClipRange | None = None) -> str:
    """`title_date[_in-out].ext` in safe ASCII: what the downloader's disk will show."""
    page = VideoPage.objects.filter(video=video).exclude(recorded_on=None).only("recorded_on").first()
    day = page.recorded_on if page else timezone.localdate(video.uploaded_at)
    stem = slugify(video.title)[:80].strip("-") or "video"
    name = f"{stem}_{day:%Y-%m-%d}"
    if span is not None:
        name += "_" + "-".join(
            format_timecode(ms).replace(":", "").replace(".", "") for ms in (span.start_ms, span.end_ms)
        )
    return name + suffix


def stored_size(field_file) -> int:
    """The stored object's size, which also proves it is there (a HEAD on S3).

    Raises `downloads.s3.StorageUnavailable` when S3 cannot be reached and
    FileNotFoundError when the object is missing.
    """
    from . import s3

    if s3.is_remote(field_file.storage):
        return s3.stored_size(field_file.name)
    if not field_file.storage.exists(field_file.name):
        raise FileNotFoundError(field_file.name)
    return field_file.storage.size(field_file.name)


def signed_url(request, user, field_file, filename: str) -> tuple[str, datetime.datetime]:
    """A short-lived URL for `field_file`: presigned on S3, signed for our streaming view on disk."""
    from . import s3, streaming

    ttl = link_ttl()
    expires_at = timezone.now() + datetime.timedelta(seconds=ttl)
    if s3.is_remote(field_file.storage):
        return s3.presigned_download_url(field_file.name, filename=filename, expires_in=ttl), expires_at
    path = streaming.signed_file_url(name=field_file.name, user=user, filename=filename, expires_at=expires_at)
    return request.build_absolute_uri(path), expires_at
