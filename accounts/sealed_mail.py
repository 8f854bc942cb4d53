"""The sealed envelope of an account e-mail: what the request hands to the delivery task, and back.

The rendered message (which holds a verification or reset code) is encrypted
with a key derived from SECRET_KEY before it becomes a task argument, because
task arguments are stored by the database queue and may be shown by the admin
or logged by a worker. Both sides import this module: the mail that queues
(`accounts.mail`) and the task that delivers (`accounts.tasks`), so neither
imports the other's internals.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.crypto import salted_hmac


def _fernet() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    # The salt keeps its historical value ("accounts.mail"): mail queued before
    # the move must still open.
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


def masked(address: str) -> str:
    """For logs: enough to tell messages apart, not enough to read the address."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
