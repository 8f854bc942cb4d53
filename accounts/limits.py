"""Limits that speak: every refusal for too many attempts is a 429 with Retry-After, in allauth's error format.

allauth 65.21 answers its limits in three different ways, none of which says
when to come back: a bare `{"status": 429}` (its rate limits), a `400
too_many_login_attempts` that looks like one more wrong password (the log-in
lockout, even for the right password), and a `409` with no body once a code
has been guessed wrong too often (the session no longer has the code, so the
right code is "conflicting" too). The views of accounts/headless.py turn each
into a 429 from here. What a refusal says depends only on the counters of the
address (never on whether it has an account), so it is the same for a known
and an unknown address.
"""

import json
import math
import time
from http import HTTPStatus

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core.internal import ratelimit
from allauth.headless.internal.restkit.response import APIResponse
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from . import throttle

#: Session key: the code processes this session used up, {purpose: the process's start}.
LOCKOUT_SESSION_KEY = "accounts_code_lockout"


def too_many(request, code: str, message: str, retry_after: int, param: str | None = None) -> APIResponse:
    error = {"message": str(message), "code": code}
    if param:
        error["param"] = param
    response = APIResponse(request, errors=[error], status=HTTPStatus.TOO_MANY_REQUESTS)
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response


# --- One code mail per address at a time -------------------------------------


def code_mail_cooldown() -> int:
    return getattr(settings, "ACCOUNTS_CODE_MAIL_COOLDOWN", 10)


def _cooldown_key(email: str) -> str:
    return f"accounts:code-mail:{throttle.opaque(email.lower())}"


def take_code_mail_turn(email: str) -> int:
    """Count one code mail to `email`: 0 if it may go now, else the seconds until the next one may."""
    window = code_mail_cooldown()
    if not window:
        return 0
    key = _cooldown_key(email)
    if throttle.hit(key, window) > 1:
        return throttle.seconds_left(key)
    return 0


def too_many_code_mails(request, retry_after: int) -> APIResponse:
    return too_many(
        request,
        "too_many_code_mails",
        _("A code was sent to this address a moment ago. Wait a few seconds before asking for another."),
        retry_after,
    )


# --- Code submissions ---------------------------------------------------------


def per_address_key(purpose: str, email: str) -> str:
    return f"accounts:code-address:{purpose}:{throttle.opaque(email.lower())}"


def code_submissions_per_address() -> int:
    return getattr(settings, "ACCOUNTS_CODE_SUBMISSIONS_PER_ADDRESS", 10)


def code_retry_after(request, purpose: str, email: str | None) -> int:
    """When the person may try codes for `email` again.

    Once the address has used its submissions: when its half hour is over.
    Otherwise the process alone is over and a new one can start: a new log-in
    at once, a new reset request when allauth's reset limit allows one. Both
    depend on counters that grow the same for an address with or without an
    account (never on when a code mail last went to it).
    """
    email = (email or "").lower()
    key = per_address_key(purpose, email)
    if throttle.current(key) >= code_submissions_per_address():
        return throttle.seconds_left(key)
    if purpose == "reset_password":
        return rate_retry_after(request, "reset_password", key=email) or 1
    return 1


def too_many_attempts(request, purpose: str, email: str | None) -> APIResponse:
    return too_many(
        request,
        "too_many_attempts",
        _("Too many attempts with this code. Ask for a new code and try again later."),
        code_retry_after(request, purpose, email),
        param="key",
    )


def lock_out(request, purpose: str, process) -> None:
    """Remember that this session's code process ended on too many submissions, so every later one is a 429."""
    lockouts = dict(request.session.get(LOCKOUT_SESSION_KEY) or {})
    state = process.state
    lockouts[purpose] = {"at": state.get("at"), "timeout": process.timeout, "email": state.get("email", "")}
    request.session[LOCKOUT_SESSION_KEY] = lockouts


def lockout(request, purpose: str) -> dict | None:
    """The used-up process of this session for `purpose`, while it would still have been valid."""
    entry = (request.session.get(LOCKOUT_SESSION_KEY) or {}).get(purpose)
    if not entry:
        return None
    if entry.get("at") is None or time.time() - entry["at"] > entry.get("timeout", 0):
        lift_lockout(request, purpose)
        return None
    return entry


def lift_lockout(request, purpose: str) -> None:
    lockouts = dict(request.session.get(LOCKOUT_SESSION_KEY) or {})
    if lockouts.pop(purpose, None) is not None:
        request.session[LOCKOUT_SESSION_KEY] = lockouts


# --- Log-in lockout -----------------------------------------------------------


def rate_retry_after(request, action: str, *, key: str | None = None, user=None) -> int:
    """Seconds until allauth's rate limits for `action` let one more through (0: now).

    allauth keeps, per rate, the times of the hits in its window (newest
    first); a full rate frees a place when its oldest counted hit leaves it.
    Rates that need a key or a user this request does not have are skipped.
    """
    wait = 0.0
    now = time.time()
    for rate in ratelimit.get_rates(app="allauth.account", action=action):
        if (rate.per == "key" and key is None) or (
            rate.per == "user" and user is None and not request.user.is_authenticated
        ):
            continue
        cache_key = ratelimit.get_cache_key(
            request, app="allauth.account", action=action, rate=rate, key=key, user=user
        )
        history = [hit for hit in cache.get(cache_key, []) if hit > now - rate.duration]
        if len(history) >= rate.amount:
            wait = max(wait, sorted(history, reverse=True)[rate.amount - 1] + rate.duration - now)
    return math.ceil(wait)


def login_retry_after(request, email: str) -> int:
    key = get_account_adapter()._get_login_attempts_cache_key(request, email=email)
    return rate_retry_after(request, "login_failed", key=key) or 1


def rate_limited(request, action: str) -> APIResponse:
    """allauth's bare 429 for one of its rate limits, with a message and Retry-After."""
    key = None
    if action == "reset_password":  # counted per address too: the one in the body
        try:
            key = str(json.loads(request.body or b"{}").get("email", "")).lower()
        except (ValueError, AttributeError):
            key = None
    return too_many(
        request,
        "too_many_requests",
        _("Too many requests. Try again later."),
        rate_retry_after(request, action, key=key) or 1,
    )
