"""Sign-up and password reset do not tell whether an address has an account: not in status, body or timing."""

import statistics
import time

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import User

from .conftest import NEW_PASSWORD, PASSWORD, Headless, last_code, mails_to


class MeasurableHasher(PBKDF2PasswordHasher):
    """PBKDF2 as in production but cheaper; still slow enough that a skipped hash would show."""

    iterations = 120_000


def body_without_token(response) -> dict:
    body = response.json()
    body.get("meta", {}).pop("session_token", None)
    return body


@pytest.fixture
def existing(verified_user, no_code_mail_cooldown):
    # The owner signed up a moment ago; allauth's 10-second pause between two
    # code mails to one address would otherwise answer 429 to the next sign-up.
    verified_user("known@example.org")
    return "known@example.org"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
@pytest.mark.parametrize("known", ["known@example.org", "KNOWN@Example.ORG"])
def test_sign_up_answers_the_same_for_a_known_and_an_unknown_address(existing, kind, known):
    known_response = Headless(kind).signup(known)
    unknown_response = Headless(kind).signup("unknown@example.org")

    assert known_response.status_code == unknown_response.status_code == 401
    assert body_without_token(known_response) == body_without_token(unknown_response)
    assert User.objects.filter(email__iexact="known@example.org").count() == 1
    # The owner of the known address is told, not the person signing up.
    assert mails_to("known@example.org")[-1].subject.endswith("You already have an account")


@pytest.mark.django_db
def test_the_next_steps_after_sign_up_answer_the_same_too(existing):
    known, unknown = Headless("app"), Headless("app")
    known.signup(existing)
    unknown.signup("unknown@example.org")

    for call in (
        lambda client: client.verify("BBBB-BBBB"),
        lambda client: client.post("/auth/email/verify/resend"),
        lambda client: client.get("/auth/session"),
    ):
        known_response, unknown_response = call(known), call(unknown)
        assert known_response.status_code == unknown_response.status_code
        assert body_without_token(known_response) == body_without_token(unknown_response)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["browser", "app"])
def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(existing, kind):
    known, unknown = Headless(kind), Headless(kind)

    responses = [(known.request_reset(existing), unknown.request_reset("unknown@example.org"))]
    responses.append((known.check_reset_code("BBBB-BBBB"), unknown.check_reset_code("BBBB-BBBB")))
    # A weak password with a wrong code: allauth would judge the password only for the real account.
    responses.append((known.reset("BBBB-BBBB", "weak"), unknown.reset("BBBB-BBBB", "weak")))
    responses.append((known.reset("BBBB-BBBB", NEW_PASSWORD), unknown.reset("BBBB-BBBB", NEW_PASSWORD)))

    for known_response, unknown_response in responses:
        assert known_response.status_code == unknown_response.status_code, (
            known_response.content,
            unknown_response.content,
        )
        assert body_without_token(known_response) == body_without_token(unknown_response)
    assert "No account uses this e-mail address" in mails_to("unknown@example.org")[0].subject
    assert last_code(existing)


@pytest.mark.django_db
def test_sign_up_takes_as_long_for_a_known_address(existing, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.MeasurableHasher"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": None}
    settings.ACCOUNTS_CODE_MAIL_COOLDOWN = 0

    def duration(email):
        client = Headless("app")
        started = time.perf_counter()
        assert client.signup(email).status_code == 401
        return time.perf_counter() - started

    known, unknown = [], []
    for round_ in range(5):
        known.append(duration(existing))
        unknown.append(duration(f"new{round_}@example.org"))

    hash_time = min(unknown)
    assert hash_time > 0.02  # the hash dominates, so a skipped one would show
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.5 * hash_time


@pytest.mark.django_db
def test_logging_in_with_an_unknown_address_or_a_wrong_password_answers_the_same(existing):
    unknown = Headless("app").login("nobody@example.org", PASSWORD)
    wrong = Headless("app").login(existing, "Wrong-Pass#2024")

    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json()
