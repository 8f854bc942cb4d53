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

import functools
import hashlib
import hmac
import ipaddress
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, Throttled
from ninja.security import APIKeyHeader, HttpBearer
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from .apikit import problem
from .models import FrontEnd, FrontEndAPIKey

READ = str(FrontEndAPIKey.Scope.READ)
PREVIEW = str(FrontEndAPIKey.Scope.PREVIEW)

DEFAULT_ANONYMOUS_RATE_LIMIT = "120/min"

# Saving or deleting a key or a front end drops its cached record at once.
# The expiry bounds how long a change that no signal reports (a queryset
# update(), or a local-memory cache in another process) can go unnoticed.
KEY_CACHE_SECONDS = 60
# `last_used_at` is for people ("is this key still in use?"): a write per
# minute and key is plenty, and keeps hot requests free of queries.
LAST_USED_RESOLUTION_SECONDS = 60
# Generated keys are 63 characters; anything much longer is not one of ours
# and is refused before it is hashed.
MAX_KEY_LENGTH = 128
_HEX_DIGITS = frozenset("0123456789abcdef")
_UNKNOWN = "unknown"


@dataclass(frozen=True)
class APIClient:
    """Who is calling: a front end through one of its keys, or an anonymous reader (`request.auth`)."""

    scopes: frozenset[str]
    front_end_id: int | None = None
    front_end_name: str = ""
    site_id: int | None = None
    key_id: int | None = None
    key_lookup_id: str = ""
    key_name: str = ""
    rate_limit_per_minute: int | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.key_id is None

    @property
    def key_prefix(self) -> str:
        """`fe_<lookup id>_`: names the key in logs and in the admin without revealing it."""
        return f"{FrontEndAPIKey.PREFIX}{self.key_lookup_id}_" if self.key_lookup_id else ""

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def __str__(self):
        return "anonymous" if self.is_anonymous else f"{self.front_end_name} ({self.key_prefix}…)"


ANONYMOUS = APIClient(scopes=frozenset({READ}))


class APIKeyRejected(AuthenticationError):
    """A key was sent and is not valid. The request fails: it never continues as anonymous."""

    def __init__(self, detail: str):
        super().__init__(401, detail)
        self.detail = detail


# --- Checking a key ---------------------------------------------------------------


def _record_cache_key(lookup_id: str) -> str:
    return f"cms:api-key:{lookup_id}"


def _load_record(lookup_id: str) -> dict | str:
    """What a request needs to know about a key, as plain values that survive any deploy in the cache."""
    try:
        key = FrontEndAPIKey.objects.select_related("front_end").get(lookup_id=lookup_id)
    except FrontEndAPIKey.DoesNotExist:
        # Remembered too, so a client stuck on a deleted key does not cost a query per request.
        return _UNKNOWN
    return {
        "id": key.pk,
        "name": key.name,
        "digest": key.digest,
        "scopes": sorted(str(scope) for scope in key.scopes),
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "revoked": key.revoked_at is not None,
        "front_end_id": key.front_end_id,
        "front_end_name": key.front_end.name,
        "front_end_active": key.front_end.is_active,
        "site_id": key.front_end.site_id,
    }


def authenticate_key(key: str, scope: str) -> APIClient:
    """The client `key` identifies, if it is valid and grants `scope`.

    Raises `APIKeyRejected` (401) for a key that is not valid and
    `PermissionDenied` (403) for a valid key without `scope`.
    """
    key = key.strip()
    parsed = FrontEndAPIKey.parse(key) if len(key) <= MAX_KEY_LENGTH else None
    # The lookup id goes into a cache key: only the hex digits generate() produces are accepted.
    if parsed is None or not set(parsed[0]) <= _HEX_DIGITS:
        raise APIKeyRejected(_("Malformed API key: expected fe_<16 hexadecimal digits>_<secret>."))
    lookup_id, secret = parsed

    record = cache.get(_record_cache_key(lookup_id))
    if record is None:
        record = _load_record(lookup_id)
        cache.set(_record_cache_key(lookup_id), record, KEY_CACHE_SECONDS)
    # One answer for "no such key" and "wrong secret", and revocation is
    # only reported to whoever holds the secret.
    if record == _UNKNOWN or not hmac.compare_digest(record["digest"], FrontEndAPIKey.digest_of(secret)):
        raise APIKeyRejected(_("Unknown API key."))
    if record["revoked"]:
        raise APIKeyRejected(_("This API key has been revoked."))
    if not record["front_end_active"]:
        raise APIKeyRejected(_("The front end of this API key is not active."))

    client = APIClient(
        scopes=frozenset(record["scopes"]),
        front_end_id=record["front_end_id"],
        front_end_name=record["front_end_name"],
        site_id=record["site_id"],
        key_id=record["id"],
        key_lookup_id=lookup_id,
        key_name=record["name"],
        rate_limit_per_minute=record["rate_limit_per_minute"],
    )
    _note_use(client)
    if not client.has_scope(scope):
        raise PermissionDenied(_("This API key does not have the “%(scope)s” scope.") % {"scope": scope})
    return client


