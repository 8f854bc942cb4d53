"""The admin's Downloads report: every granted download, filtered and exported, read-only for everyone."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from videos.models import Video

from .models import Download


class DownloadFilterSet(WagtailFilterSet):
    """The report's filters: video, person, organisation, period, kind and outcome."""

    video = django_filters.ModelChoiceFilter(label=_("Video"), queryset=Video.objects.order_by("title"))
    user_email = django_filters.CharFilter(label=_("E-mail"), lookup_expr="icontains")
    organisation = django_filters.CharFilter(label=_("Organisation"), lookup_expr="icontains")
    created_at = django_filters.DateFromToRangeFilter(label=_("Period"), widget=DateRangePickerWidget)

    class Meta:
        model = Download
        fields = ["video", "user_email", "organisation", "created_at", "kind", "mode", "outcome"]


class DownloadViewSet(ModelViewSet):
    """The audit trail of downloads, read-only: editors see who took what, and export it."""

    model = Download
    name = "downloads"
    url_prefix = "downloads"
    icon = "download"
    menu_label = _("Downloads")
    menu_order = 260
    add_to_admin_menu = True
    filterset_class = DownloadFilterSet
    copy_view_enabled = False
    inspect_view_enabled = True
    search_fields = ["user_email", "organisation", "video_title"]
    search_backend_name = None
    ordering = ["-created_at"]
    list_display = [
        DateColumn("created_at", label=_("Time")),
        "user_email",
        "organisation",
        "video_title",
        "kind",
        Column("range_display", label=_("Range")),
        "mode",
        "size",
        "outcome",
        "client_ip",
    ]
    list_export = [
        "created_at",
        "user_email",
        "organisation",
        "video_title",
        "video_id",
        "kind",
        "range_display",
        "mode",
        "size",
        "outcome",
        "failure_reason",
        "client_ip",
        "user_agent",
    ]
    export_headings = {"range_display": _("Range"), "video_id": _("Video id")}
    export_filename = "downloads"
    inspect_view_fields = [*list_export, "shot_ids", "job"]
    # ModelViewSet insists on a form definition, although AuditTrailPolicy keeps every form view closed.
    exclude_form_fields = []

    def get_permissions_to_register(self):
        # Only "view" is offered to groups: adding, changing or deleting is refused to everyone (see below).
        return super().get_permissions_to_register().filter(codename="view_download")


class AuditTrailPolicy(ModelPermissionPolicy):
    """Download records are written by the API alone: nobody, superusers included, edits or deletes them."""

    def user_has_permission(self, user, action):
        return action not in ("add", "change", "delete") and super().user_has_permission(user, action)


register_permission_policy(Download, AuditTrailPolicy(Download))


@hooks.register("register_admin_viewset")
def register_downloads_report():
    return DownloadViewSet()
