"""Settings of the real server processes the concurrency tests start: the test settings, mail over SMTP.

The database, the cache (REDIS_URL) and the cache key prefix come from the
environment the test gives each process, like in production.
"""

import os

from cms.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["LIVE_SMTP_PORT"])
EMAIL_USE_TLS = EMAIL_USE_SSL = False
EMAIL_HOST_USER = EMAIL_HOST_PASSWORD = ""
