"""Sessions and tokens: server-side, and refused after log-out, password change and password reset."""

import pytest
from django.core import checks
from django.test import override_settings

from .conftest import NEW_PASSWORD, PASSWORD, Headless, last_code


def logged_in(email, kind="app"):
    client = Headless(kind)
    assert client.login(email).status_code == 200
    return client


def refused(client) -> bool:
    return client.api("get", "/me").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
def test_a_session_is_refused_after_logging_out(verified_user, kind):
    verified_user("out@example.org")
    client = logged_in("out@example.org", kind)
    old_token = client.session_token
    assert not refused(client)

    client.logout()

    assert refused(client)
    if kind == "app":
        stale = Headless("app")
        stale.session_token = old_token
        assert stale.get("/auth/session").status_code in (401, 410)
        assert refused(stale)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
def test_other_sessions_are_refused_after_a_password_change(verified_user, kind):
    verified_user("change@example.org")
    changer = logged_in("change@example.org", "app")
    other = logged_in("change@example.org", kind)

    response = changer.post("/account/password/change", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 200

    assert refused(other)
    assert not refused(changer)  # the session that changed it stays logged in


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
def test_every_session_is_refused_after_a_password_reset(verified_user, kind):
    first = verified_user("reset@example.org", kind=kind)
    second = logged_in("reset@example.org", kind)

    resetter = Headless("app")
    resetter.request_reset("reset@example.org")
    code = last_code("reset@example.org")
    assert resetter.reset(code, NEW_PASSWORD).status_code == 401

    assert refused(first) and refused(second)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
def test_signing_out_everywhere_ends_every_session_and_token(verified_user, kind):
    verified_user("everywhere@example.org")
    asker = logged_in("everywhere@example.org", kind)
    others = [logged_in("everywhere@example.org", "app"), logged_in("everywhere@example.org", "browser")]
    old_token = others[0].session_token

    assert asker.api("post", "/me/sign-out-everywhere").status_code == 204

    assert refused(asker) and all(refused(other) for other in others)
    stale = Headless("app")
    stale.session_token = old_token
    assert refused(stale)
    # Logging in again works, and that new session is not ended by the earlier sign-out.
    again = logged_in("everywhere@example.org", kind)
    assert not refused(again)


@pytest.mark.django_db
def test_a_made_up_session_token_is_refused():
    client = Headless("app")
    client.session_token = "x" * 32

    assert client.get("/auth/session").status_code == 410
    assert refused(client)


def test_sessions_are_never_kept_in_signed_cookies():
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"):
        errors = [message.id for message in checks.run_checks(tags=["security"])]

    assert "accounts.E001" in errors
    assert "accounts.E001" not in [message.id for message in checks.run_checks(tags=["security"])]
