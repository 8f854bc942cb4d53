"""Limits that speak, the same way for every address: what an attacker sees when a limit is reached.

Each limit is driven to its end twice, once against an address with an
account and once against one without, and every part of the answers is
compared: status, body, headers (Retry-After included). The clock that the
limits read is frozen (and moved by hand), so two runs a few milliseconds
apart cannot differ by a rounded second; a difference left is a leak.
"""

import time

import pytest
from allauth.account.internal.flows import code_verification, password_reset_by_code
from allauth.core.internal import ratelimit

from accounts import limits, throttle
from accounts.models import User

from .conftest import PASSWORD, Headless, error_codes, last_code, mails_to, wrong_code

KNOWN = "known@example.org"
UNKNOWN = "nobody@example.org"
WRONG_PASSWORD = "Wrong-Pass#2024x"


class FrozenClock:
    """time.time() stands still until advanced; waiting on locks still uses the real monotonic clock."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def monotonic(self):
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    frozen = FrozenClock()
    for module in (ratelimit, throttle, limits, code_verification, password_reset_by_code):
        monkeypatch.setattr(module, "time", frozen)
    return frozen


@pytest.fixture
def known(verified_user, clock):
    """An account whose owner signed up and verified a moment ago (no time has passed on the frozen clock)."""
    verified_user(KNOWN)
    return KNOWN


def answer(response) -> dict:
    """Everything an attacker can read in an answer but what changes anyway from one request to the next.

    That is the session token (new for every session) and Expires (the
    current time, from never-cache headers).
    """
    body = response.json()
    body.get("meta", {}).pop("session_token", None)
    headers = {name: value for name, value in response.headers.items() if name != "Expires"}
    return {"status": response.status_code, "headers": headers, "body": body}


def client_from(address: str, language: str = "en") -> Headless:
    client = Headless("app", language=language)
    client.client.defaults["REMOTE_ADDR"] = address
    return client


def assert_retry_after(response) -> int:
    value = response.headers.get("Retry-After", "")
    assert value.isdigit() and int(value) > 0, value
    return int(value)


# --- E-mail codes -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("seconds_after_the_owner", [0, 5, 60])
def test_code_lockout_answers_the_same_for_a_known_and_an_unknown_address(known, clock, seconds_after_the_owner):
    # The attacker signs up with both: the known address gets a session whose
    # code went nowhere (the owner got "you already have an account"), while
    # the owner's own code mail may still be within its cooldown.
    clock.advance(seconds_after_the_owner)
    with_account, without = Headless("app"), Headless("app")
    first = [answer(with_account.signup(known)), answer(without.signup(UNKNOWN))]
    assert first[0] == first[1]

    for attempt in range(7):
        left, right = with_account.verify("BBBB-BBBB"), without.verify("BBBB-BBBB")
        assert answer(left) == answer(right), attempt
        assert left.status_code == (400 if attempt < 5 else 429)
    assert error_codes(left) == ["too_many_attempts"]
    assert_retry_after(left)


@pytest.mark.django_db
def test_after_the_code_lockout_the_right_code_gets_the_same_429(clock):
    client = Headless("app")
    client.signup("owner@example.org")
    code = last_code("owner@example.org")
    for _ in range(5):
        client.verify(wrong_code(code))

    refused_wrong = client.verify(wrong_code(code))
    refused_right = client.verify(code)

    assert refused_right.status_code == 429
    assert answer(refused_right) == answer(refused_wrong)  # nothing tells the right code apart
    assert error_codes(refused_right) == ["too_many_attempts"]
    assert_retry_after(refused_right)
    assert not User.objects.get(email="owner@example.org").emailaddress_set.filter(verified=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("owner_typos", [0, 2])
def test_the_per_address_budget_is_the_same_whether_or_not_the_owner_just_verified(
    clock, no_code_mail_cooldown, owner_typos
):
    owner = Headless("app")
    owner.signup(KNOWN)
    for _ in range(owner_typos):
        assert owner.verify("BBBB-BBBB").status_code == 400
    assert owner.verify(last_code(KNOWN)).status_code == 200
    known = KNOWN

    # The owner's own (right) code must not show in the address's budget: an
    # attacker would otherwise run out one submission sooner on a real account.
    def three_sessions(email):
        statuses = []
        for _ in range(3):
            client = Headless("app")
            client.signup(email)
            statuses += [client.verify("BBBB-BBBB").status_code for _ in range(5)]
        return statuses

    with_account, fresh = three_sessions(known), three_sessions("fresh@example.org")

    assert with_account == fresh == [400] * 10 + [429] * 5


@pytest.mark.django_db
@pytest.mark.parametrize("check", ["get", "post"])
@pytest.mark.parametrize("seconds_after_the_owner", [0, 5])
def test_reset_code_lockout_answers_the_same_for_a_known_and_an_unknown_address(
    known, clock, check, seconds_after_the_owner
):
    clock.advance(seconds_after_the_owner)
    with_account, without = Headless("app"), Headless("app")
    assert answer(with_account.request_reset(known)) == answer(without.request_reset(UNKNOWN))

    def submit(client, code):
        return client.check_reset_code(code) if check == "get" else client.reset(code)

    for attempt in range(6):
        left, right = submit(with_account, "BBBB-BBBB"), submit(without, "BBBB-BBBB")
        assert answer(left) == answer(right), attempt
    assert left.status_code == 429 and error_codes(left) == ["too_many_attempts"]
    # The owner's real code, now: the same refusal, and the password is unchanged.
    assert answer(submit(with_account, last_code(known))) == answer(left)
    assert User.objects.get(email=KNOWN).check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "message"), [("en", "Too many attempts"), ("fr", "Trop de tentatives")])
def test_the_code_lockout_speaks_the_requests_language(clock, language, message):
    client = Headless("app", language=language)
    client.signup("lang@example.org")
    for _ in range(6):
        response = client.verify("BBBB-BBBB")

    assert response.status_code == 429
    assert response.json()["errors"][0]["message"].startswith(message)
    assert response.headers["Content-Language"] == language


# --- Code mails ---------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("seconds_after_the_owner", [0, 4, 11])
def test_a_sign_up_moments_after_another_answers_as_for_an_unknown_address(known, clock, seconds_after_the_owner):
    # allauth answered 429 here when the owner had just signed up, and 401 for
    # an address nobody had used: that told an attacker who had just joined.
    clock.advance(seconds_after_the_owner)
    with_account, without = Headless("app"), Headless("app")

    assert answer(with_account.signup(known)) == answer(without.signup(UNKNOWN))
    # Asking for the code again, at once and later: the same answers in both
    # sessions, although the owner's code mail may be within its cooldown.
    for pause in (0, 5, 6, 11):
        clock.advance(pause)
        resent = [with_account.post("/auth/email/verify/resend"), without.post("/auth/email/verify/resend")]
        assert answer(resent[0]) == answer(resent[1]), pause
    assert resent[0].status_code == 409  # three resends, then no more
    # The owner was never mailed twice within 10 seconds.
    assert len(mails_to(KNOWN)) == (1 if seconds_after_the_owner < 10 else 2)


@pytest.mark.django_db
def test_a_resend_within_the_cooldown_sends_nothing_and_the_code_already_sent_still_works(clock):
    client = Headless("app")
    client.signup("wait@example.org")
    first = last_code("wait@example.org")
    clock.advance(4)

    assert client.post("/auth/email/verify/resend").status_code == 200

    assert len(mails_to("wait@example.org")) == 1
    clock.advance(6)
    assert client.post("/auth/email/verify/resend").status_code == 200
    assert len(mails_to("wait@example.org")) == 2
    assert last_code("wait@example.org") != first
    assert client.verify(last_code("wait@example.org")).status_code == 200


@pytest.mark.django_db
def test_a_resend_within_the_cooldown_keeps_the_code_already_sent(clock):
    client = Headless("app")
    client.signup("keep@example.org")

    client.post("/auth/email/verify/resend")

    assert client.verify(last_code("keep@example.org")).status_code == 200


@pytest.mark.django_db
def test_logging_in_unverified_within_the_cooldown_says_when_instead_of_waiting_for_a_code(clock):
    Headless("app").signup("early@example.org")
    clock.advance(3)

    client = Headless("app")
    refused = client.login("early@example.org")
    french = Headless("app", language="fr").login("early@example.org")

    assert refused.status_code == 429 and error_codes(refused) == ["too_many_code_mails"]
    assert french.json()["errors"][0]["message"].startswith("Un code vient d’être envoyé")
    assert assert_retry_after(refused) == 7
    assert len(mails_to("early@example.org")) == 1
    clock.advance(7)
    assert client.login("early@example.org").status_code == 401
    assert client.verify(last_code("early@example.org")).status_code == 200


# --- Log-in lockout -----------------------------------------------------------


@pytest.mark.django_db
def test_login_lockout_answers_the_same_for_a_known_and_an_unknown_address(known):
    # Two clients from two addresses, so the per-IP limit does not end one run early.
    with_account, without = client_from("198.51.100.1"), client_from("198.51.100.2")

    for attempt in range(5):
        left = with_account.login(known, WRONG_PASSWORD)
        right = without.login(UNKNOWN, WRONG_PASSWORD)
        assert answer(left) == answer(right), attempt
        assert left.status_code == 400

    # Locked out: the right password gets the same 429 as any password for an unknown address.
    locked = with_account.login(known, PASSWORD)
    assert answer(locked) == answer(without.login(UNKNOWN, PASSWORD))
    assert locked.status_code == 429 and error_codes(locked) == ["too_many_login_attempts"]
    assert assert_retry_after(locked) == 5 * 60


@pytest.mark.django_db
def test_a_locked_out_person_is_told_to_wait_and_can_log_in_after_it(known, clock):
    client = client_from("198.51.100.3")
    for _ in range(5):
        client.login(known, WRONG_PASSWORD)
    clock.advance(100)

    locked = client.login(known, PASSWORD)

    assert locked.status_code == 429 and assert_retry_after(locked) == 200
    clock.advance(199)
    assert client.login(known, PASSWORD).status_code == 429
    clock.advance(1)
    assert client.login(known, PASSWORD).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Too many failed login attempts"), ("fr", "Trop de tentatives de connexion échouées")],
)
def test_the_login_lockout_speaks_the_requests_language(known, language, message):
    client = client_from("198.51.100.4", language=language)
    for _ in range(5):
        client.login(known, WRONG_PASSWORD)

    locked = client.login(known, PASSWORD)

    assert locked.status_code == 429
    assert locked.json()["errors"][0]["message"].startswith(message)
    assert_retry_after(locked)


@pytest.mark.django_db
def test_the_per_ip_login_limit_speaks_too(clock):
    client = client_from("198.51.100.5")
    statuses = [client.login(f"user{index}@example.org", WRONG_PASSWORD).status_code for index in range(11)]

    locked = client.login("another@example.org", WRONG_PASSWORD)

    assert statuses == [400] * 10 + [429]
    assert locked.status_code == 429 and assert_retry_after(locked) == 60


# --- allauth's own rate limits ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "message"), [("en", "Too many requests"), ("fr", "Trop de requêtes")])
def test_allauths_rate_limits_say_what_and_when(clock, settings, language, message):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    client = client_from("198.51.100.6", language=language)
    client.signup("one@example.org")
    clock.advance(20)
    client.signup("two@example.org")

    limited = client.signup("three@example.org")

    assert limited.status_code == 429 and error_codes(limited) == ["too_many_requests"]
    assert limited.json()["errors"][0]["message"].startswith(message)
    assert assert_retry_after(limited) == 40  # when the first sign-up leaves the minute


@pytest.mark.django_db
def test_the_reset_request_limit_answers_the_same_for_a_known_and_an_unknown_address(known):
    with_account, without = client_from("198.51.100.7"), client_from("198.51.100.8")

    for attempt in range(5):
        left, right = with_account.request_reset(known), without.request_reset(UNKNOWN)
        assert answer(left) == answer(right), attempt

    assert left.status_code == 429 and error_codes(left) == ["too_many_requests"]
    assert assert_retry_after(left) == 30 * 60
