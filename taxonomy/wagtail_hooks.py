from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Person, Topic


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    list_display = ["name", "role", "locale"]
    search_fields = ["name", "role"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug", "locale"]
    search_fields = ["name"]


class TaxonomyViewSetGroup(SnippetViewSetGroup):
    items = (PersonViewSet, TopicViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("People and topics")
    menu_order = 260


register_snippet(TaxonomyViewSetGroup)
