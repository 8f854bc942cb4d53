"""Rate limits count the real client: X-Forwarded-For is trusted only when configured."""

import pytest

from .conftest import Headless


@pytest.fixture
def two_sign_ups_a_minute(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}


def sign_up_from(forwarded_for, index):
    return (
        Headless("app")
        .post(
            "/auth/signup",
            {"email": f"rl{index}@example.org"},  # invalid on purpose: the limit counts attempts
            headers={"X-Forwarded-For": forwarded_for},
        )
        .status_code
    )


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_limit(two_sign_ups_a_minute):
    statuses = [sign_up_from(f"203.0.113.{index}", index) for index in range(3)]

    assert statuses == [400, 400, 429]


@pytest.mark.django_db
def test_behind_a_configured_proxy_the_forwarded_client_is_counted(two_sign_ups_a_minute, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1

    statuses = [sign_up_from(f"198.51.100.7, 203.0.113.{index}", index) for index in range(3)]
    repeated = [sign_up_from("203.0.113.99", index) for index in range(3, 6)]

    assert statuses == [400, 400, 400]  # three clients, as the proxy reports them
    assert repeated == [400, 400, 429]  # the limit still holds per client


@pytest.mark.django_db
def test_the_password_reset_request_is_limited_per_address():
    client = Headless("app")

    statuses = [client.request_reset("limited@example.org").status_code for _ in range(5)]

    assert statuses == [401, 401, 401, 401, 429]
