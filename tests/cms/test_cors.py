"""Browsers may call the API (and allauth's endpoints) from the origins of active front ends, and from nowhere else.

Requests go through the real middleware stack and settings; the URLconf
below only provides one trivial view under each kind of path.
"""

import pytest
from django.http import HttpResponse
from django.urls import path
from wagtail.models import Site

from cms import cors  # noqa: F401  connects the signal handler (until CmsConfig.ready() imports it)
from cms.models import FrontEnd


def ping(request):
    return HttpResponse("pong")


urlpatterns = [
    path("api/v1/ping", ping),
    path("_allauth/browser/v1/ping", ping),
    path("admin/ping", ping),
]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db, pytest.mark.usefixtures("own_cache")]

ORIGIN = "https://portal.example.org"
API = "/api/v1/ping"


@pytest.fixture
def front_end():
    site = Site.objects.get(is_default_site=True)
    return FrontEnd.objects.create(name="Portal web", site=site, origins=f"{ORIGIN}\nhttp://localhost:3000")


def preflight(client, url, origin, headers="x-api-key, if-none-match"):
    return client.options(
        url,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def allowed(response, origin=ORIGIN) -> bool:
    return response.get("Access-Control-Allow-Origin") == origin


def no_cors_headers(response) -> bool:
    return not any(name.lower().startswith("access-control-") for name in response.headers)


def test_a_preflight_from_a_registered_origin_is_answered(client, front_end):
    response = preflight(client, API, ORIGIN)

    assert response.status_code == 200
    assert allowed(response)
    assert response["Access-Control-Allow-Credentials"] == "true"
    allowed_headers = {name.strip() for name in response["Access-Control-Allow-Headers"].split(",")}
    assert {
        "authorization",
        "x-api-key",
        "x-session-token",
        "content-type",
        "if-none-match",
        "x-csrftoken",
    } <= allowed_headers
    assert "GET" in response["Access-Control-Allow-Methods"]


def test_a_request_from_a_registered_origin_may_read_the_response(client, front_end):
    response = client.get(API, HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200
    assert allowed(response)
    assert response["Access-Control-Allow-Credentials"] == "true"
    exposed = {name.strip() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified", "retry-after", "x-ratelimit-limit", "x-ratelimit-remaining"} <= exposed
    assert "origin" in response["Vary"].lower()


def test_every_registered_origin_of_a_front_end_is_allowed(client, front_end):
    assert allowed(client.get(API, HTTP_ORIGIN="http://localhost:3000"), "http://localhost:3000")


def test_allauths_endpoints_are_open_to_front_ends_too(client, front_end):
    url = "/_allauth/browser/v1/ping"

    assert allowed(preflight(client, url, ORIGIN, headers="content-type, x-csrftoken"))
    assert allowed(client.get(url, HTTP_ORIGIN=ORIGIN))


def test_the_admin_is_not_opened_to_front_ends(client, front_end):
    """A registered origin is no reason to let its scripts read the admin with an editor's cookies."""
    assert no_cors_headers(client.get("/admin/ping", HTTP_ORIGIN=ORIGIN))
    assert no_cors_headers(preflight(client, "/admin/ping", ORIGIN))


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example.com",
        "https://portal.example.org.evil.com",
        "https://evilportal.example.org",
        "https://www.portal.example.org",
        "https://example.org",
        "http://portal.example.org",
        "https://portal.example.org:8443",
        "https://localhost:3000",
        "http://localhost:3001",
        "null",
        "file://",
        "not an origin",
    ],
)
def test_other_origins_get_no_cors_headers(client, front_end, origin):
    assert not allowed(client.get(API, HTTP_ORIGIN=origin), origin)
    assert no_cors_headers(client.get(API, HTTP_ORIGIN=origin))
    assert no_cors_headers(preflight(client, API, origin))


def test_an_inactive_front_ends_origins_get_nothing(client, front_end):
    front_end.is_active = False
    front_end.save()

    assert no_cors_headers(client.get(API, HTTP_ORIGIN=ORIGIN))
    assert no_cors_headers(preflight(client, API, ORIGIN))


def test_editing_the_registry_takes_effect_at_once(client, front_end):
    assert allowed(client.get(API, HTTP_ORIGIN=ORIGIN))  # the set of origins is now cached

    front_end.origins = "https://new.example.org"
    front_end.save()
    assert no_cors_headers(client.get(API, HTTP_ORIGIN=ORIGIN))
    assert allowed(client.get(API, HTTP_ORIGIN="https://new.example.org"), "https://new.example.org")

    front_end.is_active = False
    front_end.save()
    assert no_cors_headers(client.get(API, HTTP_ORIGIN="https://new.example.org"))

    front_end.is_active = True
    front_end.save()
    assert allowed(client.get(API, HTTP_ORIGIN="https://new.example.org"), "https://new.example.org")

    front_end.delete()
    assert no_cors_headers(client.get(API, HTTP_ORIGIN="https://new.example.org"))


def test_a_new_front_end_is_allowed_at_once(client, front_end):
    assert no_cors_headers(client.get(API, HTTP_ORIGIN="https://app.example.net"))

    FrontEnd.objects.create(name="App", site=front_end.site, origins="https://app.example.net")

    assert allowed(client.get(API, HTTP_ORIGIN="https://app.example.net"), "https://app.example.net")


def test_origins_stored_without_the_admins_normalisation_still_match(client, front_end):
    front_end.origins = "HTTPS://Portal.Example.org:443/\nnot an origin"
    front_end.save()

    assert allowed(client.get(API, HTTP_ORIGIN=ORIGIN))


def test_a_hot_request_costs_no_query(client, front_end, django_assert_num_queries):
    client.get(API, HTTP_ORIGIN=ORIGIN)

    with django_assert_num_queries(0):
        assert allowed(preflight(client, API, ORIGIN))
        assert allowed(client.get(API, HTTP_ORIGIN=ORIGIN))
        assert no_cors_headers(client.get(API, HTTP_ORIGIN="https://evil.example.com"))
