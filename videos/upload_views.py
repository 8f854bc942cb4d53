"""The admin's "Upload masters" screen: Uppy's Dashboard on the resumable endpoints, and the state of what arrived.

The bundle (videos/static/videos/uploader/, built from videos/uploader/) is
plain static files: the screen hands it, in one JSON document, the protocol
the storage calls for (tus on the file system, S3 multipart on a bucket), its
endpoint, the CSRF token, the limits and the editor's language; our own words
are translated here with gettext, Uppy's come from @uppy/locales.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import Video
from .uploads import allowed_extensions, uses_s3

S3_MIN_PART_SIZE = 5 * 1024 * 1024
MAX_STATES = 100


def _require_uploader(user) -> None:
    if not user.has_perm("videos.add_video"):
        raise PermissionDenied


class UploadMastersView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "videos/upload_masters.html"
    page_title = gettext_lazy("Upload masters")
    header_icon = "upload"
    url_namespace = ""  # set by VideoViewSet: the snippet views' URL namespace

    def dispatch(self, request, *args, **kwargs):
        _require_uploader(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{self.url_namespace}:list"), "label": Video._meta.verbose_name_plural.capitalize()},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        s3 = uses_s3()
        chunk_size = settings.VIDEOS_UPLOAD_CHUNK_SIZE
        context["uploader_config"] = {
            "protocol": "s3" if s3 else "tus",
            "endpoint": reverse("videos_s3_create") if s3 else reverse("videos_tus_create"),
            "csrfToken": get_token(self.request),
            "chunkSize": max(chunk_size, S3_MIN_PART_SIZE) if s3 else chunk_size,
            "maxFileSize": settings.VIDEOS_MAX_UPLOAD_SIZE,
            "allowedFileTypes": allowed_extensions(),
            "locale": "fr" if (get_language() or "").startswith("fr") else "en",
            "statesUrl": reverse(f"{self.url_namespace}:upload_states"),
            "strings": {
                "note": _(
                    "Video masters (MP4, MOV, MXF, MKV, AVI, MPEG-TS). "
                    "An interrupted upload resumes: pick the same file again."
                ),
                "waiting": _("Waiting for the server…"),
            },
        }
        context["listing_url"] = reverse(f"{self.url_namespace}:list")
        return context


def upload_states(request, url_namespace: str):
    """The state of the videos the uploader made (`?video=ID`, repeated): what the screen shows under the Dashboard."""
    _require_uploader(request.user)
    ids = request.GET.getlist("video")
    if len(ids) > MAX_STATES or not all(value.isascii() and value.isdigit() and len(value) < 19 for value in ids):
        return JsonResponse({"detail": _("Ask for at most 100 videos, by their numbers.")}, status=400)
    videos = Video.objects.filter(pk__in=[int(value) for value in ids]).order_by("pk")
    return JsonResponse(
        {
            "videos": [
                {
                    "id": video.pk,
                    "title": video.title,
                    "state": video.state,
                    "label": video.state_display,
                    "editUrl": reverse(f"{url_namespace}:edit", args=[video.pk]),
                }
                for video in videos
            ]
        }
    )
