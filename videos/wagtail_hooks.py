from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .forms import VideoForm
from .models import Video
from .views import VideoCreateView, VideoEditView


class VideoViewSet(SnippetViewSet):
    model = Video
    icon = "media"
    menu_label = _("Videos")
    menu_order = 250
    add_to_admin_menu = True
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


register_snippet(VideoViewSet)
