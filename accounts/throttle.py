"""Atomic counters in Django's cache: code submissions and admin log-in failures.

allauth counts wrong codes in the session (read, add one, write back), so
parallel requests each read the same count and all get checked. These counters
are one atomic `INCR` on Redis (django.core.cache RedisCache) and one SQLite
transaction on the embedded default (diskcache, shared by every process of
the machine), so the N+1st concurrent submission is refused before its code
is compared, whichever process answers. Django's own FileBasedCache and
DatabaseCache read, add one and write back: they would lose concurrent
increments (cms/settings/base.py, CACHES).
"""

import contextlib
import math
import time

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def hit(key: str, window: int) -> int:
    """Count one more event for `key` in a fixed window of `window` seconds starting at its first event."""
    _end_if_over(key)
    # When the window ends, for Retry-After (Django's cache API has no TTL lookup).
    cache.add(f"{key}:ends", time.time() + window, timeout=window)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        # The window ended between add() and incr().
        cache.add(key, 0, timeout=window)
        count = cache.incr(key)
    if count == 1:
        # Redis's INCR recreates an expired key without a TTL; give it one.
        cache.touch(key, window)
    return count


def _end_if_over(key: str) -> None:
    # The cache drops both keys when the window ends; this only matters when
    # the clock the window was measured by runs ahead of the cache's (tests).
    ends = cache.get(f"{key}:ends")
    if ends is not None and ends <= time.time():
        cache.delete_many([key, f"{key}:ends"])


def current(key: str) -> int:
    """The events counted so far in `key`'s current window (0 once it has ended)."""
    _end_if_over(key)
    return cache.get(key, 0)


def seconds_left(key: str) -> int:
    """Whole seconds until `key`'s window ends (at least 1 while it runs, 0 once it has ended)."""
    ends = cache.get(f"{key}:ends")
    if ends is None:
        return 0
    return max(1, math.ceil(ends - time.time()))


def undo(key: str, events: int = 1) -> None:
    """Take back `events` events of `key`'s current window (never below zero)."""
    events = min(events, cache.get(key, 0))
    if events > 0:
        with contextlib.suppress(ValueError):  # the window has ended: nothing to take back
            cache.decr(key, events)


def opaque(*parts: str) -> str:
    """A cache-key fragment that does not reveal session keys or addresses to whoever can read the cache."""
    return salted_hmac("accounts.throttle", "\x00".join(parts), algorithm="sha256").hexdigest()[:40]
