"""allauth's headless URLs (`/_allauth/`), with the portal's views in place of a few (accounts/headless.py).

The tree is allauth's own (`allauth.headless.urls`: both clients and the
OpenAPI specification), copied with the same names and namespaces so that
`reverse("headless:...")` keeps working; every view is wrapped to require JSON
bodies, and the views named in VIEW_OVERRIDES are swapped for their subclasses.
"""

from allauth.headless import urls as headless_urls
from allauth.headless.constants import Client
from django.urls import URLPattern, URLResolver

from .headless import VIEW_OVERRIDES, require_json_body

app_name = "headless"


def _rebuild(patterns, client: Client | None):
    rebuilt = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner_client = client
            if pattern.namespace in (Client.BROWSER.value, Client.APP.value):
                inner_client = Client(pattern.namespace)
            rebuilt.append(
                URLResolver(
                    pattern.pattern,
                    _rebuild(pattern.url_patterns, inner_client),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
            continue
        view = pattern.callback
        if client is not None and pattern.name in VIEW_OVERRIDES:
            view = VIEW_OVERRIDES[pattern.name].as_api_view(client=client)
        rebuilt.append(URLPattern(pattern.pattern, require_json_body(view), pattern.default_args, pattern.name))
    return rebuilt


urlpatterns = _rebuild(headless_urls.urlpatterns, None)
