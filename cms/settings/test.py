"""The test suite: tasks run immediately, fast hashing, files in a temporary folder.

DATABASE_URL and REDIS_URL still apply, so CI runs the same suite on
PostgreSQL and Redis.
"""

import tempfile

from .base import *  # noqa: F403
from .base import LOGGING, TASKS

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {**TASKS, "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="cms-test-media-")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
# Task and page-publish logs at INFO would drown test output.
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}
