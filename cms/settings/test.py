"""The test suite: tasks run immediately, fast hashing, files in a temporary folder.

DATABASE_URL and REDIS_URL still apply, so CI runs the same suite on
PostgreSQL and Redis.
"""

import tempfile

from . import parsing
from .base import *  # noqa: F403
from .base import CACHE_DIR, CACHES, DEFAULT_CACHE_DIR, LOGGING, REDIS_URL, TASKS

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {**TASKS, "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="cms-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
# The front end the account tests expect, whatever a developer's environment (or `make run`) says.
ACCOUNTS_FRONTEND_URL = "http://localhost:3000"
HEADLESS_FRONTEND_URLS = parsing.headless_frontend_urls(ACCOUNTS_FRONTEND_URL)
# Every response the tests get is validated against its declared schema.
CMS_API_VALIDATE_RESPONSES = True
# Task and page-publish logs at INFO would drown test output.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}

# xdist workers share one Redis in CI: each gets its own database, so that a
# test's cache.clear() (FLUSHDB) or a cached API response never reaches another
# worker, whose test database holds different rows under the same ids.
if REDIS_URL:
    import os
    from urllib.parse import urlsplit, urlunsplit

    _worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    _url = urlsplit(REDIS_URL)
    _base_db = int(_url.path.strip("/") or 0)
    CACHES = {
        **CACHES,
        "default": {**CACHES["default"], "LOCATION": urlunsplit(_url._replace(path=f"/{(_base_db - _worker) % 16}"))},
    }

# Without Redis, each test process has a cache directory of its own (tests
# clear it), unless CACHE_DIR names one: the server and command processes a
# test starts are given the test's, to share its cache as a machine's do.
if not REDIS_URL and CACHE_DIR == DEFAULT_CACHE_DIR:
    CACHES = {**CACHES, "default": {**CACHES["default"], "LOCATION": tempfile.mkdtemp(prefix="cms-test-cache-")}}
