"""Schemathesis against a real server: both OpenAPI documents, anonymously and with credentials.

gunicorn serves a copy of the test database (SQLite, or PostgreSQL and Redis
in CI) in which tests/contract/portal.py made the portal's content, with
tests/contract/server_settings.py (rate limits lifted: a run sends thousands
of requests from one address). Schemathesis's command line reads the
document the server publishes and runs every phase (examples, coverage of
the bounds, fuzzing, stateful sequences along the declared links) with
every check (`--checks all`): no server error, bodies, status codes, content
types and headers as declared, malformed requests refused, well-formed ones
accepted, authentication required where declared, and so on.

One gunicorn worker: CPython 3.11 hit a SystemError inside hypothesis with
threads in the runner; `--limit-request-line 0` so that long generated URLs
reach Django (which must answer them) rather than gunicorn's own 414. The
number of examples per operation is bounded and the seed fixed, so a run
takes minutes and a failure can be replayed with the command it prints; the
whole output is kept in `schemathesis.txt` of the run's folder (the failure
shows its end). allauth's document runs with tests/contract/schemathesis-allauth.toml,
which says which answers are about credentials no one holds (a session token,
a password, a refresh token): every check stays on.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import LiveServer

MAX_EXAMPLES = 10
SEED = 15
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
ALLAUTH_CONFIG = Path(__file__).with_name("schemathesis-allauth.toml")

# The tests read nothing of the test database themselves; the mark lets `live_database` copy it.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def server(live_database, tmp_path_factory):
    server = LiveServer(
        live_database["url"],
        tmp_path_factory.mktemp("contract-server"),
        "tests.contract.server_settings",
        gunicorn_options=("--limit-request-line", "0"),
    )
    server.ready_path = "/api/v1/openapi.json"
    made = server.run_module("tests.contract.portal", timeout=300)
    server.start()
    try:
        yield server, made["api_key"]
    finally:
        server.stop()


def schemathesis(
    server: LiveServer, folder: Path, document: str, *headers: str, config: Path | None = None
) -> tuple[int, str]:
    command = [
        str(SCHEMATHESIS), *(["--config-file", str(config)] if config else []), "run", f"{server.url}{document}",
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--workers", "1",
        "--no-shrink",
        "--request-timeout", "20",
        "--generation-database", "none",
        *[part for header in headers for part in ("-H", header)],
    ]  # fmt: skip
    folder.mkdir(exist_ok=True)
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=folder, check=False)
    output = done.stdout + done.stderr
    (folder / "schemathesis.txt").write_text(output)
    return done.returncode, f"{output}\n(the whole output: {folder / 'schemathesis.txt'})"


def _assert_clean(server: LiveServer, returncode: int, output: str) -> None:
    assert returncode == 0, output[-12000:] + "\n--- server log ---\n" + server.log(3000)


def test_the_content_api_anonymously(server, tmp_path):
    live, _key = server
    _assert_clean(live, *schemathesis(live, tmp_path / "anonymous", "/api/v1/openapi.json"))


def test_the_content_api_with_a_key(server, tmp_path):
    live, key = server
    _assert_clean(live, *schemathesis(live, tmp_path / "key", "/api/v1/openapi.json", f"Authorization: Bearer {key}"))


def test_the_account_api(server, tmp_path):
    live, _key = server
    _assert_clean(live, *schemathesis(live, tmp_path / "allauth", "/_allauth/openapi.json", config=ALLAUTH_CONFIG))
