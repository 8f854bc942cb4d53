"""The default cache is shared by every process of the machine: invalidation and counters hold across them.

A server (gunicorn, two workers, as deployed) answers from its response cache;
another process, as the task worker, `publish_scheduled` or an editor's
request in another worker would, publishes a change: the server's next
answers show it. Counters incremented by several processes at once count
every increment. Without REDIS_URL this is the embedded default (a disk
cache in CACHE_DIR); with it, Redis.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.accounts.smtp import free_port

BASE_DIR = Path(__file__).resolve().parents[2]

MAKE_ARTICLE = """
from wagtail.models import Locale, Page, Site
from home.models import HomePage
from news.models import NewsArticlePage, NewsIndexPage
root = Page.get_first_root_node()
home = root.add_child(instance=HomePage(title="Portal", slug="portal", locale=Locale.objects.get(language_code="en")))
Site.objects.update_or_create(is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home})
news = home.add_child(instance=NewsIndexPage(title="News", slug="news"))
article = news.add_child(instance=NewsArticlePage(title="Before the change", slug="article", standfirst="First"))
for page in (home, news, article):
    page.save_revision().publish()
print("ARTICLE", article.pk)
"""

RETITLE = """
from news.models import NewsArticlePage
article = NewsArticlePage.objects.get(pk={pk})
article.title = "After the change"
article.save_revision().publish()
"""

COUNT = """
from accounts.throttle import hit
for _ in range({times}):
    hit("shared-cache-test:counter", 600)
"""


def shared_cache_env(database_url: str) -> dict:
    """The environment of a process on this machine: the test's database and the test's cache."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url,
        "API_ANONYMOUS_RATE_LIMIT": "100000/s",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if not settings.REDIS_URL:
        env["CACHE_DIR"] = settings.CACHES["default"]["LOCATION"]
    return env


def manage_shell(env: dict, code: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextlib.contextmanager
def gunicorn(env: dict, log_path: Path, workers: int = 2):
    port = free_port()
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cms.wsgi:application", "--bind", f"127.0.0.1:{port}"]
            + ["--workers", str(workers), "--timeout", "60", "--graceful-timeout", "2", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not start:\n" + log_path.read_text()[-3000:]
            try:
                with urllib.request.urlopen(base + "/api/v1/sites/", timeout=5):  # noqa: S310  (loopback)
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  (loopback)
        return json.loads(response.read())


@pytest.mark.django_db
def test_a_change_published_by_another_process_reaches_every_server_worker(live_database, tmp_path):
    env = shared_cache_env(live_database["url"])
    article_id = int(manage_shell(env, MAKE_ARTICLE).split("ARTICLE", 1)[1].split()[0])
    detail = f"/api/v1/pages/{article_id}/"
    listing = "/api/v1/pages/?type=news.NewsArticlePage&locale=en"

    with gunicorn(env, tmp_path / "server.log") as base:
        # Enough requests that both workers have answered, and then answered from the cache.
        for _ in range(8):
            assert get_json(base + detail)["title"] == "Before the change"
            assert [item["title"] for item in get_json(base + listing)["items"]] == ["Before the change"]

        manage_shell(env, RETITLE.format(pk=article_id))

        for _ in range(8):
            assert get_json(base + detail)["title"] == "After the change"
            assert [item["title"] for item in get_json(base + listing)["items"]] == ["After the change"]


@pytest.mark.django_db
def test_counters_count_every_increment_of_processes_running_at_once(live_database):
    """What the code-attempt and rate-limit counters rely on: `add` and `incr` atomic across processes."""
    cache.delete("shared-cache-test:counter")
    env = shared_cache_env(live_database["url"])
    command = [sys.executable, "manage.py", "shell", "-c", COUNT.format(times=150)]
    processes = [
        subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(4)
    ]
    for process in processes:
        output, _ = process.communicate(timeout=180)
        assert process.returncode == 0, output.decode()

    # Read by this process: the four others and this one share the counter.
    assert cache.get("shared-cache-test:counter") == 4 * 150
