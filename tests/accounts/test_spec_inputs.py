"""allauth's served document declares the inputs as the server judges them, and the server answers what it declares.

Each test pairs a claim of the document (accounts/spec.py, accounts/spec_inputs.py)
with the server's answer to the same input, so that a document drifting from the
forms, or a server drifting from the document, fails here before schemathesis
(tests/contract/test_schemathesis.py) finds it.
"""

import json
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from jsonschema import Draft4Validator

from accounts.forms import MediaAccountSignupForm, ReturnUrlField

from .conftest import FRONT_END_ORIGIN, Headless, error_codes, signup_data

SPEC_URL = "/_allauth/openapi.json"


@pytest.fixture
def spec(client, db):
    return json.loads(client.get(SPEC_URL).content)


def schema_of(spec, name):
    """A component schema with its references to other components inlined (they are not recursive here)."""

    def inline(node):
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(spec["components"]["schemas"][node["$ref"].rpartition("/")[2]])
            return {key: inline(value) for key, value in node.items() if key != "example"}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return inline(spec["components"]["schemas"][name])


# --- Methods -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_allauth_path_answers_an_undeclared_method_with_405_and_the_declared_ones_in_allow(client, spec):
    for path, item in spec["paths"].items():
        declared = {method.upper() for method in item}
        expected = declared | {"OPTIONS"} | ({"HEAD"} if "GET" in declared else set())
        for kind in ("app", "browser") if "{client}" in path else (None,):
            url = path.replace("{client}", kind) if kind else path
            for method in {"TRACE", "PUT", "PATCH", "DELETE", "GET", "POST"} - declared:
                response = client.generic(method, url, headers={"X-Session-Token": "unknown"})
                assert response.status_code == 405, (method, url, response.status_code)
                assert set(response["Allow"].split(", ")) == expected, (url, response["Allow"])
                assert response.json()["errors"][0]["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_the_405_speaks_the_request_language(client):
    response = client.generic("TRACE", "/_allauth/app/v1/auth/login", headers={"Accept-Language": "fr"})
    assert response.json()["errors"][0]["message"] == "Cette méthode n’est pas acceptée ici."


@pytest.mark.django_db
def test_declared_methods_still_reach_allauth(client):
    assert client.get("/_allauth/app/v1/auth/session").status_code == 401
    assert client.generic("TRACE", "/_allauth/app/v1/nothing/here").status_code == 404


# --- Required headers ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "header"),
    [("/auth/email/verify", "X-Email-Verification-Key"), ("/auth/password/reset", "X-Password-Reset-Key")],
)
@pytest.mark.parametrize("kind", ["app", "browser"])
def test_a_code_check_without_its_key_header_is_a_400_naming_it_pending_flow_or_not(spec, path, header, kind):
    operation = spec["paths"][f"/_allauth/{{client}}/v1{path}"]["get"]
    parameters = [spec["components"]["parameters"][p["$ref"].rpartition("/")[2]] for p in operation["parameters"]]
    assert any(p["in"] == "header" and p["name"] == header and p["required"] for p in parameters)
    person = Headless(kind)
    response = person.get(path)  # no process pending: allauth alone answers 409
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == [
        {"message": f"The {header} header is required.", "code": "required", "param": "key"}
    ]
    french = Headless(kind, language="fr").get(path)
    assert french.json()["errors"][0]["message"] == f"L’en-tête {header} est obligatoire."


@pytest.mark.django_db
def test_with_its_header_a_code_check_without_a_pending_flow_is_still_allauths_409():
    assert (
        Headless("app").get("/auth/email/verify", headers={"X-Email-Verification-Key": "BBBB-BBBB"}).status_code == 409
    )


# --- Session tokens ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_410_is_declared_wherever_a_session_token_can_be_sent_and_is_the_answer_to_an_unknown_one(client, spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            names = {p["$ref"].rpartition("/")[2] for p in operation.get("parameters", [])}
            if "SessionToken" in names:
                assert "410" in operation["responses"], (method, path)
    response = client.post(
        "/_allauth/app/v1/auth/email/verify/resend",
        content_type="application/json",
        headers={"X-Session-Token": "unknown"},
    )
    assert response.status_code == 410


# --- Log-in, e-mail addresses, passwords ---------------------------------------------------------


@pytest.mark.django_db
def test_the_log_in_is_by_email_and_neither_address_nor_password_may_be_empty(spec):
    login = Draft4Validator(schema_of(spec, "Login"))
    assert not list(login.iter_errors({"email": "ann@example.org", "password": "x"}))
    for body in (
        {"username": "ann", "password": "x"},
        {"email": "", "password": "x"},
        {"email": "a@b.c", "password": ""},
    ):
        assert list(login.iter_errors(body)), body
        response = Headless("app").post("/auth/login", body)
        assert response.status_code == 400, (body, response.content)
    assert spec["components"]["schemas"]["Email"]["format"] == "email"
    assert spec["components"]["schemas"]["RequestPassword"]["properties"]["email"] == {
        "$ref": "#/components/schemas/Email"
    }


