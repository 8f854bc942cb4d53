"""Settings of the CMS processes the browser tests of the uploader start (tests/videos/live_cms.py).

As under `make run`: debug on, so the admin's static files and the uploader's
bundle are served by the web process itself, and ingest in the database queue,
run by a `db_worker` process (so an uploaded video is seen `processing`, then
`ready`). The database, media folder and storage come from the environment.
"""

import os

from cms.settings import parsing
from cms.settings.test import *  # noqa: F403

DEBUG = True
TASKS = parsing.tasks_setting("database")
MEDIA_ROOT = os.environ["LIVE_MEDIA_ROOT"]
VIDEOS_UPLOAD_CHUNK_SIZE = int(os.environ.get("VIDEOS_UPLOAD_CHUNK_SIZE", 64 * 1024 * 1024))
