"""The videos' and downloads' settings, read from the environment like the rest (cms/settings/base.py).

base.py star-imports this module after it has read `.env`, so a variable set
there reaches these settings too. Every variable is documented in README.md and
`.env.example`.
"""

import environ

from cms.settings import parsing

env = environ.Env()

# --- Masters, uploads and ingest ---------------------------------------------

# Masters are broadcast files: large by nature, but bounded so a mistaken upload cannot fill the disk. In bytes.
VIDEOS_MAX_UPLOAD_SIZE = env.int("VIDEOS_MAX_UPLOAD_SIZE", default=20 * 1024**3)
# The ffmpeg program used for posters, proxies and clips. Unset: the one on
# PATH, else the one shipped inside the imageio-ffmpeg wheel.
FFMPEG_BINARY = env.str("FFMPEG_BINARY", default="")
# Containers a master may come in, by file name extension; probing checks the content after the upload.
VIDEOS_UPLOAD_EXTENSIONS = env.list(
    "VIDEOS_UPLOAD_EXTENSIONS",
    default=[".mov", ".mp4", ".m4v", ".mxf", ".mkv", ".webm", ".avi", ".ts", ".m2ts", ".mts", ".mpg", ".mpeg"],
)
# The pieces the admin's uploader sends (a tus PATCH, an S3 part of at least 5 MiB): what a dropped
# connection costs to send again. In bytes.
VIDEOS_UPLOAD_CHUNK_SIZE = env.int("VIDEOS_UPLOAD_CHUNK_SIZE", default=64 * 1024 * 1024)
# An upload not completed this long after it started is aborted by `manage.py expire_uploads`. Seconds.
VIDEOS_UPLOAD_TTL = env.int("VIDEOS_UPLOAD_TTL", default=24 * 3600)
# An ingest whose worker has not reported for this long (beyond its proxy's own timeout) is presumed dead:
# queued again, up to VIDEOS_INGEST_MAX_ATTEMPTS runs, then failed with the reason.
VIDEOS_INGEST_STALL_SECONDS = env.int("VIDEOS_INGEST_STALL_SECONDS", default=300)
VIDEOS_INGEST_MAX_ATTEMPTS = env.int("VIDEOS_INGEST_MAX_ATTEMPTS", default=3)
parsing.require_positive(
    {
        "VIDEOS_UPLOAD_CHUNK_SIZE": VIDEOS_UPLOAD_CHUNK_SIZE,
        "VIDEOS_UPLOAD_TTL": VIDEOS_UPLOAD_TTL,
        "VIDEOS_INGEST_STALL_SECONDS": VIDEOS_INGEST_STALL_SECONDS,
        "VIDEOS_INGEST_MAX_ATTEMPTS": VIDEOS_INGEST_MAX_ATTEMPTS,
    }
)
parsing.check_extensions("VIDEOS_UPLOAD_EXTENSIONS", VIDEOS_UPLOAD_EXTENSIONS)

# Gated downloads (downloads/grants.py). A granted link or clip URL is valid
# this many seconds; clips are kept this long after they were last asked for.
VIDEOS_DOWNLOAD_LINK_TTL = env.int("DOWNLOAD_LINK_TTL", default=600)
VIDEOS_CLIP_TTL = env.int("DOWNLOAD_CLIP_TTL", default=24 * 3600)
VIDEOS_CLIP_MAX_SECONDS = env.int("DOWNLOAD_CLIP_MAX_SECONDS", default=15 * 60)
# Rolling 24-hour quotas per person; 0 means no limit.
VIDEOS_DAILY_DOWNLOADS = env.int("DOWNLOAD_DAILY_COUNT", default=50)
VIDEOS_DAILY_DOWNLOAD_BYTES = env.int("DOWNLOAD_DAILY_BYTES", default=200 * 1024**3)
# A running clip job whose worker has not reported for this long is presumed
# dead: it is queued again, up to VIDEOS_CLIP_MAX_ATTEMPTS runs, then failed.
VIDEOS_CLIP_STALL_SECONDS = env.int("DOWNLOAD_CLIP_STALL_SECONDS", default=120)
VIDEOS_CLIP_MAX_ATTEMPTS = env.int("DOWNLOAD_CLIP_MAX_ATTEMPTS", default=2)
# Clips one person may wait for at once (queued or being cut); 0 for no limit.
VIDEOS_CLIP_JOBS_PER_USER = env.int("DOWNLOAD_CLIP_JOBS_PER_USER", default=3)
parsing.require_non_negative(
    {
        "DOWNLOAD_LINK_TTL": VIDEOS_DOWNLOAD_LINK_TTL,
        "DOWNLOAD_CLIP_TTL": VIDEOS_CLIP_TTL,
        "DOWNLOAD_CLIP_MAX_SECONDS": VIDEOS_CLIP_MAX_SECONDS,
        "DOWNLOAD_DAILY_COUNT": VIDEOS_DAILY_DOWNLOADS,
        "DOWNLOAD_DAILY_BYTES": VIDEOS_DAILY_DOWNLOAD_BYTES,
        "DOWNLOAD_CLIP_STALL_SECONDS": VIDEOS_CLIP_STALL_SECONDS,
        "DOWNLOAD_CLIP_MAX_ATTEMPTS": VIDEOS_CLIP_MAX_ATTEMPTS,
        "DOWNLOAD_CLIP_JOBS_PER_USER": VIDEOS_CLIP_JOBS_PER_USER,
    }
)

# --- Downloads --------------------------------------------------------------

# Behind nginx, the prefix of an `internal` location aliased to MEDIA_ROOT
# (e.g. /protected-media/): once a download link is checked, nginx sends the
# file itself (X-Accel-Redirect). Unset: the app streams it (downloads/streaming.py).
CMS_DOWNLOAD_ACCEL_REDIRECT = env.str("DOWNLOAD_ACCEL_REDIRECT", default="")
parsing.check_accel_redirect(CMS_DOWNLOAD_ACCEL_REDIRECT)
# One code mail per address at a time, kept by the portal (accounts/limits.py), not by allauth.
ACCOUNTS_CODE_MAIL_COOLDOWN = 10  # seconds between two code mails to one address

# What base.py's star import takes: the settings, not this module's helpers (env, parsing).
__all__ = [name for name in dir() if name.isupper()]
