"""Every 404, 405 and 500 under `/api/` is a problem document, with DEBUG off or on."""

import pytest
from django.test import Client

PROBLEM = "application/problem+json"


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/no-such-thing/", "/api/v1/pages/1/no/", "/api/nothing", "/api/v2/"])
def test_an_unknown_api_path_is_a_problem_404(client, debug, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"
    assert b"<html" not in response.content.lower()


@pytest.mark.django_db
def test_a_method_a_path_does_not_serve_is_a_problem_405(client, debug):
    response = client.delete("/api/v1/pages/")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET"
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
@pytest.mark.urls("tests.contract.urls")
def test_an_escaped_exception_is_a_problem_500_without_traceback(debug):
    response = Client(raise_request_exception=False).get("/api/v1/test-failure/")

    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "server_error"
    assert b"secret detail" not in response.content and b"Traceback" not in response.content


@pytest.mark.django_db
def test_answers_outside_the_api_are_left_alone(client):
    response = client.get("/admin/no-such-page/")

    assert response.status_code in (302, 404)
    assert response.get("Content-Type", "") != PROBLEM
