"""Who may read the API, and how often: front-end API keys, anonymous reads, rate limits.

A router or an operation opts in with django-ninja's own parameters::

    from cms.api_access import PREVIEW_ACCESS, RATE_LIMITS, READ_ACCESS

    router = StrictRouter(auth=READ_ACCESS, throttle=RATE_LIMITS)

    @router.get("/preview/{token}", auth=PREVIEW_ACCESS)
    def preview(request, token: str):
        front_end_id = request.auth.front_end_id
        ...

- `READ_ACCESS`: anonymous callers, or a key with the `read` scope. A key
  that is sent must be valid: a malformed, unknown, revoked key, or the key
  of an inactive front end, gets 401 and is never treated as anonymous.
- `PREVIEW_ACCESS`: a key with the `preview` scope; 401 without a valid
  key, 403 with a key that lacks the scope.
- `request.auth` is then an `APIClient`: the front end, the key and its
  scopes, or `ANONYMOUS`.
- `RATE_LIMITS`: each key at its own `rate_limit_per_minute`; anonymous
  callers per client IP at `API_ANONYMOUS_RATE_LIMIT`. Over the limit: 429
  with `Retry-After`. The counters live in the Django cache, so they hold
  across processes when the cache is Redis.
- `install_access_handlers(api)`: problem+json documents for a rejected key
  (401, code `invalid_api_key`, `WWW-Authenticate`) and for a rate limit
  (429, code `rate_limited`, `X-RateLimit-*`).

Keys are sent as `Authorization: Bearer <key>` or `X-API-Key: <key>`.

Settings, read through `django.conf.settings`:

- `API_ANONYMOUS_RATE_LIMIT` ("120/min"): requests per client IP without a key.
- `API_TRUSTED_PROXY_COUNT` (0): how many reverse proxies in front of the
  application append to `X-Forwarded-For`. 0 ignores that header: the
  client IP is the connection's address.
- `API_TRUSTED_CLIENT_IP_HEADER` (None): instead, the one header a trusted
  proxy sets to the client IP, e.g. `X-Real-IP`.

The project sets the last two from allauth's, so that the API and the
account endpoints agree on who the client is.
"""

import math

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import APIKeyHeader, HttpBearer

from .api_keys import ANONYMOUS, PREVIEW, READ, APIClient, APIKeyRejected, authenticate_key
from .apikit import problem
from .rate_limits import RATE_LIMITS

# Who may read and how often, from one module: routers take RATE_LIMITS from here (see above).
__all__ = ["PREVIEW_ACCESS", "RATE_LIMITS", "READ_ACCESS", "install_access_handlers"]

# --- django-ninja auth --------------------------------------------------------------

_KEY_DESCRIPTION = (
    "The API key of a registered front end (`fe_…`), as a bearer token or in `X-API-Key`. "
    "Optional for published content: without a key, requests are anonymous and limited per client IP."
)


class FrontEndKeyBearer(HttpBearer):
    """`Authorization: Bearer fe_…`. Other schemes (`Basic`, …) are not ours and are left alone."""

    openapi_description = _KEY_DESCRIPTION

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> APIClient:
        return authenticate_key(token, self.scope)


class FrontEndKeyHeader(APIKeyHeader):
    """`X-API-Key: fe_…`."""

    param_name = "X-API-Key"
    openapi_description = _KEY_DESCRIPTION

    def __init__(self, scope: str):
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> APIClient | None:
        if key is None:
            return None
        return authenticate_key(key, self.scope)


def anonymous_reader(request: HttpRequest) -> APIClient:
    """Last in `READ_ACCESS`: reached only when no key was sent at all."""
    return ANONYMOUS


# The OpenAPI document then lists "no credentials" (`{}`) among the operation's security (cms.api_contract).
anonymous_reader.allows_anonymous = True

READ_ACCESS = (FrontEndKeyBearer(READ), FrontEndKeyHeader(READ), anonymous_reader)
PREVIEW_ACCESS = (FrontEndKeyBearer(PREVIEW), FrontEndKeyHeader(PREVIEW))

# --- Errors as problem documents -------------------------------------------------------


def install_access_handlers(api) -> None:
    """Give `api` the problem documents for rejected keys and rate limits.

    Without them a rejected key still gets a 401 and a rate limit a 429
    with `Retry-After` (through cms.api's handlers for `AuthenticationError`
    and `HttpError`), but with a generic message, no `code`, no
    `WWW-Authenticate` and no `X-RateLimit-*` headers.
    """
    api.add_exception_handler(APIKeyRejected, key_rejected)
    api.add_exception_handler(Throttled, rate_limited)


def key_rejected(request: HttpRequest, exc: APIKeyRejected) -> HttpResponse:
    return problem(
        401, exc.detail, code="invalid_api_key", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
    )


def rate_limited(request: HttpRequest, exc: Throttled) -> HttpResponse:
    headers = {}
    state = getattr(request, "api_rate_limit", None)
    if state is not None:
        headers = {
            "Retry-After": str(state.retry_after),
            "X-RateLimit-Limit": str(state.limit),
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": str(state.retry_after),
        }
    elif exc.wait is not None:
        headers["Retry-After"] = str(math.ceil(exc.wait))
    return problem(
        429,
        _("Too many requests. Retry after the number of seconds given in Retry-After."),
        code="rate_limited",
        headers=headers,
    )
