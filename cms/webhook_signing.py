"""Standard Webhooks signing (https://www.standardwebhooks.com/): secrets, keys and signatures.

Apart from the delivery log (`cms.webhooks`) so that the front-end registry
(`cms.models`), whose secrets default to `new_secret()`, does not import it.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets

from django.core.serializers.json import DjangoJSONEncoder

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of the format, not a secret


class WebhookSecretError(ValueError):
    pass


def new_secret() -> str:
    """A fresh secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_key(secret: str) -> bytes:
    """The HMAC key of a front end's secret.

    `whsec_<base64>` (what Standard Webhooks libraries generate and expect) is
    the base64-decoded bytes; any other value is used as its UTF-8 bytes.
    """
    if not secret:
        raise WebhookSecretError("The front end has no webhook secret.")
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode()
    encoded = secret[len(SECRET_PREFIX) :]
    try:
        # Padding is optional, as in the reference implementations.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookSecretError("The webhook secret starts with whsec_ but the rest is not base64.") from None
    if not key:
        raise WebhookSecretError("The webhook secret is empty after whsec_.")
    return key


def sign(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one message."""
    signed = b"%s.%d.%s" % (message_id.encode(), timestamp, body)
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(signing_key(secret), message_id, timestamp, body),
    }


def encode_body(payload: dict) -> bytes:
    # Sorted keys: the bytes are the same on every attempt whatever order the
    # database returns JSON keys in (PostgreSQL's jsonb reorders them).
    return json.dumps(payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()
