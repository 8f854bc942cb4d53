"""Schemathesis against the running server: both OpenAPI documents, anonymously and with credentials.

The real server (pytest-django's live server, on the suite's database:
SQLite, or PostgreSQL in CI) serves the portal's content; schemathesis's
command line reads the document the server publishes and sends the
requests it generates from it (examples, coverage of the bounds, fuzzing),
each answer checked for:

- no server error (5xx),
- a body that matches the declared schema,
- a status code the document declares,
- the declared content type.

Rate limits are lifted in the server's settings, so that the requests of a
run are never refused for their number. The number of examples per
operation is bounded (MAX_EXAMPLES) and the seed fixed, so a run is fast and
a failure can be replayed.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from cms.models import FrontEnd, FrontEndAPIKey
from tests.cms.content import build_portal

MAX_EXAMPLES = 5
SEED = 15
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

# The live server reads what the test writes, so the test commits (and the database is emptied after it);
# `migrated_rows` brings back the root page and locales an earlier committing test may have taken.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migrated_rows")]


@pytest.fixture
def portal(live_server, settings, locales, make_video):
    settings.API_ANONYMOUS_RATE_LIMIT = "1000000/min"
    settings.ACCOUNT_RATE_LIMITS = False
    cache.clear()
    return build_portal(locales, make_video)


@pytest.fixture
def api_key(portal):
    front_end = FrontEnd.objects.create(name="Fuzzer", site=portal.home.get_site(), origins="https://fuzz.example.org")
    key = FrontEndAPIKey(front_end=front_end, name="fuzz", rate_limit_per_minute=1_000_000)
    secret = key.generate()
    key.save()
    return secret


def run_schemathesis(live_server, tmp_path, document: str, *headers: str) -> tuple[int, str]:
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}{document}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--no-shrink",
        "--request-timeout",
        "20",
        "--output-truncate",
        "true",
        *[part for header in headers for part in ("-H", header)],
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
    return completed.returncode, completed.stdout + completed.stderr


def test_schemathesis_finds_nothing_against_either_document(live_server, portal, api_key, tmp_path):
    runs = {
        "content API, anonymous": ("/api/v1/openapi.json",),
        "content API, with a key": ("/api/v1/openapi.json", f"Authorization: Bearer {api_key}"),
        "account API (allauth)": ("/_allauth/openapi.json",),
    }
    failed = {}
    for name, (document, *headers) in runs.items():
        folder = tmp_path / name.split(",")[0].replace(" ", "-")
        folder.mkdir(exist_ok=True)
        returncode, output = run_schemathesis(live_server, folder, document, *headers)
        if returncode != 0:
            failed[name] = output[-6000:]
    assert not failed, "\n\n".join(f"=== {name} ===\n{output}" for name, output in failed.items())
