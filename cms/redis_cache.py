"""Django's Redis cache, with one redis-py client per connection pool instead of one per operation.

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` around the
pool for every cache call. Its constructor fills a case-insensitive table of
~200 response callbacks, so each call paid for that table: profiled
(bench/profile_request.py, a cached listing on PostgreSQL + Redis), the
constructors were over half of a cached answer's CPU time, three per answer
(the rate limit's read and count, the cache lookup). A `redis.Redis` is safe
to share between threads (each command takes a connection from the pool), so
one per pool is kept for the life of the process; a process forked later gets
fresh connections from redis-py's pool, which checks the pid.

`incr` is also one round trip instead of two: Django asks `EXISTS` and then
`INCRBY`; here a server-side script does both, so a missing key still raises
`ValueError` (as every Django cache does) and is never created without its
timeout.

A rate limit's check is one round trip too (`count_in_window`): the two
counts of the sliding window are read and, when the request is allowed,
the current one is incremented by one server-side script, where the
generic path (`cms.rate_limits`) reads both and then increments. Counters
stay plain integers, as Django's serializer stores them, so `get` reads
them either way.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

# INCRBY only if the key exists; nil otherwise (the key is then left absent).
_INCR_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return nil
"""


# KEYS: the previous and the current window's counters. ARGV: the limit, how much of the previous
# window still overlaps (a float), the counter's timeout. Returns {allowed (1/0), previous, current}.
_COUNT_IN_WINDOW = """
local previous = tonumber(redis.call('GET', KEYS[1]) or '0')
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
local allowed = tonumber(ARGV[1])
if allowed > 0 and current + previous * tonumber(ARGV[2]) < allowed then
  current = redis.call('INCR', KEYS[2])
  if current == 1 then
    redis.call('EXPIRE', KEYS[2], ARGV[3])
  end
  return {1, previous, current}
end
return {0, previous, current}
"""


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def _script(self, client, source: str):
        script = self._scripts.get((id(client), source))
        if script is None:
            script = self._scripts[id(client), source] = client.register_script(source)
        return script

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        value = self._script(client, _INCR_IF_EXISTS)(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def count_in_window(self, previous_key, current_key, allowed: int, overlap: float, timeout: int):
        client = self.get_client(current_key, write=True)
        script = self._script(client, _COUNT_IN_WINDOW)
        passed, previous, current = script(keys=[previous_key, current_key], args=[allowed, repr(overlap), timeout])
        return bool(passed), int(previous), int(current)


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient

    def count_in_window(self, previous_key, current_key, allowed: int, overlap: float, timeout: int):
        """One more request in `current_key` if `current + previous * overlap < allowed`: (allowed?, prev, current).

        The counts returned are those the decision was made on (before this request).
        """
        keys = [self.make_and_validate_key(key) for key in (previous_key, current_key)]
        passed, previous, current = self._cache.count_in_window(*keys, allowed, overlap, timeout)
        return passed, previous, current - 1 if passed else current