PASSWORDS = [
    "Gr8-Broadcast!Day",
    "lower-UPPER-1234",
    "9!aA" + "x" * 8,
    "Élan-vital-2048",  # an upper-case letter outside ASCII: the policy counts it, the pattern asks for A-Z
    "no-upper-case-1234",
    "NO-LOWER-CASE-1234",
    "No-Digits-At-All!",
    "NoSymbolsAtAll1234",
    "Has a Space-1234",
    "Zero\u200bWidth-Space1",
    "Tab\tInside-Pass1",
]


@pytest.mark.django_db
def test_a_new_password_the_pattern_accepts_is_one_the_policy_accepts(spec):
    new_password = spec["components"]["schemas"]["NewPassword"]
    pattern = re.compile(new_password["pattern"])
    matched = []
    for password in PASSWORDS:
        if pattern.search(password):
            matched.append(password)
            validate_password(password)  # raises if the policy refuses what the document promised
    assert matched == ["Gr8-Broadcast!Day", "lower-UPPER-1234", "9!aA" + "x" * 8]
    assert pattern.search(new_password["example"])
    with pytest.raises(ValidationError):
        validate_password("Has a Space-1234")


# --- Sign-up ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_up_declares_the_forms_required_fields_and_their_bounds(spec):
    base = spec["components"]["schemas"]["BaseSignup"]
    properties = base["properties"]
    fields = MediaAccountSignupForm.base_fields
    assert {"first_name", "last_name", "organisation", "country", "terms_accepted", "terms_version"} <= set(
        base["required"]
    )
    for name in ("first_name", "last_name", "organisation"):
        assert properties[name]["maxLength"] == fields[name].max_length
        assert properties[name]["minLength"] == 1
    assert properties["terms_accepted"]["enum"] == [True]
    assert {"newsletter", "language", "return_url"}.isdisjoint(base["required"])


@pytest.mark.django_db
def test_the_terms_version_declared_is_the_current_one(client, settings):
    settings.ACCOUNTS_TERMS_VERSION = "2031-07"
    served = json.loads(client.get(SPEC_URL).content)
    assert served["components"]["schemas"]["BaseSignup"]["properties"]["terms_version"]["enum"] == ["2031-07"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": "   "}, "last_name"),
        ({"organisation": "Radio\u0000Nord"}, "organisation"),
        ({"terms_accepted": False}, "terms_accepted"),
        ({"terms_version": "1999-01"}, "terms_version"),
        ({"return_url": "//elsewhere.example"}, "return_url"),
        ({"return_url": "https://elsewhere.example/page"}, "return_url"),
    ],
)
def test_what_the_sign_up_schema_refuses_the_server_refuses(spec, front_end, fields, param):
    signup = Draft4Validator(schema_of(spec, "BaseSignup"))
    body = signup_data("new@example.org", **fields)
    body.pop("password")
    assert list(signup.iter_errors(body)), fields
    response = Headless("app").post("/auth/signup", signup_data("new@example.org", **fields))
    assert response.status_code == 400, response.content
    assert param in {error.get("param") for error in response.json()["errors"]}, error_codes(response)


@pytest.mark.django_db
def test_what_the_sign_up_schema_accepts_the_server_accepts(spec):
    signup = Draft4Validator(schema_of(spec, "Signup"))
    body = signup_data("new@example.org", first_name=" Ann ", return_url="/fr/videos")
    assert not list(signup.iter_errors(body))
    response = Headless("app").post("/auth/signup", body)
    assert response.status_code == 401, response.content  # created, the e-mail to verify


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "declared"),
    [("", True), ("/", True), ("/fr/videos?page=2#top", True), (f"{FRONT_END_ORIGIN}/fr", False),
     ("//evil.example", False), ("/\\evil", False), ("fr/videos", False), ("/a b", False),
     ("javascript:alert(1)", False), ("https://evil.example/", False), ("/é", False)],
)  # fmt: skip
def test_a_return_url_the_pattern_accepts_is_one_the_server_accepts(spec, front_end, value, declared):
    pattern = re.compile(spec["components"]["schemas"]["BaseSignup"]["properties"]["return_url"]["pattern"])
    assert bool(pattern.search(value)) == declared, value
    if declared:
        assert ReturnUrlField().clean(value) == value  # the sign-up's field: empty is no return URL
    elif not value.startswith(FRONT_END_ORIGIN):  # a registered front end's page: accepted, left out of the pattern
        with pytest.raises(ValidationError):
            ReturnUrlField().clean(value)
