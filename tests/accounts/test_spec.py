"""allauth's OpenAPI specification as served here: valid, true to this configuration, and true to the answers given.

The last test drives the account flows (limits included) through HTTP and
checks each answer against the served document: its status is declared for
the operation, and its body matches the declared schema.
"""

import json
import re

import pytest
import yaml
from django.contrib.auth.password_validation import validate_password
from jsonschema import Draft4Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from .conftest import PASSWORD, Headless, last_code

SPEC_URL = "/_allauth/openapi.json"


@pytest.fixture
def spec(client, db):
    response = client.get(SPEC_URL)
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_served_specification_is_valid_openapi(spec, client):
    validate(spec)
    assert yaml.safe_load(client.get("/_allauth/openapi.yaml").content) == spec


def test_flows_include_password_reset_by_code_pending_or_not(spec):
    flow = spec["components"]["schemas"]["Flow"]["properties"]
    assert "password_reset_by_code" in flow["id"]["enum"]
    assert flow["is_pending"] == {"type": "boolean", "description": flow["is_pending"]["description"]}


def test_new_passwords_carry_the_policys_bounds_and_the_examples_obey_it(spec):
    schemas = spec["components"]["schemas"]
    assert (schemas["NewPassword"]["minLength"], schemas["NewPassword"]["maxLength"]) == (12, 128)
    assert schemas["Signup"]["allOf"][1]["properties"]["password"] == {"$ref": "#/components/schemas/NewPassword"}
    assert schemas["ResetPassword"]["properties"]["password"] == {"$ref": "#/components/schemas/NewPassword"}
    change = spec["components"]["requestBodies"]["ChangePassword"]["content"]["application/json"]["schema"]
    assert change["properties"]["new_password"] == {"$ref": "#/components/schemas/NewPassword"}
    for example in (schemas["NewPassword"]["example"], schemas["Password"]["example"]):
        validate_password(example)  # raises if the policy refuses it


def test_the_phone_endpoints_are_neither_documented_nor_served(spec, client):
    assert not [path for path in spec["paths"] if "phone" in path]
    for kind in ("app", "browser"):
        for path in ("account/phone", "auth/phone/verify", "auth/phone/verify/resend"):
            for method in ("GET", "POST", "TRACE", "DELETE"):
                response = client.generic(method, f"/_allauth/{kind}/v1/{path}")
                assert response.status_code == 404, (method, path, response.status_code)
                assert response.json()["errors"][0]["code"] == "not_found"
    french = client.get("/_allauth/app/v1/account/phone", headers={"Accept-Language": "fr"})
    assert french.json()["errors"][0]["message"] == "Il n’y a rien à cette adresse."


# --- Answers against the document -------------------------------------------------


class Contract:
    """Finds the operation of a request in the spec and checks an answer against it."""

    def __init__(self, spec):
        self.spec = spec
        self.registry = Registry().with_resource("spec", Resource(spec, specification=DRAFT4))
        self.operations = []
        for path, item in spec["paths"].items():
            pattern = re.escape(path).replace(re.escape("{client}"), "(browser|app)")
            self.operations.append((re.compile(f"^{pattern}$"), item))
        self.seen = set()

    def resolve(self, node):
        while "$ref" in node:
            name = node["$ref"].removeprefix("#/").split("/")
            node = self.spec
            for part in name:
                node = node[part]
        return node

    def check(self, method, url, response):
        path = url.split("?")[0]
        item = next((item for pattern, item in self.operations if pattern.match(path)), None)
        assert item is not None, f"{path} is not documented"
        operation = item[method.lower()]
        status = str(response.status_code)
        assert status in operation["responses"], f"{method} {path} answered {status}, not declared"
        declared = self.resolve(operation["responses"][status])
        schema = declared.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            schema = self.rewrite_refs(schema)
            errors = list(Draft4Validator(schema, registry=self.registry).iter_errors(response.json()))
            assert not errors, (method, path, status, [error.message for error in errors[:3]])
        if status == "429":
            assert response.headers["Retry-After"].isdigit()
        self.seen.add((method, path.split("/v1/")[1], status))

    def rewrite_refs(self, node):
        if isinstance(node, dict):
            return {
                key: ("spec" + value if key == "$ref" else self.rewrite_refs(value))
                for key, value in node.items()
                if key not in ("example", "examples")
            }
        if isinstance(node, list):
            return [self.rewrite_refs(value) for value in node]
        return node


class CheckedClient(Headless):
    def __init__(self, contract, kind="app"):
        self.contract = contract
        super().__init__(kind)

    def _remember(self, response):
        request = response.request
        self.contract.check(request["REQUEST_METHOD"], request["PATH_INFO"], response)
        return super()._remember(response)


@pytest.mark.django_db
def test_the_answers_of_the_account_flows_are_the_documented_ones(spec, verified_user, no_code_mail_cooldown):
    contract = Contract(spec)
    owner = CheckedClient(contract)
    owner.signup("spec@example.org")  # 401, a pending flow and flows that are not
    owner.verify("BBBB-BBBB")  # 400
    owner.get("/auth/email/verify", headers={"X-Email-Verification-Key": "BBBB-BBBB"})  # 400
    owner.post("/auth/email/verify/resend")  # 200
    owner.verify(last_code("spec@example.org"))  # 200
    owner.get("/auth/session")  # 200
    owner.post("/account/password/change", {"current_password": PASSWORD, "new_password": "short"})  # 400
    owner.post("/account/password/change", {"current_password": PASSWORD, "new_password": "Another-Pass#2049"})
    owner.post("/auth/login", "not json", content_type="text/plain")  # 415
    owner.logout()  # 401

    guesser = CheckedClient(contract)
    guesser.signup("guessed@example.org")
    for _ in range(6):
        guesser.verify("BBBB-BBBB")  # 400 five times, then 429
    guesser.get("/auth/email/verify", headers={"X-Email-Verification-Key": "BBBB-BBBB"})  # 429

    resetter = CheckedClient(contract)
    resetter.request_reset("spec@example.org")  # 401
    for _ in range(6):
        resetter.check_reset_code("BBBB-BBBB")  # 400 five times, then 429
    resetter.reset("BBBB-BBBB")  # 429

    locked = CheckedClient(contract)
    for _ in range(6):
        locked.login("spec@example.org", "Wrong-Pass#2024x")  # 400 five times, then 429

    expected = {
        ("POST", "auth/signup", "401"),
        ("POST", "auth/email/verify", "400"),
        ("POST", "auth/email/verify", "429"),
        ("GET", "auth/email/verify", "429"),
        ("POST", "auth/email/verify", "200"),
        ("POST", "account/password/change", "200"),
        ("POST", "auth/login", "415"),
        ("GET", "auth/password/reset", "429"),
        ("POST", "auth/password/reset", "429"),
        ("POST", "auth/login", "429"),
    }
    assert expected <= contract.seen, expected - contract.seen
