"""allauth adapters: what the portal changes in allauth's account and headless behaviour."""

from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.headless.adapter import DefaultHeadlessAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import limits, mail
from .return_urls import SESSION_KEY as RETURN_URL_SESSION_KEY
from .return_urls import absolute_return_url, request_front_end_origin


class DuplicateSignup(Exception):
    """A concurrent sign-up with the same address (in any case) was saved first."""

    def __init__(self, email: str):
        super().__init__(email)
        self.email = email


def language_for_recipient(email: str) -> str:
    """The account's preferred language; for an address without an account, the request's language."""
    codes = {code for code, _name in settings.LANGUAGES}
    user = get_user_model().objects.filter(email__iexact=email).only("language").first()
    if user is not None and user.language in codes:
        return user.language
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


#: The mails a verification process sends (a code, or "you already have an account"
#: in its place): at most one per address every ACCOUNTS_CODE_MAIL_COOLDOWN seconds.
CODE_MAILS = {
    "account/email/email_confirmation_signup",
    "account/email/email_confirmation",
    "account/email/account_already_exists",
}
#: Set on the request by a view that already counted the code mail it is about to send.
CODE_MAIL_COUNTED = "_accounts_code_mail_counted"
#: Set on the request when a code mail was withheld: the seconds until one may go.
CODE_MAIL_WITHHELD = "_accounts_code_mail_withheld"


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        # Django's validator accepts internationalised domains, so "example.org"
        # spelt with a Cyrillic "a" would be a second, look-alike account. Addresses
        # are ASCII here; an internationalised domain is written in its
        # punycode form (xn--...).
        if not email.isascii():
            raise ValidationError(
                _("Use an address written with Latin letters, digits and punctuation only (IDN domains as xn--…)."),
                code="email_not_ascii",
            )
        # RFC 5321 limits; the User column holds 254 characters (PostgreSQL would refuse more with a 500).
        local_part = email.rpartition("@")[0]
        if len(email) > 254 or len(local_part) > 64:
            raise ValidationError(_("This e-mail address is too long."), code="email_too_long")
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        apply_profile = getattr(form, "apply_profile", None)
        if apply_profile is not None:
            apply_profile(user)
        if commit:
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError:
                # The case-insensitive unique constraint caught a concurrent
                # sign-up for the same address: answer as for any existing one.
                raise DuplicateSignup(user.email) from None
        return user

    def send_mail(self, template_prefix: str, email: str, context_data: dict) -> None:
        """Render in the recipient's language, with the code's lifetime and the return link, then queue it.

        A code mail within the cooldown of the previous one to the address is
        withheld, not refused: allauth's own cooldown (ACCOUNT_RATE_LIMITS
        "confirm_email", off here) answers 429 at sign-up only when a code
        mail went to the address moments ago, which tells that someone just
        signed up with it. The views that must say so (log-in, resend) read
        CODE_MAIL_WITHHELD or count the mail themselves.
        """
        request = context.request
        if template_prefix in CODE_MAILS and not getattr(request, CODE_MAIL_COUNTED, False):
            wait = limits.take_code_mail_turn(email)
            if wait:
                if request is not None:
                    setattr(request, CODE_MAIL_WITHHELD, wait)
                return
        return_url = ""
        if request is not None and hasattr(request, "session"):
            return_url = absolute_return_url(request, request.session.get(RETURN_URL_SESSION_KEY, ""))
        # Greet by name only at a verified address: anyone can sign up with
        # someone else's address and put a message in the name fields.
        verified = EmailAddress.objects.filter(email__iexact=email, verified=True).select_related("user").first()
        ctx = {
            "greeting_name": verified.user.first_name if verified else "",
            "expiry_minutes": settings.ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT // 60
            if "email_confirmation" in template_prefix
            else settings.ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT // 60,
            "return_url": return_url,
            "site_name": settings.WAGTAIL_SITE_NAME,
            **context_data,
        }
        with translation.override(language_for_recipient(email)):
            ctx.setdefault("request", request)
            ctx.setdefault("email", email)
            ctx.setdefault("current_site", get_current_site(request) if request is not None else None)
            message = self.render_mail(template_prefix, email, ctx)
        mail.queue(message, kind=template_prefix.rsplit("/", 1)[-1])


class HeadlessAdapter(DefaultHeadlessAdapter):
    def get_frontend_url(self, urlname: str, **kwargs) -> str | None:
        """Links in e-mails go to the registered front end the request came from, else to ACCOUNTS_FRONTEND_URL."""
        url = super().get_frontend_url(urlname, **kwargs)
        if not url:
            return url
        origin = urlsplit(request_front_end_origin(self.request))
        parts = urlsplit(url)
        return urlunsplit((origin.scheme, origin.netloc, parts.path, parts.query, parts.fragment))
