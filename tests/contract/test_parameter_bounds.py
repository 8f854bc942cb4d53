"""Every parameter of `/api/v1/` is bounded in the OpenAPI document, and the server keeps to the bounds.

The server half runs on the database the suite runs on: CI runs it on SQLite
and on PostgreSQL (whose integers overflow where SQLite's do not).
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

PROBLEM = "application/problem+json"
# What a required parameter is given while another one is probed.
REQUIRED_VALUES = {"site": "localhost", "path": "/", "q": "press"}


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(spec):
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def branches(schema):
    """The non-null alternatives of a parameter's schema (`X | None` is an anyOf)."""
    options = schema.get("anyOf", [schema])
    return [option for option in options if option.get("type") != "null"]


def scalar_schemas(schema):
    for branch in branches(schema):
        yield from (branches(branch["items"]) if branch.get("type") == "array" else [branch])


def parameters(spec):
    for path, method, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            yield path, method, operation, parameter


def test_every_integer_parameter_has_a_maximum_and_every_string_a_max_length(spec):
    unbounded = []
    for path, method, _operation, parameter in parameters(spec):
        for schema in scalar_schemas(parameter["schema"]):
            if schema["type"] == "integer" and "maximum" not in schema:
                unbounded.append(f"{method} {path} {parameter['name']}: no maximum")
            if schema["type"] == "string" and not ({"maxLength", "enum"} & set(schema) or "format" in schema):
                unbounded.append(f"{method} {path} {parameter['name']}: no maxLength")
    assert not unbounded
    # The check sees them all: ids, filters, paths and tokens.
    names = {parameter["name"] for *_, parameter in parameters(spec)}
    assert {"page_id", "child_of", "topic", "translation_of", "site", "path", "token", "q"} <= names


def test_languages_are_an_enum_of_the_content_languages(spec):
    found = 0
    for _path, _method, _operation, parameter in parameters(spec):
        if parameter["name"] in ("locale", "fallback"):
            assert [schema["enum"] for schema in scalar_schemas(parameter["schema"])] == [
                list(settings.CONTENT_LANGUAGES)
            ]
            found += 1
    assert found >= 6  # pages (2), people, topics, search, suggest


@pytest.mark.parametrize(("path", "max_length"), [("/api/v1/search/", 256), ("/api/v1/search/suggest/", 100)])
def test_the_search_text_is_required_and_never_empty(spec, path, max_length):
    (q,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "q"]
    assert q["required"] is True
    assert q["schema"]["minLength"] == 1 and q["schema"]["maxLength"] == max_length
    assert "default" not in q["schema"]


def test_errors_are_declared_as_problem_documents(spec):
    for path, method, operation in operations(spec):
        responses = operation["responses"]
        assert "500" in responses, f"{method} {path}"
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == [PROBLEM], f"{method} {path} {status}"
            elif "content" in response:
                assert list(response["content"]) == ["application/json"], f"{method} {path} {status}"
        if "requestBody" in operation:
            assert "415" in responses, f"{method} {path}"


def test_reads_declare_the_key_optional_and_previews_required(spec):
    for path in ("/api/v1/pages/", "/api/v1/pages/{page_id}/", "/api/v1/sites/", "/api/v1/people/", "/api/v1/search/"):
        assert spec["paths"][path]["get"]["security"] == [{"FrontEndKeyBearer": []}, {"FrontEndKeyHeader": []}, {}]
    assert {} not in spec["paths"]["/api/v1/preview/"]["get"]["security"]
    assert {} not in spec["paths"]["/api/v1/me"]["get"]["security"]


# --- the server keeps to the bounds ---------------------------------------------------------------


def anonymous_probes(spec):
    """(method, path, parameter, schema) for each bounded parameter an anonymous caller reaches."""
    for path, method, operation, parameter in parameters(spec):
        if "security" in operation and {} not in operation["security"]:
            continue  # an account or a preview key is checked before the parameters
        for schema in scalar_schemas(parameter["schema"]):
            if "maximum" in schema or "maxLength" in schema:
                yield method, path, operation, parameter, schema


def request_for(method, path, operation, parameter, value):
    path_values, query = {}, {}
    for other in operation.get("parameters", []):
        if other is parameter:
            continue
        if other["in"] == "path":
            path_values[other["name"]] = 1
        elif other.get("required"):
            query[other["name"]] = REQUIRED_VALUES[other["name"]]
    (path_values if parameter["in"] == "path" else query)[parameter["name"]] = value
    url = path.format(**path_values)
    client = Client(raise_request_exception=False)
    return getattr(client, method)(url, query) if method == "get" else client.post(f"{url}?{_encode(query)}")


def _encode(query):
    from urllib.parse import urlencode

    return urlencode(query)


@pytest.mark.django_db
def test_past_each_bound_the_answer_is_a_400_problem_and_at_the_bound_never_a_500(spec, site_tree):
    probes = list(anonymous_probes(spec))
    assert {(path, parameter["name"]) for _m, path, _o, parameter, _s in probes} >= {
        ("/api/v1/pages/{page_id}/", "page_id"),
        ("/api/v1/pages/", "child_of"),
        ("/api/v1/pages/", "translation_of"),
        ("/api/v1/search/", "topic"),
        ("/api/v1/people/{person_id}/", "person_id"),
        ("/api/v1/pages/find/", "path"),
    }
    failures = []
    for method, path, operation, parameter, schema in probes:
        if "maximum" in schema:
            at, past = schema["maximum"], [schema["maximum"] + 1, 2**64, 10**30]
        else:
            at, past = "a" * schema["maxLength"], ["a" * (schema["maxLength"] + 1)]
        cache.clear()
        response = request_for(method, path, operation, parameter, at)
        if response.status_code >= 500 or str(response.status_code) not in operation["responses"]:
            failures.append(f"{method} {path} {parameter['name']} at its bound: {response.status_code}")
        for value in past:
            response = request_for(method, path, operation, parameter, value)
            if response.status_code != 400 or response["Content-Type"] != PROBLEM:
                failures.append(f"{method} {path} {parameter['name']}={str(value)[:30]}: {response.status_code}")
    assert not failures
