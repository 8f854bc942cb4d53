"""GET/PATCH /api/v1/me: the profile, authenticated by allauth's session token or the browser session."""

import pytest

from accounts.models import User

PROBLEM = "application/problem+json"


@pytest.mark.django_db
def test_the_profile_needs_a_session(client):
    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
def test_the_profile_of_a_verified_media_account(verified_user, kind):
    client = verified_user("me@example.org", kind=kind)

    response = client.api("get", "/me")

    assert response.status_code == 200
    profile = response.json()
    assert profile == {
        **profile,
        "email": "me@example.org",
        "first_name": "Ann",
        "last_name": "Lenoir",
        "organisation": "Radio Nord",
        "country": "FR",
        "language": "en",
        "email_verified": True,
        "terms_current": True,
        "newsletter": False,
        "may_download": True,
        "download_refusals": [],
    }
    assert profile["terms_version"] and profile["terms_accepted_at"]


@pytest.mark.django_db
def test_changing_the_profile(verified_user):
    client = verified_user("edit@example.org")

    response = client.api("patch", "/me", {"organisation": "TV Sud", "country": "be", "language": "fr"})

    assert response.status_code == 200, response.content
    assert (response.json()["organisation"], response.json()["country"], response.json()["language"]) == (
        "TV Sud",
        "BE",
        "fr",
    )
    user = User.objects.get(email="edit@example.org")
    assert (user.organisation, user.country, user.language, user.first_name) == ("TV Sud", "BE", "fr", "Ann")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"language": "de"}, "language"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"organisation": ""}, "organisation"),
        ({"first_name": None}, "first_name"),
        ({"email": "new@example.org"}, "email"),  # not changeable here
        ({"is_staff": True}, "is_staff"),
        ({"terms_version": "1999-01"}, "terms_version"),
    ],
)
def test_bad_profile_changes_are_problems(verified_user, payload, field):
    client = verified_user("bad@example.org")

    response = client.api("patch", "/me", payload)

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert any(error["loc"][-1] == field for error in response.json()["errors"])
    user = User.objects.get(email="bad@example.org")
    assert (user.country, user.language, user.first_name, user.is_staff) == ("FR", "en", "Ann", False)


@pytest.mark.django_db
def test_profile_problems_speak_the_request_language(verified_user):
    client = verified_user("fr@example.org")
    client.language = "fr"

    response = client.api("patch", "/me", {"organisation": ""})

    assert response.json()["errors"][0]["msg"] in ("Ce champ est obligatoire.", "Champ requis.")


@pytest.mark.django_db
def test_the_profile_wants_json(verified_user):
    client = verified_user("json@example.org")

    response = client.api("patch", "/me", "organisation=x", content_type="application/x-www-form-urlencoded")

    assert response.status_code in (400, 415)
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
def test_a_browser_needs_its_csrf_token_to_change_the_profile(verified_user):
    client = verified_user("csrf@example.org", kind="browser")

    forged = client.client.patch(
        "/api/v1/me", {"organisation": "Forged"}, content_type="application/json", headers={"Accept-Language": "en"}
    )

    assert forged.status_code == 403
    assert forged["Content-Type"] == PROBLEM
    assert client.api("patch", "/me", {"organisation": "Real"}).status_code == 200


@pytest.mark.django_db
def test_new_terms_stop_downloads_until_accepted(verified_user, settings):
    client = verified_user("terms@example.org")
    settings.ACCOUNTS_TERMS_VERSION = "2099-01"
    client.language = "fr"

    profile = client.api("get", "/me").json()
    assert profile["may_download"] is False and profile["terms_current"] is False
    assert profile["download_refusals"] == [
        {"code": "terms_not_accepted", "message": "Acceptez les conditions d'utilisation en vigueur."}
    ]
    assert client.api("get", "/accounts/terms").json() == {"version": "2099-01"}

    response = client.api("patch", "/me", {"terms_version": "2099-01"})

    assert response.status_code == 200
    assert response.json()["may_download"] is True and response.json()["terms_version"] == "2099-01"


@pytest.mark.django_db
def test_the_profile_refuses_unknown_query_parameters(verified_user):
    client = verified_user("strict@example.org")

    assert client.api("get", "/me?fields=all").status_code == 400


@pytest.mark.django_db
def test_the_account_endpoints_are_in_the_api_document_with_their_security(client):
    document = client.get("/api/v1/openapi.json").json()

    for path in ("/api/v1/me", "/api/v1/me/newsletter", "/api/v1/accounts/password-policy", "/api/v1/accounts/terms"):
        assert path in document["paths"]
    assert document["components"]["securitySchemes"]["SessionTokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
    }
    assert {"SessionTokenAuth": []} in document["paths"]["/api/v1/me"]["get"]["security"]
