"""API keys and rate limits: anonymous reads stay open, a key that is sent must be valid, limits answer 429.

Everything goes through real HTTP requests: a tiny router declared here, with
`READ_ACCESS`/`PREVIEW_ACCESS`/`RATE_LIMITS` as the content routers use them,
is mounted on a throwaway NinjaAPI carrying the same exception handlers as
`cms.api`; the admin views are the real ones.
"""

import os
import re
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.urls import include, path, reverse
from django.utils import timezone
from ninja import NinjaAPI
from wagtail.models import Site

from cms import api as cms_api
from cms.api_access import PREVIEW_ACCESS, RATE_LIMITS, READ_ACCESS, install_access_handlers
from cms.apikit import PROBLEM_JSON, StrictRouter
from cms.models import FrontEnd, FrontEndAPIKey
from tests.helpers import make_superuser

router = StrictRouter(auth=READ_ACCESS, throttle=RATE_LIMITS)


@router.get("/content")
def content(request):
    client = request.auth
    return {
        "anonymous": client.is_anonymous,
        "front_end": client.front_end_name,
        "key": client.key_prefix,
        "scopes": sorted(client.scopes),
    }


@router.get("/drafts", auth=PREVIEW_ACCESS)
def drafts(request):
    return {"front_end": request.auth.front_end_name, "scopes": sorted(request.auth.scopes)}


test_api = NinjaAPI(urls_namespace="api_access_test")
# The same problem documents as the real API: its handlers (ninja has no
# public way to read them), then the access ones.
for exc_class, handler in cms_api.api._exception_handlers.items():
    test_api.add_exception_handler(exc_class, handler)
install_access_handlers(test_api)
test_api.add_router("/", router)

urlpatterns = [path("api/test/", test_api.urls), path("", include("cms.urls"))]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db, pytest.mark.usefixtures("own_cache")]

CONTENT = "/api/test/content"
DRAFTS = "/api/test/drafts"
KEY_PATTERN = re.compile(r"fe_[0-9a-f]{16}_[A-Za-z0-9_-]+")


@pytest.fixture
def front_end():
    site = Site.objects.get(is_default_site=True)
    return FrontEnd.objects.create(name="Portal web", site=site, origins="https://portal.example.org")


def make_key(front_end, name="production web", **fields):
    """A saved key and the key string its front end would send."""
    key = FrontEndAPIKey(front_end=front_end, name=name, **fields)
    secret = key.generate()
    key.save()
    return key, secret


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def x_api_key(key: str) -> dict:
    return {"HTTP_X_API_KEY": key}


def assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    return body


# --- Who is calling ---------------------------------------------------------------------


def test_anonymous_reads_are_allowed(client):
    response = client.get(CONTENT)

    assert response.status_code == 200
    assert response.json() == {"anonymous": True, "front_end": "", "key": "", "scopes": ["read"]}


@pytest.mark.parametrize("send", [bearer, x_api_key], ids=["bearer", "x-api-key"])
def test_a_valid_key_identifies_its_front_end(client, front_end, send):
    key, secret = make_key(front_end)

    response = client.get(CONTENT, **send(secret))

    assert response.status_code == 200
    assert response.json() == {
        "anonymous": False,
        "front_end": "Portal web",
        "key": f"fe_{key.lookup_id}_",
        "scopes": ["read"],
    }


def _invalid_key(kind, front_end):
    if kind == "garbage":
        return "not-a-key"
    if kind == "empty":
        return ""
    if kind == "no secret":
        return "fe_0123456789abcdef_"
    if kind == "lookup id not hexadecimal":
        return "fe_ZZZZZZZZZZZZZZZZ_secret"
    if kind == "too long":
        return f"fe_0123456789abcdef_{'x' * 500}"
    if kind == "unknown":
        return FrontEndAPIKey(front_end=front_end).generate()  # never saved
    if kind == "wrong secret":
        _key, secret = make_key(front_end)
        return secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    if kind == "revoked":
        return make_key(front_end, revoked_at=timezone.now())[1]
    if kind == "inactive front end":
        front_end.is_active = False
        front_end.save()
        return make_key(front_end)[1]
    raise AssertionError(kind)


