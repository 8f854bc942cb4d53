"""Settings come from the environment in one place; production refuses unsafe values.

Each case imports a settings module in a fresh interpreter with a controlled
environment, because settings are read once per process.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "cache": settings.CACHES["default"]["BACKEND"],
    "sessions": settings.SESSION_ENGINE,
    "email": settings.EMAIL_BACKEND,
    "email_host": getattr(settings, "EMAIL_HOST", None),
    "email_port": getattr(settings, "EMAIL_PORT", None),
    "email_tls": getattr(settings, "EMAIL_USE_TLS", None),
    "storage": settings.STORAGES["default"]["BACKEND"],
    "bucket": getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""),
    "endpoint": getattr(settings, "AWS_S3_ENDPOINT_URL", None),
    "translator": settings.WAGTAILLOCALIZE_MACHINE_TRANSLATOR["CLASS"],
    "languages": [code for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES],
    "tasks": settings.TASKS["default"]["BACKEND"],
}))
"""


def run_with(env_overrides, module="cms.settings.dev", code=PRINT_SETTINGS, args=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "REDIS"))}
    env.update({"DJANGO_SETTINGS_MODULE": module, **env_overrides})
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)


def settings_with(env_overrides, module="cms.settings.dev"):
    result = run_with(env_overrides, module)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_defaults_need_nothing_installed():
    values = settings_with({})

    assert values["db"] == "django.db.backends.sqlite3"
    assert values["db_name"].endswith("db.sqlite3")
    assert values["cache"] == "cms.disk_cache.SharedDiskCache"
    assert values["sessions"] == "django.contrib.sessions.backends.db"
    assert values["email"].endswith("console.EmailBackend")
    assert values["storage"].endswith("FileSystemStorage")
    assert values["translator"].endswith("DummyTranslator")
    assert values["languages"] == ["en", "fr"]
    assert values["tasks"] == "django_tasks_db.DatabaseBackend"


