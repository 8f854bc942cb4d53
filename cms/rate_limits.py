"""Rate limits of the API: each key at its own rate, anonymous callers per client IP (IPv6: per /64).

`RATE_LIMITS` goes to a router's or an operation's `throttle`. The counters
live in the Django cache, so they hold across processes when the cache is
Redis or the shared disk cache. See `cms.api_access` for the settings.
"""

import functools
import hashlib
import ipaddress
import math
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from .api_keys import APIClient

DEFAULT_ANONYMOUS_RATE_LIMIT = "120/min"

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
    increment, whatever the rate; on Redis one script does all three in a
    single round trip (`cms.redis_cache`).
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
        overlap = 1 - elapsed / duration
        timeout = 2 * duration + 1  # kept two windows: the next weighs this one
        if hasattr(cache, "count_in_window"):  # Redis (cms.redis_cache): read and count in one round trip
            passed, previous, current = cache.count_in_window(
                key + str(window - 1), key + str(window), allowed, overlap, timeout
            )
            if passed:
                return True
        else:
            counts = cache.get_many([key + str(window - 1), key + str(window)])
            previous, current = counts.get(key + str(window - 1), 0), counts.get(key + str(window), 0)
            if allowed and current + previous * overlap < allowed:
                self._count(key + str(window), timeout=timeout)
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