def _note_use(client: APIClient) -> None:
    if cache.add(f"cms:api-key-used:{client.key_id}", True, LAST_USED_RESOLUTION_SECONDS):
        # update(), not save() on a cached copy: nothing else about the key may be written back.
        FrontEndAPIKey.objects.filter(pk=client.key_id).update(last_used_at=timezone.now())


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


READ_ACCESS = (FrontEndKeyBearer(READ), FrontEndKeyHeader(READ), anonymous_reader)
PREVIEW_ACCESS = (FrontEndKeyBearer(PREVIEW), FrontEndKeyHeader(PREVIEW))


# --- Client IP ----------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The caller's IP address, as far as the proxies in front of the application can be trusted.

    With `API_TRUSTED_CLIENT_IP_HEADER`, the address that header carries.
    With `API_TRUSTED_PROXY_COUNT` = N, the N-th entry of X-Forwarded-For
    from the right: each trusted proxy appends the address it received the
    request from, and anything further left was written by the client and
    proves nothing. Otherwise the connection's address.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    header = getattr(settings, "API_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        # Missing: the request did not come through that proxy.
        return request.headers.get(header, "").strip() or remote_addr
    trusted = getattr(settings, "API_TRUSTED_PROXY_COUNT", 0)
    if trusted <= 0:
        return remote_addr
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not forwarded:
        return remote_addr
    return forwarded[-min(trusted, len(forwarded))]


def _parse_ip(value: str):
    """An address, also from the `1.2.3.4:port` and `[::1]:port` forms some proxies write; or None."""
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.partition(":")[0])
    for candidate in candidates:
        try:
            return ipaddress.ip_address(candidate)
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=4096)
def _client_bucket(address: str) -> str:
    """What one anonymous rate limit counts: an IPv4 address, or an IPv6 /64.

    One IPv6 subscriber usually holds a whole /64, so counting single
    addresses would give each of them billions of separate limits. Remembered
    per address (a pure function of it): parsing it was a fiftieth of a
    cached answer.
    """
    ip = _parse_ip(address)
    if ip is None:
        # Still one client, and safe in a cache key.
        return hashlib.sha256(address.encode()).hexdigest()
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:1.2.3.4 is 1.2.3.4
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# --- Rate limits ----------------------------------------------------------------------


@dataclass(frozen=True)
class RateLimitState:
    """Why a request was refused, for the headers of the 429 response."""

    limit: int
    retry_after: int


# ninja's rate syntax ("120/min"), read with ninja's own parser, which needs no throttle set up.
parse_rate = SimpleRateThrottle.__new__(SimpleRateThrottle).parse_rate


