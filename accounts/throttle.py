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

from django.core.cache import cache
from django.utils.crypto import salted_hmac


def hit(key: str, window: int) -> int:
    """Count one more event for `key` in a fixed window of `window` seconds starting at its first event."""
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


def undo(key: str) -> None:
    with contextlib.suppress(ValueError):  # the window has ended: nothing to take back
        cache.decr(key)


def opaque(*parts: str) -> str:
    """A cache-key fragment that does not reveal session keys or addresses to whoever can read the cache."""
    return salted_hmac("accounts.throttle", "\x00".join(parts), algorithm="sha256").hexdigest()[:40]
