"""Newsletter consent: subscribe, unsubscribe, and the signed one-click unsubscribe link (RFC 8058)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import mail
from .models import NewsletterSubscription

TOKEN_SALT = "accounts.newsletter.unsubscribe"  # noqa: S105  (a salt, not a secret)


class StaleToken(Exception):
    """A genuine link, but for a consent that has since been renewed: it must not undo the new consent."""


def subscription_of(user) -> NewsletterSubscription | None:
    return NewsletterSubscription.objects.filter(user=user).first()


def subscribe(user, *, source: str, welcome: bool = True) -> NewsletterSubscription:
    """Record consent now. Subscribing again after unsubscribing is a new consent, with its own time and source.

    The welcome mail (a newsletter mail, with its unsubscribe headers) waits
    for a verified address: a sign-up's consent is welcomed on verification.
    """
    subscription = subscription_of(user)
    if subscription is not None and subscription.is_subscribed:
        return subscription
    if subscription is None:
        subscription = NewsletterSubscription(user=user)
    subscription.email = user.email
    subscription.language = user.language
    subscription.consented_at = timezone.now()
    subscription.source = source
    subscription.unsubscribed_at = None
    subscription.save()
    if welcome:
        send_newsletter_welcome(subscription)
    return subscription


def unsubscribe(subscription: NewsletterSubscription) -> NewsletterSubscription:
    if subscription.is_subscribed:
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["unsubscribed_at"])
    return subscription


def unsubscribe_token(subscription: NewsletterSubscription) -> str:
    """Signed with SECRET_KEY; names the subscription and the consent it ends, so an old link cannot end a new one."""
    return signing.dumps([subscription.pk, _consent_stamp(subscription)], salt=TOKEN_SALT, compress=True)


def _consent_stamp(subscription: NewsletterSubscription) -> int:
    return round(subscription.consented_at.timestamp() * 1_000_000)


def subscription_for_token(token: str) -> NewsletterSubscription:
    """Raises signing.BadSignature if the token was tampered with, StaleToken if the consent was renewed since."""
    payload = signing.loads(token, salt=TOKEN_SALT)
    try:
        pk, consent_stamp = payload
        pk, consent_stamp = int(pk), int(consent_stamp)
    except (TypeError, ValueError):
        raise signing.BadSignature("malformed payload") from None
    subscription = NewsletterSubscription.objects.filter(pk=pk).select_related("user").first()
    if subscription is None:
        raise signing.BadSignature("unknown subscription")
    if _consent_stamp(subscription) != consent_stamp:
        raise StaleToken
    return subscription


def unsubscribe_url(request, subscription: NewsletterSubscription) -> str:
    path = reverse("api_v1:newsletter_unsubscribe", kwargs={"token": unsubscribe_token(subscription)})
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058: mail clients offer a one-click unsubscribe that POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def send_newsletter_welcome(subscription: NewsletterSubscription, request=None) -> None:
    """The confirmation of a subscription: a newsletter mail, so it carries the one-click unsubscribe headers."""
    from allauth.core import context

    request = request or context.request
    url = unsubscribe_url(request, subscription)
    ctx = {"subscription": subscription, "unsubscribe_url": url, "site_name": settings.WAGTAIL_SITE_NAME}
    with translation.override(subscription.language):
        subject = " ".join(render_to_string("accounts/email/newsletter_welcome_subject.txt", ctx).split())
        body = render_to_string("accounts/email/newsletter_welcome_message.txt", ctx)
        html = render_to_string("accounts/email/newsletter_welcome_message.html", ctx)
    message = EmailMultiAlternatives(
        f"{getattr(settings, 'ACCOUNT_EMAIL_SUBJECT_PREFIX', '') or ''}{subject}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [subscription.email],
        headers=list_unsubscribe_headers(url),
    )
    message.attach_alternative(html, "text/html")
    mail.queue(message, kind="newsletter_welcome")
