"""A CSRF refusal below `/_allauth/` in allauth's error format, not Django's HTML page.

Only the browser client checks CSRF (the app client sends a session token,
and allauth exempts it). Django's refusal is an HTML page that a front end
cannot read and that allauth's specification does not declare
(accounts/spec.py declares this one). Below `/api/`, cms.api_errors turns
the same refusal into a problem document; elsewhere Django's page stays.
"""

from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure


def csrf_failure(request, reason=""):
    if not request.path.startswith("/_allauth/"):
        return django_csrf_failure(request, reason)
    return JsonResponse(
        {
            "status": HTTPStatus.FORBIDDEN,
            "errors": [
                {
                    "message": _("The request was refused: it came without its CSRF token."),
                    "code": "csrf_failed",
                }
            ],
        },
        status=HTTPStatus.FORBIDDEN,
    )