INVALID_KEYS = {
    "garbage": "Malformed API key",
    "empty": "Malformed API key",
    "no secret": "Malformed API key",
    "lookup id not hexadecimal": "Malformed API key",
    "too long": "Malformed API key",
    "unknown": "Unknown API key.",
    "wrong secret": "Unknown API key.",
    "revoked": "This API key has been revoked.",
    "inactive front end": "The front end of this API key is not active.",
}


@pytest.mark.parametrize("send", [bearer, x_api_key], ids=["bearer", "x-api-key"])
@pytest.mark.parametrize("kind", INVALID_KEYS)
def test_a_key_that_is_sent_must_be_valid(client, front_end, kind, send):
    """Never silently anonymous: the front end learns at once that its key is wrong."""
    response = client.get(CONTENT, **send(_invalid_key(kind, front_end)))

    body = assert_problem(response, 401, "invalid_api_key")
    assert body["detail"].startswith(INVALID_KEYS[kind])
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_other_authorization_schemes_are_not_api_keys(client):
    """A site behind HTTP basic auth (a staging server) still reads anonymously."""
    response = client.get(CONTENT, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")

    assert response.status_code == 200
    assert response.json()["anonymous"] is True


def test_a_key_without_the_read_scope_is_refused_reading(client, front_end):
    _key, secret = make_key(front_end, can_read=False, can_preview=True)

    response = client.get(CONTENT, **bearer(secret))

    body = assert_problem(response, 403, "permission_denied")
    assert "read" in body["detail"]


def test_previews_need_a_key_with_the_preview_scope(client, front_end):
    _read_key, read_secret = make_key(front_end, name="read only")
    _preview_key, preview_secret = make_key(front_end, name="preview", can_preview=True)

    assert_problem(client.get(DRAFTS), 401, "not_authenticated")
    assert_problem(client.get(DRAFTS, **bearer("fe_nonsense")), 401, "invalid_api_key")
    body = assert_problem(client.get(DRAFTS, **bearer(read_secret)), 403, "permission_denied")
    assert "preview" in body["detail"]

    response = client.get(DRAFTS, **x_api_key(preview_secret))
    assert response.status_code == 200
    assert response.json() == {"front_end": "Portal web", "scopes": ["preview", "read"]}


# --- Changes take effect at once; hot requests cost no query ----------------------------------


def test_revoking_a_key_takes_effect_at_once(client, front_end):
    key, secret = make_key(front_end)
    assert client.get(CONTENT, **bearer(secret)).status_code == 200  # the key is now cached

    key.revoked_at = timezone.now()
    key.save()

    assert_problem(client.get(CONTENT, **bearer(secret)), 401, "invalid_api_key")


def test_deactivating_or_deleting_takes_effect_at_once(client, front_end):
    key, secret = make_key(front_end)
    assert client.get(CONTENT, **bearer(secret)).status_code == 200

    front_end.is_active = False
    front_end.save()
    assert_problem(client.get(CONTENT, **bearer(secret)), 401, "invalid_api_key")

    front_end.is_active = True
    front_end.save()
    assert client.get(CONTENT, **bearer(secret)).status_code == 200

    key.delete()
    body = assert_problem(client.get(CONTENT, **bearer(secret)), 401, "invalid_api_key")
    assert body["detail"] == "Unknown API key."


def test_scope_changes_take_effect_at_once(client, front_end):
    key, secret = make_key(front_end)
    assert client.get(DRAFTS, **bearer(secret)).status_code == 403

    key.can_preview = True
    key.save()

    assert client.get(DRAFTS, **bearer(secret)).status_code == 200


def test_hot_requests_with_a_key_make_no_query(client, front_end, django_assert_num_queries):
    _key, secret = make_key(front_end, can_preview=True)
    client.get(CONTENT, **bearer(secret))  # looks the key up and notes its use

    with django_assert_num_queries(0):
        assert client.get(CONTENT, **bearer(secret)).status_code == 200
        assert client.get(DRAFTS, **x_api_key(secret)).status_code == 200
        assert client.get(CONTENT).status_code == 200


def test_an_unknown_key_is_remembered_too(client, front_end, django_assert_num_queries):
    unknown = FrontEndAPIKey(front_end=front_end).generate()
    client.get(CONTENT, **bearer(unknown))

    with django_assert_num_queries(0):
        assert client.get(CONTENT, **bearer(unknown)).status_code == 401


def test_a_key_created_after_being_tried_works_at_once(client, front_end):
    key = FrontEndAPIKey(front_end=front_end, name="late")
    secret = key.generate()
    assert client.get(CONTENT, **bearer(secret)).status_code == 401  # remembered as unknown

    key.save()

    assert client.get(CONTENT, **bearer(secret)).status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(client, front_end):
    key, secret = make_key(front_end)
    assert key.last_used_at is None

    before = timezone.now()
    client.get(CONTENT, **bearer(secret))
    key.refresh_from_db()
    first_use = key.last_used_at
    assert first_use is not None and first_use >= before

    client.get(CONTENT, **bearer(secret))
    key.refresh_from_db()
    assert key.last_used_at == first_use


def test_noting_a_use_writes_nothing_else_back(client, front_end):
    """The cached record must never overwrite what an editor changed meanwhile."""
    key, secret = make_key(front_end)
    client.get(CONTENT, **bearer(secret))
    FrontEndAPIKey.objects.filter(pk=key.pk).update(name="renamed", last_used_at=None)

    client.get(CONTENT, **bearer(secret))  # within the minute: no write
    key.refresh_from_db()
    assert (key.name, key.last_used_at) == ("renamed", None)


# --- Rate limits ---------------------------------------------------------------------------


def test_a_key_is_limited_at_its_own_rate(client, front_end):
    _key, secret = make_key(front_end, rate_limit_per_minute=3)
    _other_key, other_secret = make_key(front_end, name="other", rate_limit_per_minute=3)

    for _ in range(3):
        assert client.get(CONTENT, **bearer(secret)).status_code == 200
    response = client.get(CONTENT, **bearer(secret))

    body = assert_problem(response, 429, "rate_limited")
    assert "Retry-After" in body["detail"]
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Limit"] == "3"
    assert response["X-RateLimit-Remaining"] == "0"
    # Other keys and anonymous callers from the same address count separately.
    assert client.get(CONTENT, **bearer(other_secret)).status_code == 200
    assert client.get(CONTENT).status_code == 200


def test_lowering_a_keys_rate_applies_at_once(client, front_end):
    key, secret = make_key(front_end, rate_limit_per_minute=10)
    for _ in range(5):
        assert client.get(CONTENT, **bearer(secret)).status_code == 200

    key.rate_limit_per_minute = 2
    key.save()
    response = client.get(CONTENT, **bearer(secret))

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_anonymous_callers_are_limited_per_client_ip(client, front_end, settings):
    settings.API_ANONYMOUS_RATE_LIMIT = "2/min"
    _key, secret = make_key(front_end, rate_limit_per_minute=5)

    for _ in range(2):
        assert client.get(CONTENT).status_code == 200
    response = client.get(CONTENT)

    assert_problem(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response["X-RateLimit-Limit"] == "2"
    assert client.get(CONTENT, REMOTE_ADDR="198.51.100.7").status_code == 200
    for _ in range(5):
        assert client.get(CONTENT, **bearer(secret)).status_code == 200


def test_anonymous_callers_get_a_lower_rate_than_keys_by_default(settings):
    anonymous_count, _slash, period = settings.API_ANONYMOUS_RATE_LIMIT.partition("/")
    key_default = FrontEndAPIKey._meta.get_field("rate_limit_per_minute").default

    assert (anonymous_count, period) == ("120", "min")
    assert int(anonymous_count) < key_default


def _settings_in_a_fresh_process(**environment):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("API_", "TRUSTED_"))}
    env.update(DJANGO_SETTINGS_MODULE="cms.settings.test", **environment)
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.API_ANONYMOUS_RATE_LIMIT, settings.API_TRUSTED_PROXY_COUNT)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_rate_and_the_trusted_proxies_come_from_the_environment():
    result = _settings_in_a_fresh_process(API_ANONYMOUS_RATE_LIMIT="1000/5min", TRUSTED_PROXY_COUNT="2")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1000/5min", "2"]


