"""Newsletter consent: subscribe, unsubscribe, and the signed one-click unsubscribe link (RFC 8058)."""

from django.core import signing
from django.urls import reverse
from django.utils import timezone

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
        from .mail import send_newsletter_welcome

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
    from django.conf import settings

    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def list_unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 / RFC 8058: mail clients offer a one-click unsubscribe that POSTs to `url`."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
