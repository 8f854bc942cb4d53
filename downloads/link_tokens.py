"""The token in a download link: sealed, so that it reveals nothing, and tied to the account's password.

A link travels in e-mails, chat messages, proxy logs and download managers'
histories. Signed only (as `django.core.signing` does), its payload is
readable base64: the storage path of an embargoed master and the id of the
account it was issued to. Here the claims are encrypted and authenticated
together with AES-256-GCM (the `cryptography` package; Django has no
encryption), under a key derived from SECRET_KEY for this purpose alone
(HKDF-SHA256, `info` = the purpose), with a random 96-bit nonce: the token is
opaque, two links for the same file differ, and a changed byte anywhere makes
it invalid. SECRET_KEY_FALLBACKS open links sealed before a key rotation.

Revocation without a table: the claims carry a digest of the account's
password hash as it was when the link was made (`password_stamp`). Changing
or resetting the password by any path (allauth's screens, the admin,
`changepassword`) changes the hash, so every link handed out before stops
working; a deactivated or deleted account is refused by the view.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PURPOSE = b"downloads.link-token.v1"
_NONCE_BYTES = 12
# Far above any real link (about 200 characters); refused before any decoding work.
MAX_TOKEN_LENGTH = 2048


class InvalidToken(ValueError):
    """Not a token sealed here with this site's keys (tampered, truncated, foreign or malformed)."""


@lru_cache(maxsize=8)
def _cipher(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(secret.encode())
    return AESGCM(key)


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def seal(claims: dict) -> str:
    """An opaque, URL-safe token for `claims` (JSON-serialisable)."""
    nonce = os.urandom(_NONCE_BYTES)
    plaintext = json.dumps(claims, separators=(",", ":")).encode()
    sealed = nonce + _cipher(settings.SECRET_KEY).encrypt(nonce, plaintext, PURPOSE)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def open_token(token: str) -> dict:
    """The claims sealed in `token`; InvalidToken for anything this site did not seal."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("no token or too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidToken("not base64url") from error
    # The decoder skips characters outside the alphabet and ignores the spare low bits of the
    # last character: without this, several spellings of one URL would open the same link.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token:
        raise InvalidToken("not the canonical spelling")
    nonce, ciphertext = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    if len(nonce) < _NONCE_BYTES or not ciphertext:
        raise InvalidToken("too short")
    for secret in _secrets():
        try:
            plaintext = _cipher(secret).decrypt(nonce, ciphertext, PURPOSE)
        except InvalidTag:
            continue
        claims = json.loads(plaintext)
        if not isinstance(claims, dict):
            raise InvalidToken("not an object")
        return claims
    raise InvalidToken("not sealed with this site's keys")


def _stamp(secret: str, password_hash: str) -> str:
    key = hashlib.sha256(PURPOSE + secret.encode()).digest()
    return hmac.new(key, (password_hash or "").encode(), hashlib.sha256).hexdigest()[:22]


def password_stamp(password_hash: str) -> str:
    """A short digest of an account's stored password hash, which changes whenever the password does."""
    return _stamp(settings.SECRET_KEY, password_hash)


def stamp_matches(stamp: object, password_hash: str) -> bool:
    """Whether `stamp` was made from this hash, with this key or a fallback (constant time)."""
    if not isinstance(stamp, str):
        return False
    return any(hmac.compare_digest(stamp, _stamp(secret, password_hash)) for secret in _secrets())
