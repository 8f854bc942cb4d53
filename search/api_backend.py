"""Which engine serves `/api/v1/search/`: the setting `SEARCH_API_BACKEND`, read and checked.

Both `search.models` (whose documents Wagtail's backends index only when one
of them serves the API) and `search.engines` (which searches through it) need
this; it imports neither, so they do not import each other.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from modelsearch.backends import get_search_backend
from modelsearch.conf import get_app_config

PORTAL = "portal"
# The WAGTAILSEARCH_BACKENDS entry that only keeps the portal's index up to date: it cannot search.
PORTAL_BACKEND_MODULE = "search.backend"


def api_backend_name() -> str | None:
    """The `WAGTAILSEARCH_BACKENDS` alias serving `/api/v1/search/`, or None when the portal's own index does."""
    name = settings.SEARCH_API_BACKEND
    return None if name == PORTAL else name


def api_backend():
    name = api_backend_name()
    return get_search_backend(name) if name else None


def check_api_backend_setting() -> None:
    """Refuse, at start-up, a `SEARCH_API_BACKEND` that names no backend able to search."""
    name = settings.SEARCH_API_BACKEND
    backends = get_app_config().get_search_backend_config()
    searchable = sorted(alias for alias, config in backends.items() if config.get("BACKEND") != PORTAL_BACKEND_MODULE)
    if name != PORTAL and name not in searchable:
        raise ImproperlyConfigured(
            _(
                "SEARCH_API_BACKEND is %(name)r: use %(portal)r (the portal's own index) "
                "or the name of one of WAGTAILSEARCH_BACKENDS: %(aliases)s."
            )
            % {"name": name, "portal": PORTAL, "aliases": ", ".join(searchable)}
        )
