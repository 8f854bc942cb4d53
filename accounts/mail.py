"""Account e-mail leaves the request through a background task, sealed so the code it carries is never stored in clear.

The rendered message (which holds a verification or reset code) is encrypted
with a key derived from SECRET_KEY before it becomes a task argument, because
task arguments are stored by the database queue and may be shown by the admin
or logged by a worker. Only `tasks.deliver_account_email` opens it.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.crypto import salted_hmac


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    keys = [
        Fernet(base64.urlsafe_b64encode(salted_hmac("accounts.mail", "sealed", secret=s, algorithm="sha256").digest()))
        for s in secrets
    ]
    return MultiFernet(keys)


def seal(message: EmailMultiAlternatives, *, kind: str) -> str:
    payload = {
        "kind": kind,
        "subject": message.subject,
        "body": message.body,
        "from": message.from_email,
        "to": list(message.to),
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "headers": dict(message.extra_headers),
    }
    return _fernet().encrypt(json.dumps(payload).encode()).decode()


def unseal(token: str) -> dict:
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise ValueError("not a sealed account e-mail") from None


def build(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        payload["subject"], payload["body"], payload["from"], payload["to"], headers=payload["headers"]
    )
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def queue(message: EmailMultiAlternatives, *, kind: str) -> None:
    from .tasks import deliver_account_email

    deliver_account_email.enqueue(seal(message, kind=kind))


def masked(address: str) -> str:
    """For logs: enough to tell messages apart, not enough to read the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def send_newsletter_welcome(subscription, request=None) -> None:
    """The confirmation of a subscription: a newsletter mail, so it carries the one-click unsubscribe headers."""
    from allauth.core import context

    from .newsletter import list_unsubscribe_headers, unsubscribe_url

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
    queue(message, kind="newsletter_welcome")
