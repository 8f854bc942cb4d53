"""The document declares what the server really answers: 405 and 503 everywhere, links between operations."""

import pytest
from django.test import Client

from cms.api_contract import ContractAPI, Link
from cms.apikit import PROBLEM_JSON, StrictRouter

pytestmark = pytest.mark.django_db


@pytest.fixture
def document():
    return Client().get("/api/v1/openapi.json").json()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


@pytest.mark.parametrize("status", ["405", "503"])
def test_every_operation_declares_a_problem_for(document, status):
    for name, operation in operations(document):
        response = operation["responses"].get(status)
        assert response is not None, f"{name} does not declare {status}"
        assert list(response["content"]) == [PROBLEM_JSON], name


def test_a_method_a_path_does_not_serve_answers_the_declared_405(client):
    response = client.put("/api/v1/topics/")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM_JSON
    assert response["Allow"] == "GET"


def test_the_cache_being_unreachable_answers_503_unavailable(client, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def unreachable(request):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("cms.apikit.cached_response", unreachable)
    response = client.get("/api/v1/topics/")

    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM_JSON
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "unavailable"
    assert "6379" not in response.content.decode()


def test_listings_link_their_items_to_the_detail(document):
    links = document["paths"]["/api/v1/pages/"]["get"]["responses"]["200"]["links"]
    assert links["cms_pages_api_get_page.page_id"] == {
        "operationId": "cms_pages_api_get_page",
        "parameters": {"page_id": "$response.body#/items/0/id"},
        "description": "An item.",
    }
    topics = document["paths"]["/api/v1/topics/"]["get"]["responses"]["200"]["links"]
    assert topics["taxonomy_api_get_topic.topic_id"]["parameters"] == {"topic_id": "$response.body#/items/0/id"}
    clip = document["paths"]["/api/v1/videos/{video_id}/downloads"]["post"]["responses"]["202"]["links"]
    assert clip["videos_downloads_api_clip_job.job_id"]["parameters"] == {"job_id": "$response.body#/job_id"}


def test_every_link_names_a_served_operation(document):
    served = {operation["operationId"] for _name, operation in operations(document)}
    for _name, operation in operations(document):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                assert link["operationId"] in served


def test_a_link_to_an_operation_that_does_not_exist_is_refused():
    router = StrictRouter()

    @router.get("/things/", response=list[int], operation_id="list_things")
    def list_things(request):
        return []

    api = ContractAPI(urls_namespace="links-test", links=(Link("list_things", "get_thing", {"thing_id": "x"}),))
    api.add_router("", router)

    with pytest.raises(ValueError, match="unknown operations: get_thing"):
        api.get_openapi_schema(path_prefix="")


class UnreachableCache:
    def __getattr__(self, name):
        from redis.exceptions import ConnectionError as RedisConnectionError

        def fail(*args, **kwargs):
            raise RedisConnectionError("Connection refused.")

        return fail


def test_a_rate_limit_whose_cache_is_unreachable_answers_503_too(client, monkeypatch):
    # The limit is counted before the operation runs, outside its handlers: the API's middleware answers.
    monkeypatch.setattr("cms.rate_limits.cache", UnreachableCache())
    response = client.get("/api/v1/topics/")

    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["code"] == "unavailable"
