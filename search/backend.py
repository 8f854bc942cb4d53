"""A Wagtail search backend that only keeps the portal's search index up to date.

Listed in `WAGTAILSEARCH_BACKENDS` beside the default one, it receives what
Wagtail sends every backend: the save and delete of each indexed object (from
Wagtail's signal handlers) and bulk additions (e.g. `generate_content`, which
writes pages without publish signals). Searching goes through
`/api/v1/search/`, not through this backend.
"""

from modelsearch.backends.base import BaseIndex, BaseSearchBackend

from .index import forget_pages, index_pages, searched_model


class PortalIndex(BaseIndex):
    def get_key(self):
        return "portal"

    def add_item(self, obj):
        self.add_items(type(obj), [obj])

    def add_items(self, model, items):
        if searched_model(model):
            # Reloaded: only what is live now is searchable, whatever the caller holds.
            index_pages([item.pk for item in items])

    def delete_item(self, item):
        if searched_model(type(item)):
            forget_pages([item.pk])


class PortalSearchBackend(BaseSearchBackend):
    index_class = PortalIndex
    # `manage.py update_index` (this app's) rebuilds the portal index itself, with a progress bar.
    rebuilder_class = None

    def search(self, *args, **kwargs):
        raise NotImplementedError("The portal index is searched through /api/v1/search/ (search.query).")

    autocomplete = search


SearchBackend = PortalSearchBackend
