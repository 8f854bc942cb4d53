from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import HeaderButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from .forms import VideoForm
from .models import Video
from .upload_views import UploadMastersView, upload_states
from .views import VideoCreateView, VideoEditView


class VideoIndexView(IndexView):
    upload_url_name = None

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm("videos.add_video"):
            url = reverse(self.upload_url_name)
            buttons.append(HeaderButton(_("Upload masters"), url=url, icon_name="upload", priority=5))
        return buttons


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = VideoIndexView
    add_view_class = VideoCreateView
    edit_view_class = VideoEditView
    list_display = [
        "title",
        Column("duration_display", label=_("Duration")),
        Column("resolution", label=_("Resolution")),
        "video_codec",
        Column("state_display", label=_("State")),
        "uploaded_at",
    ]
    list_filter = ["video_codec", "all_intra", "state"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [FieldPanel("title"), FieldPanel("file"), FieldPanel("poster")],
        base_form_class=VideoForm,
    )

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(upload_url_name=self.get_url_name("upload"), **kwargs)

    def get_urlpatterns(self):
        # The resumable uploader (videos/upload_views.py) beside the listing and the one-request add form.
        return [
            *super().get_urlpatterns(),
            path("upload/", UploadMastersView.as_view(url_namespace=self.url_namespace), name="upload"),
            path("upload/states/", upload_states, {"url_namespace": self.url_namespace}, name="upload_states"),
        ]


register_snippet(VideoViewSet)
