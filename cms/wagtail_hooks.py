from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import FrontEnd


class FrontEndViewSet(SnippetViewSet):
    model = FrontEnd
    icon = "desktop"
    list_display = ["name", "site", "is_active"]
    add_to_settings_menu = True


register_snippet(FrontEndViewSet)
