"""The accounts part of /api/v1/: the rules to show before sign-up, the profile, the newsletter.

Sign-up, codes, log-in and passwords are allauth's (`/_allauth/`); these
endpoints authenticate with allauth's session token (X-Session-Token, app
clients) or the browser session (with CSRF), and answer problem+json errors.
"""

import json
from datetime import datetime
from typing import Literal

from allauth.account.models import EmailAddress
from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema, Status
from ninja.security import SessionAuth
from pydantic import Field

from cms.api_contract import MAX_TOKEN_LENGTH, bounded
from cms.apikit import StrictRouter, problem

from .entitlements import download_refusals
from .forms import ProfileForm
from .models import NewsletterSubscription, current_terms_version
from .newsletter import StaleToken, subscribe, subscription_for_token, subscription_of, unsubscribe
from .password_validation import password_policy

router = StrictRouter(tags=["accounts"])


class SessionTokenAuth(XSessionTokenAuth):
    """allauth's X-Session-Token security class, described in full in the OpenAPI document.

    allauth declares only `type: apiKey`; OpenAPI also requires where the key
    is sent and under which name.
    """

    openapi_in = "header"
    openapi_name = "X-Session-Token"


# App clients send allauth's session token; browsers their session cookie (and CSRF token on writes).
member_auth = [SessionTokenAuth(), SessionAuth()]


class PasswordRule(Schema):
    rule: str
    help_text: str


class PasswordPolicy(Schema):
    min_length: int
    max_length: int | None
    summary: str
    rules: list[PasswordRule]


class Terms(Schema):
    version: str


class Refusal(Schema):
    code: str
    message: str


class Profile(Schema):
    email: str
    first_name: str
    last_name: str
    organisation: str
    country: str
    language: str
    email_verified: bool
    terms_version: str
    terms_accepted_at: datetime | None
    terms_current: bool
    newsletter: bool
    may_download: bool
    download_refusals: list[Refusal]


class ProfileUpdate(Schema):
    # The lengths of the User model's fields (which the profile form checks again).
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    organisation: str | None = Field(None, max_length=200)
    country: str | None = Field(None, max_length=2)
    language: str | None = Field(None, max_length=8)
    newsletter: bool | None = None
    terms_version: str | None = Field(None, max_length=32)

    model_config = {"extra": "forbid"}


class Newsletter(Schema):
    subscribed: bool
    email: str | None = None
    language: str | None = None
    consented_at: datetime | None = None
    source: str | None = None
    unsubscribed_at: datetime | None = None


class NewsletterChange(Schema):
    subscribed: bool
    source: Literal["welcome", "profile"] = "profile"

    model_config = {"extra": "forbid"}


class UnsubscribeResult(Schema):
    subscribed: bool


def _profile(user) -> dict:
    refusals = download_refusals(user)
    subscription = subscription_of(user)
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisation": user.organisation,
        "country": user.country,
        "language": user.language,
        "email_verified": EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists(),
        "terms_version": user.terms_version,
        "terms_accepted_at": user.terms_accepted_at,
        "terms_current": user.has_accepted_current_terms,
        "newsletter": bool(subscription and subscription.is_subscribed),
        "may_download": not refusals,
        "download_refusals": [{"code": code, "message": message} for code, message in refusals],
    }


def _newsletter(subscription: NewsletterSubscription | None) -> dict:
    if subscription is None:
        return {"subscribed": False}
    return {
        "subscribed": subscription.is_subscribed,
        "email": subscription.email,
        "language": subscription.language,
        "consented_at": subscription.consented_at,
        "source": subscription.source,
        "unsubscribed_at": subscription.unsubscribed_at,
    }


def _set_newsletter(user, subscribed: bool, source: str) -> NewsletterSubscription | None:
    if subscribed:
        return subscribe(user, source=source)
    subscription = subscription_of(user)
    if subscription is not None:
        unsubscribe(subscription)
    return subscription


@router.get("/accounts/password-policy", response=PasswordPolicy, auth=None, summary="The password rules")
def get_password_policy(request: HttpRequest):
    """The password rules, in the request's language, for a sign-up or new-password screen to show beforehand."""
    return password_policy()


@router.get("/accounts/terms", response=Terms, auth=None, summary="The current terms of use")
def get_terms(request: HttpRequest):
    """The version of the terms of use that a sign-up (`terms_version`) or a profile update must accept."""
    return {"version": current_terms_version()}


@router.get("/me", response=Profile, auth=member_auth, summary="The signed-in person's profile")
def get_me(request: HttpRequest):
    return _profile(request.auth)