def test_a_malformed_anonymous_rate_stops_the_start():
    result = _settings_in_a_fresh_process(API_ANONYMOUS_RATE_LIMIT="lots")

    assert result.returncode != 0
    assert "API_ANONYMOUS_RATE_LIMIT='lots': expected a number of requests per period" in result.stderr


def test_ipv6_clients_are_counted_per_64(client, settings):
    settings.API_ANONYMOUS_RATE_LIMIT = "1/min"

    assert client.get(CONTENT, REMOTE_ADDR="2001:db8:1:2::1").status_code == 200
    assert client.get(CONTENT, REMOTE_ADDR="2001:db8:1:2:ffff::9").status_code == 429
    assert client.get(CONTENT, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_x_forwarded_for_is_ignored_by_default(client, settings):
    """Without trusted proxies the header is whatever the client wrote: it cannot buy fresh limits."""
    settings.API_ANONYMOUS_RATE_LIMIT = "1/min"

    assert client.get(CONTENT, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 200
    assert client.get(CONTENT, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429


def test_x_forwarded_for_is_honoured_behind_trusted_proxies(client, settings):
    settings.API_ANONYMOUS_RATE_LIMIT = "1/min"
    settings.API_TRUSTED_PROXY_COUNT = 1

    # The proxy appends the address it saw; what the client put before it is ignored.
    assert client.get(CONTENT, HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.1").status_code == 200
    assert client.get(CONTENT, HTTP_X_FORWARDED_FOR="another-lie, 203.0.113.1").status_code == 429
    assert client.get(CONTENT, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 200
    # Every request now comes from the proxy: its own address no longer counts.
    assert client.get(CONTENT, HTTP_X_FORWARDED_FOR="203.0.113.3").status_code == 200


def test_a_trusted_client_ip_header_is_honoured(client, settings):
    settings.API_ANONYMOUS_RATE_LIMIT = "1/min"
    settings.API_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"

    assert client.get(CONTENT, HTTP_X_REAL_IP="203.0.113.1").status_code == 200
    assert client.get(CONTENT, HTTP_X_REAL_IP="203.0.113.1:51234").status_code == 429  # same client, with a port
    assert client.get(CONTENT, HTTP_X_REAL_IP="203.0.113.2").status_code == 200


def test_the_schema_documents_both_ways_of_sending_a_key():
    schemes = test_api.get_openapi_schema()["components"]["securitySchemes"]

    assert schemes["FrontEndKeyBearer"]["type"] == "http"
    assert schemes["FrontEndKeyBearer"]["scheme"] == "bearer"
    assert (schemes["FrontEndKeyHeader"]["in"], schemes["FrontEndKeyHeader"]["name"]) == ("header", "X-API-Key")


# --- The admin -----------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(make_superuser(django_user_model))
    return client


def test_a_key_created_in_the_admin_is_shown_once(admin_client, front_end):
    response = admin_client.post(
        reverse("wagtailsnippets_cms_frontendapikey:add"),
        {"front_end": front_end.pk, "name": "production web", "can_read": "on", "rate_limit_per_minute": "600"},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    keys = set(KEY_PATTERN.findall(response.content.decode()))
    assert len(keys) == 1
    secret = keys.pop()
    key = FrontEndAPIKey.objects.get()
    assert (key.name, key.rate_limit_per_minute, key.scopes) == ("production web", 600, {"read"})

    # It works...
    admin_client.logout()
    answer = admin_client.get(CONTENT, **bearer(secret))
    assert answer.status_code == 200
    assert answer.json()["front_end"] == "Portal web"
    # ...and only its digest is kept: nothing stored, the session included, holds the key.
    _lookup_id, raw_secret = FrontEndAPIKey.parse(secret)
    assert key.digest == FrontEndAPIKey.digest_of(raw_secret)
    stored = FrontEndAPIKey.objects.values_list().get()
    assert not any(raw_secret in str(value) for value in stored)
    assert not any(raw_secret in str(session.get_decoded()) for session in Session.objects.all())
    assert raw_secret not in str(response.cookies)


def test_the_edit_view_never_shows_the_key(admin_client, front_end):
    key, secret = make_key(front_end)
    _lookup_id, raw_secret = FrontEndAPIKey.parse(secret)

    response = admin_client.get(reverse("wagtailsnippets_cms_frontendapikey:edit", args=[key.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"fe_{key.lookup_id}_" in html
    assert raw_secret not in html
    assert key.digest not in html


def test_a_key_is_revoked_in_the_admin_for_good(admin_client, front_end):
    key, secret = make_key(front_end)
    edit_url = reverse("wagtailsnippets_cms_frontendapikey:edit", args=[key.pk])
    form = {"front_end": front_end.pk, "name": key.name, "can_read": "on", "rate_limit_per_minute": "1200"}

    response = admin_client.post(edit_url, {**form, "revoke": "on"})

    assert response.status_code == 302
    key.refresh_from_db()
    revoked_at = key.revoked_at
    assert revoked_at is not None and timezone.now() - revoked_at < timedelta(minutes=1)
    assert_problem(admin_client.get(CONTENT, **bearer(secret)), 401, "invalid_api_key")

    # Saving again without the box ticked does not bring it back.
    assert admin_client.post(edit_url, form).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at == revoked_at
    assert "Revoked on" in admin_client.get(edit_url).content.decode()


def test_the_key_list_sits_in_the_settings_menu(admin_client, front_end):
    key, _secret = make_key(front_end)

    list_url = reverse("wagtailsnippets_cms_frontendapikey:list")
    response = admin_client.get(list_url)

    assert response.status_code == 200
    assert f"fe_{key.lookup_id}_" in response.content.decode()
    assert list_url in admin_client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_sliding_window_counter_lets_requests_back_as_the_window_slides(db, monkeypatch):
    from types import SimpleNamespace

    from cms import rate_limits

    class FivePerMinute(rate_limits.ClientRateThrottle):
        scope = "test-sliding"

        def limit_for(self, request):
            return "5/min", "someone"

    clock = SimpleNamespace(now=6_000_000.0)  # the start of a one-minute window
    monkeypatch.setattr(rate_limits.time, "time", lambda: clock.now)
    throttle = FivePerMinute()

    def ask():
        request = SimpleNamespace()
        return throttle.allow_request(request), getattr(request, "api_rate_limit", None)

    assert [ask()[0] for _ in range(5)] == [True] * 5
    allowed, state = ask()
    assert not allowed and state.limit == 5 and 1 <= state.retry_after <= 60
    # Half-way into the next window, half of the previous one still counts (2.5 of 5): three more pass.
    clock.now += 90
    assert [ask()[0] for _ in range(4)] == [True, True, True, False]
    # Two windows later nothing of the burst counts any more.
    clock.now += 120
    assert all(ask()[0] for _ in range(5))
    # Each window is one counter in the cache, whatever the rate: no list of timestamps.
    from django.core.cache import cache

    window = int(clock.now // 60)
    assert cache.get(f"cms:throttle:test-sliding:someone:{window}") == 5


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="the one-round-trip count is Redis's (cms.redis_cache)")
def test_on_redis_a_rate_limit_check_is_one_round_trip(db, monkeypatch):
    """The window's two counts are read and the current one counted by one script on the server."""
    from types import SimpleNamespace

    from redis import Redis

    from cms import rate_limits

    class TwoPerMinute(rate_limits.ClientRateThrottle):
        scope = f"test-round-trips-{uuid.uuid4().hex}"

        def limit_for(self, request):
            return "2/min", "someone"

    # All three in one instant: on a real clock they may straddle a minute, and the sliding window then lets the
    # third through (the previous minute's one request weighs just under 1).
    frozen = time.time()
    monkeypatch.setattr(rate_limits.time, "time", lambda: frozen)
    throttle, commands = TwoPerMinute(), []
    real = Redis.execute_command
    monkeypatch.setattr(
        Redis, "execute_command", lambda self, *args, **kw: commands.append(args[0]) or real(self, *args, **kw)
    )

    assert throttle.allow_request(SimpleNamespace())  # the first also loads the scripts into the server
    commands.clear()
    answers = [throttle.allow_request(SimpleNamespace()) for _ in range(2)]

    assert answers == [True, False]
    assert len(commands) == 2, commands  # one each, allowed or refused
