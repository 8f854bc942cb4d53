"""Return URLs ("return to the page you were on"): a relative path, or a page of a registered front end.

Anything else (another origin, `//evil`, `/\\evil`, `javascript:`, credentials
in the URL, control characters) is refused, so the API can never be used to
send someone to a third-party site from an e-mail or a redirect.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cms.models import FrontEnd, normalise_origin

MAX_LENGTH = 2000
SESSION_KEY = "accounts_return_url"


def registered_origins() -> set[str]:
    origins = set()
    for origin in FrontEnd.objects.allowed_origins():
        try:
            origins.add(normalise_origin(origin))
        except ValueError:
            continue
    return origins


def clean_return_url(value: str) -> str:
    """The URL itself when it is safe to send a person to; raises ValidationError otherwise."""
    error = ValidationError(
        _("This return URL is not allowed: use a relative path or a page of a registered front end."),
        code="invalid_return_url",
    )
    if not isinstance(value, str) or len(value) > MAX_LENGTH:
        raise error
    # Browsers ignore or reinterpret whitespace, control characters and
    # backslashes (`/\evil` is `//evil` to them), so none is accepted.
    if any(ord(character) <= 0x20 or ord(character) == 0x7F or character == "\\" for character in value):
        raise error
    if not value.isascii():
        raise error
    parts = urlsplit(value)
    if not parts.scheme and not parts.netloc:
        if not value.startswith("/") or value.startswith("//"):
            raise error
        return value
    if parts.scheme not in ("http", "https") or parts.username is not None or parts.password is not None:
        raise error
    try:
        origin = normalise_origin(f"{parts.scheme}://{parts.netloc}")
    except ValueError:
        raise error from None
    if origin not in registered_origins():
        raise error
    return value


def request_front_end_origin(request) -> str:
    """The registered front end this request came from (its Origin header), or the configured default."""
    origin = request.headers.get("Origin", "") if request is not None else ""
    if origin:
        try:
            origin = normalise_origin(origin)
        except ValueError:
            origin = ""
    if origin and origin in registered_origins():
        return origin
    return getattr(settings, "ACCOUNTS_FRONTEND_URL", "http://localhost:3000").rstrip("/")


def absolute_return_url(request, value: str) -> str:
    """Where an e-mail's "return to the page" button points: relative paths land on the requesting front end."""
    if not value:
        return ""
    if value.startswith("/"):
        return request_front_end_origin(request) + value
    return value
