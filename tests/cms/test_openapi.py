"""The OpenAPI document is valid and describes every response the API actually sends."""

import pytest
from django.core.cache import cache
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec


@pytest.fixture(scope="module")
def spec(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def validator_for(spec, path, status="200"):
    operation = spec["paths"][path]["get"]
    content = operation["responses"][status]["content"]
    schema = next(iter(content.values()))["schema"]
    # Resolve "#/components/..." against the whole document.
    return Draft202012Validator({**schema, "components": spec["components"]})


def test_the_document_is_valid_openapi(spec):
    validate_spec(spec)
    assert spec["openapi"].startswith("3.1")
    for path in (
        "/api/v1/pages/",
        "/api/v1/pages/{page_id}/",
        "/api/v1/pages/find/",
        "/api/v1/sites/",
        "/api/v1/people/",
    ):
        assert path in spec["paths"], path


def test_items_are_a_union_discriminated_by_type(spec):
    schemas = spec["components"]["schemas"]
    items = schemas["PageList"]["properties"]["items"]["items"]
    assert set(items["discriminator"]["mapping"]) == {
        "home.HomePage",
        "news.NewsIndexPage",
        "news.NewsArticlePage",
        "interviews.InterviewIndexPage",
        "interviews.InterviewPage",
        "videos.VideoIndexPage",
        "videos.VideoPage",
    }
    # Body blocks are typed too, down to each block's fields.
    assert "NewsBodyQuote" in schemas and set(schemas["NewsBodyQuoteValue"]["properties"]) == {"quote", "attribution"}
    assert "InterviewBodyAnswer" in schemas


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/api/v1/pages/?fields=*&limit=100", "/api/v1/pages/"),
        ("/api/v1/pages/?locale=fr&fallback=en&fields=*", "/api/v1/pages/"),
        ("/api/v1/pages/?type=news.NewsArticlePage&fields=title,topics", "/api/v1/pages/"),
        ("/api/v1/pages/{newest}/", "/api/v1/pages/{page_id}/"),
        ("/api/v1/pages/{newest_fr}/", "/api/v1/pages/{page_id}/"),
        ("/api/v1/pages/{interview}/", "/api/v1/pages/{page_id}/"),
        ("/api/v1/pages/{video_page}/", "/api/v1/pages/{page_id}/"),
        ("/api/v1/pages/{home}/", "/api/v1/pages/{page_id}/"),
        ("/api/v1/pages/{news}/", "/api/v1/pages/{page_id}/"),
        ("/api/v1/pages/find/?site=localhost&path=/fr/", "/api/v1/pages/find/"),
        ("/api/v1/sites/", "/api/v1/sites/"),
        ("/api/v1/people/", "/api/v1/people/"),
        ("/api/v1/topics/?locale=fr", "/api/v1/topics/"),
    ],
)
def test_every_response_validates_against_the_published_schema(client, spec, shared_portal, url, path):
    cache.clear()
    ids = {
        name: getattr(shared_portal, name).pk
        for name in ("newest", "newest_fr", "interview", "video_page", "home", "news")
    }
    response = client.get(url.format(**ids))
    assert response.status_code == 200, response.content[:300]

    errors = sorted(validator_for(spec, path).iter_errors(response.json()), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/api/v1/pages/?limit=1000", "/api/v1/pages/", "400"),
        ("/api/v1/pages/?bogus=1", "/api/v1/pages/", "400"),
        ("/api/v1/pages/999999/", "/api/v1/pages/{page_id}/", "404"),
    ],
)
def test_errors_validate_against_the_declared_problem_schema(client, spec, url, path, status):
    response = client.get(url)
    assert str(response.status_code) == status

    errors = list(validator_for(spec, path, status).iter_errors(response.json()))
    assert not errors, [e.message for e in errors[:5]]