@router.patch("/me", response=Profile, auth=member_auth, summary="Change the profile")
def patch_me(request: HttpRequest, payload: ProfileUpdate):
    """Send only the fields to change. `terms_version` accepts the current terms of use (it must be the current one)."""
    user = request.auth
    sent = payload.model_dump(exclude_unset=True)
    if any(value is None for value in sent.values()):
        nulls = sorted(name for name, value in sent.items() if value is None)
        return problem(
            400,
            _("These fields cannot be null: %(fields)s.") % {"fields": ", ".join(nulls)},
            code="invalid_request",
            errors=[{"loc": ["body", name], "msg": _("This field cannot be null."), "type": "null"} for name in nulls],
        )
    errors = []
    form = ProfileForm(data=sent, instance=user, fields_sent=set(sent))
    if not form.is_valid():
        for name, messages in form.errors.items():
            errors.extend({"loc": ["body", name], "msg": str(message), "type": "invalid"} for message in messages)
    if "terms_version" in sent and sent["terms_version"] != current_terms_version():
        errors.append(
            {
                "loc": ["body", "terms_version"],
                "msg": _("The current terms of use are version %(version)s.") % {"version": current_terms_version()},
                "type": "outdated_terms",
            }
        )
    if errors:
        summary = "; ".join(f"{e['loc'][1]}: {e['msg']}" for e in errors)
        return problem(400, summary, code="invalid_request", errors=errors)
    with transaction.atomic():
        user = form.save(commit=False) if form.fields else user
        if "terms_version" in sent:
            user.accept_terms(sent["terms_version"])
        user.save()
        if "newsletter" in sent:
            _set_newsletter(user, sent["newsletter"], NewsletterSubscription.Source.PROFILE)
    return _profile(user)


@router.get("/me/newsletter", response=Newsletter, auth=member_auth, summary="The newsletter subscription")
def get_newsletter(request: HttpRequest):
    return _newsletter(subscription_of(request.auth))


@router.put("/me/newsletter", response=Newsletter, auth=member_auth, summary="Subscribe or unsubscribe")
def put_newsletter(request: HttpRequest, payload: NewsletterChange):
    """`{"subscribed": true, "source": "welcome"}` from the offer after sign-up, `"profile"` from the profile."""
    return _newsletter(_set_newsletter(request.auth, payload.subscribed, payload.source))


@router.post("/me/sign-out-everywhere", response={204: None}, auth=member_auth, summary="Sign out everywhere")
def sign_out_everywhere(request: HttpRequest):
    """Ends every session and app token of the account, this one included, and revokes every download link
    handed out to it. Log in again afterwards."""
    request.auth.end_all_sessions()
    return Status(204, None)


def _token_problem(error: Exception):
    if isinstance(error, StaleToken):
        return problem(
            410,
            _("This unsubscribe link is for an earlier subscription. Use the link in a more recent e-mail."),
            code="stale_token",
        )
    # A token the portal never signed names no subscription: not found, as any unknown id.
    return problem(404, _("This unsubscribe link is not valid."), code="invalid_token")


@router.get(
    "/newsletter/unsubscribe/{token}",
    response=UnsubscribeResult,
    auth=None,
    url_name="newsletter_unsubscribe",
    summary="Check a one-click unsubscribe link",
)
def check_unsubscribe_link(request: HttpRequest, token: bounded(MAX_TOKEN_LENGTH)):
    """Changes nothing (mail scanners open links): a front end shows the state, then POSTs to unsubscribe."""
    try:
        subscription = subscription_for_token(token)
    except (signing.BadSignature, StaleToken) as error:
        return _token_problem(error)
    return {"subscribed": subscription.is_subscribed}


@router.post(
    "/newsletter/unsubscribe/{token}",
    response=UnsubscribeResult,
    auth=None,
    summary="One-click unsubscribe (RFC 8058)",
)
def one_click_unsubscribe(request: HttpRequest, token: bounded(MAX_TOKEN_LENGTH)):
    """The target of the `List-Unsubscribe` header: no log-in, the signed link is the authority.

    Mail clients POST `List-Unsubscribe=One-Click` as a form; an empty or JSON
    body is accepted too. Repeating it changes nothing; a link from before a
    re-subscription is refused (410) so it cannot undo the newer consent.
    """
    if request.body and request.content_type not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json",
    ):
        return problem(415, _("Unsupported request body."), code="unsupported_media_type")
    if request.content_type == "application/json" and request.body:
        try:
            json.loads(request.body)
        except ValueError:
            return problem(400, _("The request body is not valid JSON."), code="invalid_json")
    try:
        subscription = subscription_for_token(token)
    except (signing.BadSignature, StaleToken) as error:
        return _token_problem(error)
    unsubscribe(subscription)
    return {"subscribed": False}
