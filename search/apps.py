from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """The portal's search: a per-language full-text index of published pages and `/api/v1/search/`."""

    name = "search"
    verbose_name = _("Search")

    def ready(self):
        from cms.content_events import listen

        from .api_backend import check_api_backend_setting
        from .index import follow_content_change

        # A misspelt SEARCH_API_BACKEND stops the start, not the first search.
        check_api_backend_setting()
        listen(follow_content_change)

        from django.db.models.signals import post_delete, post_save

        from .models import SearchSynonym
        from .synonyms import synonyms_changed

        post_save.connect(synonyms_changed, sender=SearchSynonym, dispatch_uid="search_synonyms_saved")
        post_delete.connect(synonyms_changed, sender=SearchSynonym, dispatch_uid="search_synonyms_deleted")
