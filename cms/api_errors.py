"""Every error answer under `/api/` is a problem document, whoever writes it.

The API's own failures are problem documents already (`cms.apikit`). This
middleware covers the answers written outside it: Django's 404 for an
unknown `/api/v1/…` path, ninja's bare 405 for a method a path does not
serve, the 500 of an exception that escaped (DEBUG's technical pages
included, so no traceback reaches a client even in development), and
Django's own refusals (413, CSRF's 403, 400 for a bad host). An error answer
that is JSON already is left alone. The database or the cache failing outside
an operation's own handlers (a rate limit counted in the cache, before the
view runs) is the 503 `unavailable` the operations answer, not a 500.
"""

from http import HTTPStatus

from django.utils.translation import gettext as _

from .apikit import UNAVAILABLE_ERRORS, problem, service_unavailable

# Headers of the original answer a client still needs to act on it.
_KEPT_HEADERS = ("Allow", "Retry-After", "Vary")


def _detail(response) -> tuple[str, str | None]:
    status = response.status_code
    if status == 404:
        return _("Not found."), "not_found"
    if status == 405:
        allowed = response.get("Allow", "")
        return _("Method not allowed. Allowed: %(allowed)s.") % {"allowed": allowed or _("none")}, "method_not_allowed"
    if status >= 500:
        return _("Something went wrong on our side."), "server_error"
    return "", None


def _is_known_status(status: int) -> bool:
    try:
        HTTPStatus(status)
    except ValueError:
        return False
    return True


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def process_exception(self, request, exception):
        if request.path.startswith("/api/") and isinstance(exception, UNAVAILABLE_ERRORS):
            return service_unavailable(request, exception)
        return None

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith(("application/problem+json", "application/json")):
            return response
        status = response.status_code if _is_known_status(response.status_code) else 500
        detail, code = _detail(response)
        replaced = problem(status, detail, code=code)
        for name in _KEPT_HEADERS:
            if name in response:
                replaced[name] = response[name]
        return replaced
