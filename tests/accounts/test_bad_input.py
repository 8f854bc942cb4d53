"""Bad sign-up input gets a clear 4xx in allauth's error format, in the request's language; no account is made."""

import pytest

from accounts.models import User

from .conftest import Headless, error_codes, errors_for, signup_data


def assert_refused(response, param, status=400):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status
    assert errors_for(response, param), body
    return errors_for(response, param)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["not-an-email", "ann@", "@example.org", "ann@@example.org", "ann@example..org", "ann smith@example.org", ""],
)
@pytest.mark.parametrize(("language", "message"), [("en", "Enter a valid email address."), ("fr", "Saisissez")])
def test_malformed_addresses(email, language, message):
    response = Headless("app", language=language).signup(email)

    messages = assert_refused(response, "email")
    assert any(text.startswith(message) or text in ("This field is required.", "Champ requis.") for text in messages)
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [
        "ann@ex\u0430mple.org",  # Cyrillic "a" in the domain (Django accepts IDN domains)
        "\u0430nn@example.org",  # Cyrillic "a" in the local part
        "\uff41nn@example.org",  # full-width "a"
        "ann\u200b@example.org",  # zero-width space
        "ann@example.org\u0301",  # combining accent
    ],
)
def test_look_alike_unicode_addresses_are_refused(email):
    response = Headless("app", language="fr").signup(email)

    assert_refused(response, "email")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_an_idn_domain_is_written_in_punycode():
    response = Headless("app").signup("ann@xn--exmple-cua.org")

    assert response.status_code == 401
    assert User.objects.filter(email="ann@xn--exmple-cua.org").exists()


@pytest.mark.django_db
def test_an_address_differing_only_in_case_never_makes_a_second_account(verified_user, no_code_mail_cooldown):
    verified_user("ann@example.org", first_name="Ann")

    response = Headless("app").signup("ANN@EXAMPLE.ORG", first_name="Mallory", organisation="Other")

    assert response.status_code == 401
    assert User.objects.count() == 1
    assert User.objects.get().first_name == "Ann"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "a" * 245 + "@example.org"),
        ("first_name", "x" * 151),
        ("last_name", "x" * 151),
        ("organisation", "x" * 201),
        ("terms_version", "x" * 33),
        ("return_url", "/" + "x" * 2000),
    ],
)
def test_over_long_fields(field, value):
    data = signup_data("long@example.org")
    data[field] = value
    response = Headless("app").post("/auth/signup", data)

    assert_refused(response, field)
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "param", "language", "message"),
    [
        ({"terms_accepted": None}, "terms_accepted", "en", "You must accept the terms of use to create an account."),
        ({"terms_accepted": False}, "terms_accepted", "fr", "Vous devez accepter les conditions d'utilisation"),
        ({"terms_version": "1999-01"}, "terms_version", "en", "The terms of use have changed"),
        ({"terms_version": "1999-01"}, "terms_version", "fr", "Les conditions d'utilisation ont changé"),
        ({"country": "XX"}, "country", "en", "Select a valid choice."),
        ({"country": None}, "country", "fr", "Champ requis."),
        ({"language": "de"}, "language", "en", "Select a valid choice."),
        ({"organisation": None}, "organisation", "en", "This field is required."),
        ({"first_name": "   "}, "first_name", "en", "This field is required."),
        ({"password": None}, "password", "fr", "Champ requis."),
    ],
)
def test_missing_or_wrong_sign_up_fields(fields, param, language, message):
    response = Headless("app", language=language).post("/auth/signup", signup_data("fields@example.org", **fields))

    assert any(text.startswith(message) for text in assert_refused(response, param))
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
@pytest.mark.parametrize(
    ("content_type", "body", "status", "code"),
    [
        ("application/x-www-form-urlencoded", "email=ann%40example.org&password=x", 415, "unsupported_media_type"),
        ("text/plain", '{"email": "ann@example.org"}', 415, "unsupported_media_type"),
        ("multipart/form-data; boundary=x", "--x--", 415, "unsupported_media_type"),
        ("application/json", "{not json", 400, "invalid_json"),
        ("application/json", '["a list"]', 400, "invalid_json"),
        ("application/json", b"\xff\xfe", 400, "invalid_json"),
    ],
)
def test_bodies_that_are_not_json_objects(kind, content_type, body, status, code):
    response = Headless(kind).post("/auth/signup", body, content_type=content_type)

    assert response.status_code == status
    assert response.json()["status"] == status
    assert error_codes(response) == [code]
    assert not User.objects.exists()


@pytest.mark.django_db
def test_body_errors_speak_the_request_language():
    response = Headless("app", language="fr").post("/auth/login", "email=a", content_type="text/plain")

    assert response.json()["errors"][0]["message"].startswith("Envoyez le corps de la requête en JSON")


@pytest.mark.django_db
def test_json_values_of_the_wrong_type_are_refused():
    response = Headless("app").post(
        "/auth/signup", signup_data({"nested": "x"}, first_name=["Ann"], country={"code": "FR"})
    )

    assert response.status_code == 400
    assert not User.objects.exists()
