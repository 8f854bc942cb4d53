"""Every JSON body of `/api/v1/` is refused with 415 when the request does not say it is JSON."""

import json

import pytest
from django.test import Client

PROBLEM = "application/problem+json"


@pytest.fixture
def member(media_account):
    client = Client()
    client.force_login(media_account())
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps({"kind": "full"})),  # valid JSON, but not declared as such
        ("application/x-www-form-urlencoded", "kind=full"),
        ("multipart/form-data; boundary=x", "--x--"),
    ],
)
def test_a_download_request_that_is_not_json_is_415(member, content_type, body):
    response = member.post("/api/v1/videos/1/downloads", data=body, content_type=content_type)

    assert response.status_code == 415, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "unsupported_media_type"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), [("patch", "/api/v1/me"), ("put", "/api/v1/me/newsletter")])
def test_the_profile_and_the_newsletter_want_json(member, method, path):
    response = getattr(member, method)(path, data="subscribed=true", content_type="text/plain")

    assert response.status_code == 415
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
def test_json_with_a_charset_is_json(member):
    body = json.dumps({"kind": "full"})
    response = member.post("/api/v1/videos/999999/downloads", data=body, content_type="application/json; charset=utf-8")

    assert response.status_code == 404  # past the media-type check: no such video


@pytest.mark.django_db
def test_an_anonymous_caller_is_told_to_log_in_first(client):
    response = client.post("/api/v1/videos/1/downloads", data="x", content_type="text/plain")

    assert response.status_code == 401


@pytest.mark.django_db
def test_every_operation_with_a_json_body_declares_415_and_no_other_does(client):
    spec = client.get("/api/v1/openapi.json").json()
    with_body = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            declared = "415" in operation["responses"]
            assert declared == ("requestBody" in operation), (method, path)
            if declared:
                with_body.append((method, path))
                assert list(operation["requestBody"]["content"]) == ["application/json"]
    assert ("post", "/api/v1/videos/{video_id}/downloads") in with_body
    assert ("patch", "/api/v1/me") in with_body
