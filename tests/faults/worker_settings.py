"""Settings of the task worker process the worker fault test starts and kills: the test settings with the
database task backend, the test's database (DATABASE_URL) and media folder (MEDIA_ROOT) from the environment."""

import os

from cms.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MEDIA_ROOT = os.environ["MEDIA_ROOT"]
