"""export_openapi writes the served OpenAPI documents and --check fails when a checked-in one is stale."""

import json

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_writes_the_served_documents_then_check_passes(tmp_path, client):
    call_command("export_openapi", directory=tmp_path)
    written = json.loads((tmp_path / "api.json").read_text())
    assert written == client.get("/api/v1/openapi.json").json()
    assert "/_allauth/{client}/v1/auth/signup" in json.loads((tmp_path / "allauth.json").read_text())["paths"]
    call_command("export_openapi", directory=tmp_path, check=True)


@pytest.mark.django_db
def test_check_fails_on_a_stale_or_missing_document_and_writes_nothing(tmp_path):
    call_command("export_openapi", directory=tmp_path)
    stale = json.loads((tmp_path / "api.json").read_text())
    stale["paths"].pop("/api/v1/pages/")
    (tmp_path / "api.json").write_text(json.dumps(stale))
    (tmp_path / "allauth.json").unlink()
    with pytest.raises(CommandError, match="Stale OpenAPI documents") as error:
        call_command("export_openapi", directory=tmp_path, check=True)
    assert "api.json" in str(error.value) and "allauth.json" in str(error.value)
    assert not (tmp_path / "allauth.json").exists()
    assert "/api/v1/pages/" not in json.loads((tmp_path / "api.json").read_text())["paths"]


@pytest.mark.django_db
def test_the_checked_in_documents_are_current():
    call_command("export_openapi", check=True)
