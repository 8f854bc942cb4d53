"""The embedded default cache keeps its SQLite connections from one request to the next."""

from django.core.cache import cache, caches
from django.test import override_settings

from cms.disk_cache import SharedDiskCache


def _open_connections(cache: SharedDiskCache) -> list:
    return [shard._local.con for shard in cache._cache._shards if getattr(shard._local, "con", None) is not None]


def test_end_of_request_leaves_the_connections_open(tmp_path):
    config = {"default": {"BACKEND": "cms.disk_cache.SharedDiskCache", "LOCATION": str(tmp_path)}}
    with override_settings(CACHES=config):
        for key in range(16):  # touch every shard
            cache.set(f"key-{key}", key)
        backend = caches["default"]
        before = _open_connections(backend)
        assert len(before) == len(backend._cache._shards)

        # What Django's close_caches does on request_finished (sending the signal
        # itself would also run close_old_connections, which needs a database).
        caches.close_all()

        after = _open_connections(backend)
        assert [id(c) for c in after] == [id(c) for c in before]
        assert cache.get("key-3") == 3
        # The connections still work: no "closed database" error.
        assert [c.execute("SELECT 1").fetchone() for c in after] == [(1,)] * len(after)


def test_a_plain_diskcache_would_have_closed_them(tmp_path):
    """The test above measures something: diskcache's own backend does close them."""
    from diskcache import DjangoCache

    backend = DjangoCache(str(tmp_path), {})
    backend.set("key", 1)
    assert _open_connections(backend)
    backend.close()
    assert not _open_connections(backend)
