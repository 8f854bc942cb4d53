"""The embedded default cache: diskcache's Django backend, its connections kept for the process's life.

Django closes every cache at the end of each request (`close_caches` on
`request_finished`), which suits caches whose connections are cheap to make
or pooled. diskcache's `close` shuts the SQLite connection of each of its
shards, so the next request opened them again and re-applied every setting
(one PRAGMA each): profiled in a gunicorn worker under load
(bench/profile_worker.py), that was most of a cached answer's CPU time.
Keeping them open is safe: each connection belongs to one thread, and diskcache
opens a new one in a process forked after it was made (it compares the pid).
"""

from diskcache import DjangoCache


class SharedDiskCache(DjangoCache):
    def close(self, **kwargs):
        """Keep the connections: Django calls this after every request (see the module's docstring)."""
