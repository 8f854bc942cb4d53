"""The `download` field of video pages in the content API: what the caller may download, and why not.

It belongs to this app, not to `videos`: `DownloadsConfig.ready` adds it to
the video page type (`PageTypeAPI.add_field`), so videos never imports downloads.
"""

from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from django.conf import settings
from django.utils import translation
from ninja import Schema
from pydantic import Field

from accounts.entitlements import REFUSAL_MESSAGES, download_refusal_codes
from cms.caching import vary_by_caller
from cms.content_types import APIField

from .grants import quota_refusal


class Refusal(Schema):
    code: str = Field(description="not_authenticated, inactive, email_unverified, terms_not_accepted, quota_exceeded")
    message: str


class DownloadOffer(Schema):
    """What the caller may download of this video; anonymous callers see the offer without a link."""

    can_download: bool
    refusals: list[Refusal] = Field(description="Why not, when `can_download` is false.")
    request_url: str | None = Field(
        description="POST a download request here (full, clip or shots); null unless `can_download`."
    )
    kinds: list[str] = Field(description="What may be asked for: full, clip, shots.")
    max_clip_seconds: int
    frame_exact_fast_clips: bool = Field(
        description="Intra-only master: `fast` clips are cut on the exact frames. Otherwise they start on a keyframe."
    )


def _caller(request):
    """The person behind a content request, if it says who it is (an allauth token or a browser session)."""
    if not hasattr(request, "_download_caller"):
        user = None
        token = request.headers.get("X-Session-Token")
        if token:
            found = authenticate_by_x_session_token(token)
            user = found[0] if found else None
        elif settings.SESSION_COOKIE_NAME in request.COOKIES and hasattr(request, "user"):
            user = request.user if request.user.is_authenticated else None
        request._download_caller = user
    return request._download_caller


def caller_refusal_codes(request) -> tuple[str, ...]:
    if not hasattr(request, "_download_refusals"):
        user = _caller(request)
        codes = download_refusal_codes(user)
        if not codes and quota_refusal(user, 0):
            codes = ["quota_exceeded"]
        request._download_refusals = tuple(codes)
    return request._download_refusals


@vary_by_caller
def download_variant(request) -> str:
    """Responses differ by what the caller may download; anonymous callers cost nothing to tell apart."""
    if not request.headers.get("X-Session-Token") and settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""
    return "downloads:" + (",".join(caller_refusal_codes(request)) or "ok")


def _download_offer(page, context):
    request = context.request
    identified = bool(download_variant(request))
    codes = caller_refusal_codes(request) if identified else ("not_authenticated",)
    with translation.override(context.languages.get(page.locale_id) or None):
        refusals = [{"code": code, "message": str(REFUSAL_MESSAGES[code])} for code in codes]
    return {
        "can_download": not codes,
        "refusals": refusals,
        "request_url": None if codes else context.absolute(f"/api/v1/videos/{page.video_id}/downloads"),
        "kinds": ["full", "clip", "shots"],
        "max_clip_seconds": getattr(settings, "VIDEOS_CLIP_MAX_SECONDS", 900),
        "frame_exact_fast_clips": page.video.all_intra,
    }


DOWNLOAD_OFFER = APIField(
    "download",
    DownloadOffer,
    _download_offer,
    select_related=("video",),
    description="What the caller may download: the master facts are under `video`, the shots under `shots`.",
)
