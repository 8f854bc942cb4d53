"""Content changes purge the API's URLs from a CDN / reverse proxy (real PURGE requests on loopback)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .content import publish


class PurgeRecorder(BaseHTTPRequestHandler):
    received: list = []

    def do_PURGE(self):
        self.received.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_server(settings):
    PurgeRecorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        }
    }
    settings.WAGTAILFRONTENDCACHE_LANGUAGES = []
    settings.CMS_API_PUBLIC_URL = "https://cms.example.org"
    yield PurgeRecorder.received
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_publishing_purges_the_page_its_lookups_and_the_listings(
    site_tree, purge_server, django_capture_on_commit_callbacks
):
    from news.models import NewsArticlePage

    article = NewsArticlePage(title="Story", slug="story")
    site_tree.news.add_child(instance=article)

    with django_capture_on_commit_callbacks(execute=True):
        publish(article)

    paths = {path for host, path in purge_server}
    assert {host for host, _ in purge_server} == {"cms.example.org"}
    assert f"/api/v1/pages/{article.pk}/" in paths
    assert "/api/v1/pages/find/?path=%2Fen%2Fnews%2Fstory%2F&site=localhost" in paths
    assert "/api/v1/pages/find/?path=%2Fen%2Fnews%2F&site=localhost" in paths
    assert "/api/v1/pages/" in paths


@pytest.mark.django_db
def test_nothing_is_purged_without_a_configured_cdn(site_tree, settings, django_capture_on_commit_callbacks):
    from news.models import NewsArticlePage

    settings.WAGTAILFRONTENDCACHE = None
    article = NewsArticlePage(title="Story", slug="story")
    site_tree.news.add_child(instance=article)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        publish(article)

    assert callbacks  # the change was seen; the purge listener simply had nothing to do