class ClientRateThrottle(BaseThrottle):
    """A throttle whose rate and counter are chosen per request: a sliding-window counter.

    ninja's `SimpleRateThrottle` does not fit: its rate is fixed when the
    operation is declared, whereas each key carries its own rate, editable
    at any time; it keeps the request it checks on the throttle instance,
    which every thread serving the operation shares; and it stores one
    timestamp per request of the window, reading and rewriting the whole
    list on every request, so a key allowed thousands of requests a minute
    pays for thousands of timestamps on each one.

    Here each window has one counter in the cache. A request is allowed when
    the current window's count plus the previous window's count, weighted by
    how much of it still overlaps the sliding window, is below the limit
    (the approximation Cloudflare and others use): two cache reads and one
    increment, whatever the rate.
    """

    scope = ""

    def __init__(self):
        self._local = threading.local()

    def limit_for(self, request: HttpRequest) -> tuple[str, str] | None:
        """(rate, who is counted) for this request; None when this throttle does not apply to it."""
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.retry_after = None
        limit = self.limit_for(request)
        if limit is None:
            return True
        rate, ident = limit
        allowed, duration = parse_rate(rate)
        now = time.time()
        window, elapsed = divmod(now, duration)
        window = int(window)
        key = f"cms:throttle:{self.scope}:{ident}:"
        counts = cache.get_many([key + str(window - 1), key + str(window)])
        previous, current = counts.get(key + str(window - 1), 0), counts.get(key + str(window), 0)
        overlap = 1 - elapsed / duration
        if allowed and current + previous * overlap < allowed:
            self._count(key + str(window), timeout=2 * duration + 1)  # kept two windows: the next weighs this one
            return True
        # Allowed again when enough of the previous window has slid out, or when the next window starts.
        if allowed and previous and current < allowed:
            wait = duration * (1 - (allowed - current) / previous) - elapsed
        else:
            wait = duration - elapsed
        self._local.retry_after = max(1.0, wait)
        request.api_rate_limit = RateLimitState(allowed, math.ceil(self._local.retry_after))
        return False

    @staticmethod
    def _count(key: str, timeout: int) -> None:
        """One more request in this window's counter: one cache write while the window has a counter.

        `incr` first, as the counter already exists for every request of a
        window but its first (each write is a transaction on the embedded
        disk cache); `add` starts it, and when another process started it in
        between, `incr` counts this request in it.
        """
        try:
            cache.incr(key)
        except ValueError:  # no counter yet (first request of the window, or it expired)
            if not cache.add(key, 1, timeout=timeout):
                try:
                    cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, timeout=timeout)

    def wait(self) -> float | None:
        return getattr(self._local, "retry_after", None)


class FrontEndKeyRateThrottle(ClientRateThrottle):
    """Each key at its own `rate_limit_per_minute`, wherever its requests come from."""

    scope = "key"

    def limit_for(self, request):
        client = getattr(request, "auth", None)
        if not isinstance(client, APIClient) or client.is_anonymous:
            return None
        return f"{client.rate_limit_per_minute}/min", client.key_lookup_id


class AnonymousRateThrottle(ClientRateThrottle):
    """Requests without a key, per client IP (IPv6: per /64), at `API_ANONYMOUS_RATE_LIMIT`."""

    scope = "anonymous"

    def limit_for(self, request):
        client = getattr(request, "auth", None)
        if client is not None and not (isinstance(client, APIClient) and client.is_anonymous):
            return None
        # Read per request, so a changed setting needs no new throttle objects.
        rate = getattr(settings, "API_ANONYMOUS_RATE_LIMIT", DEFAULT_ANONYMOUS_RATE_LIMIT)
        return rate, _client_bucket(client_ip(request))


RATE_LIMITS = (FrontEndKeyRateThrottle(), AnonymousRateThrottle())


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


# --- Keeping cached keys fresh -----------------------------------------------------------


def _forget(cache_keys: list[str]) -> None:
    if not cache_keys:
        return
    cache.delete_many(cache_keys)
    # A request running meanwhile may cache the old record again before this
    # transaction commits: drop it once more then.
    transaction.on_commit(lambda: cache.delete_many(cache_keys))


@receiver([post_save, post_delete], sender=FrontEndAPIKey, dispatch_uid="cms_api_access_key_changed")
def _key_changed(sender, instance, **kwargs):
    _forget([_record_cache_key(instance.lookup_id)])


@receiver([post_save, post_delete], sender=FrontEnd, dispatch_uid="cms_api_access_front_end_changed")
def _front_end_changed(sender, instance, **kwargs):
    lookup_ids = FrontEndAPIKey.objects.filter(front_end_id=instance.pk).values_list("lookup_id", flat=True)
    _forget([_record_cache_key(lookup_id) for lookup_id in lookup_ids])