def test_grown_up_services_come_from_the_environment():
    values = settings_with(
        {
            "DATABASE_URL": "postgres://cms:secret@db.internal:5432/cms",
            "REDIS_URL": "redis://cache.internal:6379/1",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.internal:587",
            "AWS_STORAGE_BUCKET_NAME": "portal-media",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "DEEPL_AUTH_KEY": "not-a-real-key",
            "CONTENT_LANGUAGES": "en,fr,de",
        }
    )

    assert values["db"] == "django.db.backends.postgresql"
    assert values["db_name"] == "cms"
    assert values["cache"] == "cms.redis_cache.SharedClientRedisCache"
    assert values["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert values["email"].endswith("smtp.EmailBackend")
    assert (values["email_host"], values["email_port"], values["email_tls"]) == ("smtp.internal", 587, True)
    assert values["storage"] == "storages.backends.s3.S3Storage"
    assert (values["bucket"], values["endpoint"]) == ("portal-media", "http://127.0.0.1:9000")
    assert values["translator"].endswith("DeepLTranslator")
    assert values["languages"] == ["en", "fr", "de"]


def test_an_unknown_task_backend_is_refused_at_start_up():
    result = run_with({"TASKS_BACKEND": "celery"})

    assert result.returncode != 0
    assert "TASKS_BACKEND='celery': choose one of database, immediate" in result.stderr


def test_production_refuses_to_start_without_a_real_secret_key():
    result = run_with({"DJANGO_SECRET_KEY": "short"}, module="cms.settings.production")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("secret", ["", "x" * 49])
def test_production_refuses_missing_or_short_keys(secret):
    assert run_with({"DJANGO_SECRET_KEY": secret}, module="cms.settings.production").returncode != 0


def test_production_passes_the_deployment_checklist_with_real_values():
    result = run_with(
        {"DJANGO_SECRET_KEY": secrets.token_urlsafe(64), "DJANGO_ALLOWED_HOSTS": "cms.example.org"},
        module="cms.settings.production",
        args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_download_quotas_and_webhook_retries_come_from_the_environment():
    code = PRINT_SETTINGS.replace(
        "print(json.dumps({",
        'print(json.dumps({"downloads": [settings.VIDEOS_DOWNLOAD_LINK_TTL, settings.VIDEOS_DAILY_DOWNLOADS, '
        "settings.VIDEOS_DAILY_DOWNLOAD_BYTES, settings.VIDEOS_CLIP_MAX_SECONDS, settings.VIDEOS_CLIP_TTL, "
        "settings.VIDEOS_CLIP_JOBS_PER_USER], "
        '"webhooks": [settings.CMS_WEBHOOK_TIMEOUT, settings.CMS_WEBHOOK_MAX_ATTEMPTS, '
        "settings.CMS_WEBHOOK_RETRY_DELAY, settings.CMS_WEBHOOK_MAX_RETRY_DELAY],",
    )
    environment = {
        "DOWNLOAD_LINK_TTL": "300",
        "DOWNLOAD_DAILY_COUNT": "5",
        "DOWNLOAD_DAILY_BYTES": "0",
        "DOWNLOAD_CLIP_MAX_SECONDS": "120",
        "DOWNLOAD_CLIP_TTL": "3600",
        "DOWNLOAD_CLIP_JOBS_PER_USER": "1",
        "WEBHOOK_TIMEOUT": "3",
        "WEBHOOK_MAX_ATTEMPTS": "4",
        "WEBHOOK_RETRY_DELAY": "5",
        "WEBHOOK_MAX_RETRY_DELAY": "60",
    }
    result = run_with(environment, code=code)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["downloads"] == [300, 5, 0, 120, 3600, 1]
    assert values["webhooks"] == [3, 4, 5, 60]


def test_a_negative_download_limit_is_refused_at_start_up():
    result = run_with({"DOWNLOAD_CLIP_JOBS_PER_USER": "-1"})

    assert result.returncode != 0
    assert "DOWNLOAD_CLIP_JOBS_PER_USER=-1: expected 0 or more." in result.stderr


def test_upload_and_ingest_tunables_come_from_the_environment():
    code = PRINT_SETTINGS.replace(
        "print(json.dumps({",
        'print(json.dumps({"uploads": [settings.VIDEOS_UPLOAD_CHUNK_SIZE, settings.VIDEOS_UPLOAD_EXTENSIONS, '
        "settings.VIDEOS_UPLOAD_TTL, settings.VIDEOS_INGEST_STALL_SECONDS, settings.VIDEOS_INGEST_MAX_ATTEMPTS], ",
    )
    environment = {
        "VIDEOS_UPLOAD_CHUNK_SIZE": "8388608",
        "VIDEOS_UPLOAD_EXTENSIONS": ".mxf,.mov",
        "VIDEOS_UPLOAD_TTL": "7200",
        "VIDEOS_INGEST_STALL_SECONDS": "90",
        "VIDEOS_INGEST_MAX_ATTEMPTS": "5",
    }
    result = run_with(environment, code=code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["uploads"] == [8388608, [".mxf", ".mov"], 7200, 90, 5]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("VIDEOS_UPLOAD_CHUNK_SIZE", "0", "VIDEOS_UPLOAD_CHUNK_SIZE=0: expected 1 or more."),
        ("VIDEOS_INGEST_MAX_ATTEMPTS", "-2", "VIDEOS_INGEST_MAX_ATTEMPTS=-2: expected 1 or more."),
        ("VIDEOS_UPLOAD_EXTENSIONS", "mp4,.mov", "VIDEOS_UPLOAD_EXTENSIONS: expected extensions such as .mov,.mxf"),
    ],
)
def test_an_upload_tunable_that_would_stop_every_upload_is_refused_at_start_up(variable, value, message):
    result = run_with({variable: value})

    assert result.returncode != 0
    assert message in result.stderr
