"""allauth's headless URLs (`/_allauth/`), with the portal's views in place of a few (accounts/headless.py).

The tree is allauth's own (`allauth.headless.urls`: both clients and the
OpenAPI specification), copied with the same names and namespaces so that
`reverse("headless:...")` keeps working; every view is wrapped to require JSON
bodies, and the views named in VIEW_OVERRIDES are swapped for their subclasses.
The phone endpoints are left out: accounts have no phone number here, and
allauth serves them anyway (its ManagePhoneView fails with a 500 on a TRACE).
Any other path below `/_allauth/` is a 404 in allauth's error format, and a
method the served document does not declare for a path is a 405 with `Allow`
(allauth authenticates and reads the input before it dispatches on the
method, so it would answer a TRACE with a 400, 401 or 409).
"""

import functools
from http import HTTPStatus

from allauth.headless import urls as headless_urls
from allauth.headless.constants import Client
from django.http import JsonResponse
from django.urls import Resolver404, URLPattern, URLResolver, re_path, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import limits, spec
from .headless import VIEW_OVERRIDES, require_json_body

app_name = "headless"

#: allauth URL names the portal does not serve.
NOT_SERVED = {"manage_phone", "verify_phone", "resend_phone_verification_code"}
#: allauth's rate-limited views and the action their limits count under (ACCOUNT_RATE_LIMITS).
RATE_ACTIONS = {
    "login": "login",
    "signup": "signup",
    "request_password_reset": "reset_password",
    "reset_password": "reset_password_from_key",
    "change_password": "change_password",
    "manage_email": "manage_email",
    "reauthenticate": "reauthenticate",
}
#: allauth's specification views, replaced by the corrected document (accounts/spec.py).
SPEC_VIEWS = {"openapi_json": spec.openapi_json, "openapi_yaml": spec.openapi_yaml}


def speaking_limits(view, action: str):
    """allauth answers its rate limits with a bare {"status": 429}; say what and when (accounts/limits.py)."""

    @functools.wraps(view)
    def speaking(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != HTTPStatus.TOO_MANY_REQUESTS or response.has_header("Retry-After"):
            return response
        return limits.rate_limited(request, action)

    return speaking


@csrf_exempt  # an address that is nothing is a 404 for every method, not a CSRF refusal
def not_found(request, *args, **kwargs):
    return JsonResponse(
        {
            "status": HTTPStatus.NOT_FOUND,
            "errors": [{"message": _("There is nothing at this address."), "code": "not_found"}],
        },
        status=HTTPStatus.NOT_FOUND,
    )


#: Methods answered whatever the document says: CORS preflights (django-cors-headers answers most of them).
ALWAYS_ALLOWED = {"OPTIONS"}


@functools.cache
def declared_methods() -> dict[str, frozenset[str]]:
    """The methods the served document declares, by the view name each of its paths resolves to."""
    declared = {}
    for path, item in spec.corrected_schema()["paths"].items():
        methods = {method.upper() for method in item if method != "parameters"}
        if "GET" in methods:
            methods.add("HEAD")
        for client in Client:
            try:
                match = resolve(path.replace("{client}", client.value))
            except Resolver404:
                continue
            declared[match.view_name] = frozenset(methods | ALWAYS_ALLOWED)
    return declared


def declared_methods_only(view):
    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        allowed = declared_methods().get(request.resolver_match.view_name) if request.resolver_match else None
        if allowed is None or request.method in allowed:
            return view(request, *args, **kwargs)
        response = JsonResponse(
            {
                "status": HTTPStatus.METHOD_NOT_ALLOWED,
                "errors": [{"message": _("This method is not allowed here."), "code": "method_not_allowed"}],
            },
            status=HTTPStatus.METHOD_NOT_ALLOWED,
        )
        response["Allow"] = ", ".join(sorted(allowed))
        return response

    return guarded


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
        if pattern.name in NOT_SERVED:
            continue
        view = SPEC_VIEWS.get(pattern.name, pattern.callback)
        if client is not None and pattern.name in VIEW_OVERRIDES:
            view = VIEW_OVERRIDES[pattern.name].as_api_view(client=client)
        if pattern.name in RATE_ACTIONS:
            view = speaking_limits(view, RATE_ACTIONS[pattern.name])
        view = declared_methods_only(require_json_body(view))
        rebuilt.append(URLPattern(pattern.pattern, view, pattern.default_args, pattern.name))
    return rebuilt


urlpatterns = [*_rebuild(headless_urls.urlpatterns, None), re_path(r"", not_found, name="not_found")]
