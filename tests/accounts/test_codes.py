"""E-mailed codes: 30 minutes, single use, bound to their session, a bounded number of submissions.

The resend rule (docs/security.md, "Codes"): a new code in the same session
keeps the first code's expiry and the submissions already used; each process
allows 5 submissions; each address 10 per 30 minutes across sessions.
"""

import pytest

from accounts.models import User

from .conftest import NEW_PASSWORD, PASSWORD, Headless, error_codes, last_code, mails_to, pending_flow, wrong_code

THIRTY_MINUTES = 30 * 60


@pytest.fixture
def no_resend_cooldown(no_code_mail_cooldown):
    pass


def signed_up(email, kind="app"):
    client = Headless(kind)
    assert client.signup(email).status_code == 401
    return client, last_code(email)


def reset_requested(email, kind="app"):
    client = Headless(kind)
    assert client.request_reset(email).status_code == 401
    return client, last_code(email)


@pytest.mark.django_db
@pytest.mark.parametrize(("elapsed", "status"), [(THIRTY_MINUTES - 1, 200), (THIRTY_MINUTES + 1, 409)])
def test_a_verification_code_lasts_30_minutes(code_clock, elapsed, status):
    client, code = signed_up("clock@example.org")

    code_clock.advance(elapsed)

    assert client.verify(code).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(("elapsed", "status"), [(THIRTY_MINUTES - 1, 200), (THIRTY_MINUTES + 1, 409)])
def test_a_reset_code_lasts_30_minutes(verified_user, code_clock, elapsed, status):
    verified_user("clock@example.org")
    client, code = reset_requested("clock@example.org")

    code_clock.advance(elapsed)

    assert client.check_reset_code(code).status_code == status


@pytest.mark.django_db
def test_the_mail_states_the_30_minutes():
    signed_up("mail@example.org")

    message = mails_to("mail@example.org")[0]
    assert "This code expires in 30 minutes." in message.body
    assert "This code expires in 30 minutes." in message.alternatives[0][0]


@pytest.mark.django_db
def test_a_verification_code_works_once():
    client, code = signed_up("once@example.org")
    assert client.verify(code).status_code == 200

    assert client.verify(code).status_code == 409
    assert Headless("app").verify(code).status_code == 409


@pytest.mark.django_db
def test_a_reset_code_works_once(verified_user):
    verified_user("once@example.org")
    client, code = reset_requested("once@example.org")
    assert client.reset(code, NEW_PASSWORD).status_code == 401

    assert client.reset(code, "Another-Pass#2049").status_code == 409
    assert client.check_reset_code(code).status_code == 409
    assert User.objects.get(email="once@example.org").check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_code_only_works_in_the_session_that_asked_for_it():
    owner, code = signed_up("owner@example.org")

    # A session with no verification in progress has nothing to verify.
    assert Headless("app").verify(code).status_code == 409
    # A session verifying another address: the code is simply wrong there.
    other, _ = signed_up("other@example.org")
    response = other.verify(code)
    assert response.status_code == 400 and error_codes(response) == ["incorrect_code"]
    # A browser session cannot use it either.
    assert Headless("browser").verify(code).status_code == 409

    assert owner.verify(code).status_code == 200


@pytest.mark.django_db
def test_a_reset_code_only_works_in_the_session_that_asked_for_it(verified_user):
    verified_user("owner@example.org")
    _, code = reset_requested("owner@example.org")

    thief = Headless("app")
    assert thief.reset(code, NEW_PASSWORD).status_code == 409
    assert User.objects.get(email="owner@example.org").check_password(PASSWORD)


@pytest.mark.django_db
def test_five_submissions_per_code_then_the_verification_ends():
    client, code = signed_up("guess@example.org")

    for _ in range(5):
        response = client.verify(wrong_code(code))
        assert response.status_code == 400 and error_codes(response) == ["incorrect_code"]

    # The right code now gets the limit's answer too, not a 400 or 409 that
    # would hide why it is refused.
    response = client.verify(code)
    assert response.status_code == 429 and error_codes(response) == ["too_many_attempts"]
    assert pending_flow(client.get("/auth/session")) != "verify_email"


@pytest.mark.django_db
def test_a_resent_code_keeps_the_submissions_already_used(no_resend_cooldown):
    client, first = signed_up("resend@example.org")
    for _ in range(4):
        client.verify(wrong_code(first))

    assert client.post("/auth/email/verify/resend").status_code == 200
    second = last_code("resend@example.org")
    assert second != first

    # One submission left, not five.
    assert client.verify(wrong_code(second)).status_code == 400
    assert client.verify(second).status_code == 429


@pytest.mark.django_db
def test_a_resent_code_keeps_the_first_codes_expiry(code_clock, no_resend_cooldown):
    client, _ = signed_up("expiry@example.org")
    code_clock.advance(THIRTY_MINUTES - 60)
    assert client.post("/auth/email/verify/resend").status_code == 200
    second = last_code("expiry@example.org")

    code_clock.advance(61)

    assert client.verify(second).status_code == 409


@pytest.mark.django_db
def test_a_resent_code_replaces_the_previous_one(no_resend_cooldown):
    client, first = signed_up("replace@example.org")
    client.post("/auth/email/verify/resend")

    assert error_codes(client.verify(first)) == ["incorrect_code"]
    assert client.verify(last_code("replace@example.org")).status_code == 200


@pytest.mark.django_db
def test_three_resends_then_no_more(no_resend_cooldown):
    client, _ = signed_up("limit@example.org")

    statuses = [client.post("/auth/email/verify/resend").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 409]
    assert len(mails_to("limit@example.org")) == 4


@pytest.mark.django_db
def test_resending_at_once_sends_nothing_for_ten_seconds():
    # Answered as a resend (a refusal would tell when the address was last
    # mailed); the code already sent stays the one to type.
    client, code = signed_up("soon@example.org")

    response = client.post("/auth/email/verify/resend")

    assert response.status_code == 200
    assert len(mails_to("soon@example.org")) == 1
    assert client.verify(code).status_code == 200


@pytest.mark.django_db
def test_new_sessions_share_ten_submissions_per_address(no_resend_cooldown):
    email = "budget@example.org"
    first, code = signed_up(email)
    for _ in range(5):
        first.verify(wrong_code(code))
    # Logging in again starts a new verification (a new code) in a new session...
    second = Headless("app")
    assert second.login(email).status_code == 401
    code = last_code(email)
    for _ in range(5):
        assert second.verify(wrong_code(code)).status_code == 400
    third = Headless("app")
    third.login(email)

    # ...but the address has used its 10 submissions for this half hour.
    response = third.verify(last_code(email))
    assert response.status_code == 429 and error_codes(response) == ["too_many_attempts"]


@pytest.mark.django_db
def test_asking_again_for_a_reset_code_keeps_expiry_and_submissions(verified_user, code_clock):
    verified_user("again@example.org")
    client, first = reset_requested("again@example.org")
    for _ in range(3):
        assert client.check_reset_code(wrong_code(first)).status_code == 400
    code_clock.advance(THIRTY_MINUTES - 60)

    assert client.request_reset("again@example.org").status_code == 401
    second = last_code("again@example.org")
    assert second != first
    assert client.check_reset_code(first).status_code == 400  # the old code is gone; 4th submission
    code_clock.advance(61)
    assert client.check_reset_code(second).status_code == 409  # the first code's 30 minutes are over


@pytest.mark.django_db
def test_reset_codes_are_limited_to_five_submissions(verified_user):
    verified_user("reset-guess@example.org")
    client, code = reset_requested("reset-guess@example.org")

    statuses = [client.reset(wrong_code(code), NEW_PASSWORD).status_code for _ in range(5)]

    assert statuses == [400] * 5
    assert client.reset(code, NEW_PASSWORD).status_code == 429
    assert client.check_reset_code(code).status_code == 429
    assert User.objects.get(email="reset-guess@example.org").check_password(PASSWORD)


@pytest.mark.django_db
def test_choosing_a_new_password_after_the_code_is_shown_right_is_not_a_guess(verified_user):
    verified_user("picky@example.org")
    client, code = reset_requested("picky@example.org")
    assert client.check_reset_code(code).status_code == 200

    for weak in ("short", "nouppercase-123!", "NoSymbol1234", "No Spaces-123", "NoDigits-here!"):
        assert client.reset(code, weak).status_code == 400

    assert client.reset(code, NEW_PASSWORD).status_code == 401
    assert User.objects.get(email="picky@example.org").check_password(NEW_PASSWORD)
