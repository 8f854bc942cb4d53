"""Front-end API keys as requests meet them: who is calling (`APIClient`), a key checked, its record cached.

A key's record is cached for `KEY_CACHE_SECONDS` and dropped at once when the
key or its front end is saved or deleted (the receivers at the end). The
auth classes that read keys from requests are in `cms.api_access`.
"""

import hmac
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError

from .models import FrontEnd, FrontEndAPIKey

READ = str(FrontEndAPIKey.Scope.READ)
PREVIEW = str(FrontEndAPIKey.Scope.PREVIEW)

# Saving or deleting a key or a front end drops its cached record at once.
# The expiry bounds how long a change that no signal reports (a queryset
# update(), or a local-memory cache in another process) can go unnoticed.
KEY_CACHE_SECONDS = 60
# `last_used_at` is for people ("is this key still in use?"): a write per
# minute and key is plenty, and keeps hot requests free of queries.
LAST_USED_RESOLUTION_SECONDS = 60
# Generated keys are 63 characters; anything much longer is not one of ours
# and is refused before it is hashed.
MAX_KEY_LENGTH = 128
_HEX_DIGITS = frozenset("0123456789abcdef")
_UNKNOWN = "unknown"


@dataclass(frozen=True)
class APIClient:
    """Who is calling: a front end through one of its keys, or an anonymous reader (`request.auth`)."""

    scopes: frozenset[str]
    front_end_id: int | None = None
    front_end_name: str = ""
    site_id: int | None = None
    key_id: int | None = None
    key_lookup_id: str = ""
    key_name: str = ""
    rate_limit_per_minute: int | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.key_id is None

    @property
    def key_prefix(self) -> str:
        """`fe_<lookup id>_`: names the key in logs and in the admin without revealing it."""
        return f"{FrontEndAPIKey.PREFIX}{self.key_lookup_id}_" if self.key_lookup_id else ""

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def __str__(self):
        return "anonymous" if self.is_anonymous else f"{self.front_end_name} ({self.key_prefix}…)"


ANONYMOUS = APIClient(scopes=frozenset({READ}))


class APIKeyRejected(AuthenticationError):
    """A key was sent and is not valid. The request fails: it never continues as anonymous."""

    def __init__(self, detail: str):
        super().__init__(401, detail)
        self.detail = detail


# --- Checking a key ---------------------------------------------------------------


def _record_cache_key(lookup_id: str) -> str:
    return f"cms:api-key:{lookup_id}"


def _load_record(lookup_id: str) -> dict | str:
    """What a request needs to know about a key, as plain values that survive any deploy in the cache."""
    try:
        key = FrontEndAPIKey.objects.select_related("front_end").get(lookup_id=lookup_id)
    except FrontEndAPIKey.DoesNotExist:
        # Remembered too, so a client stuck on a deleted key does not cost a query per request.
        return _UNKNOWN
    return {
        "id": key.pk,
        "name": key.name,
        "digest": key.digest,
        "scopes": sorted(str(scope) for scope in key.scopes),
        "rate_limit_per_minute": key.rate_limit_per_minute,
        "revoked": key.revoked_at is not None,
        "front_end_id": key.front_end_id,
        "front_end_name": key.front_end.name,
        "front_end_active": key.front_end.is_active,
        "site_id": key.front_end.site_id,
    }


def authenticate_key(key: str, scope: str) -> APIClient:
    """The client `key` identifies, if it is valid and grants `scope`.

    Raises `APIKeyRejected` (401) for a key that is not valid and
    `PermissionDenied` (403) for a valid key without `scope`.
    """
    key = key.strip()
    parsed = FrontEndAPIKey.parse(key) if len(key) <= MAX_KEY_LENGTH else None
    # The lookup id goes into a cache key: only the hex digits generate() produces are accepted.
    if parsed is None or not set(parsed[0]) <= _HEX_DIGITS:
        raise APIKeyRejected(_("Malformed API key: expected fe_<16 hexadecimal digits>_<secret>."))
    lookup_id, secret = parsed

    record = cache.get(_record_cache_key(lookup_id))
    if record is None:
        record = _load_record(lookup_id)
        cache.set(_record_cache_key(lookup_id), record, KEY_CACHE_SECONDS)
    # One answer for "no such key" and "wrong secret", and revocation is
    # only reported to whoever holds the secret.
    if record == _UNKNOWN or not hmac.compare_digest(record["digest"], FrontEndAPIKey.digest_of(secret)):
        raise APIKeyRejected(_("Unknown API key."))
    if record["revoked"]:
        raise APIKeyRejected(_("This API key has been revoked."))
    if not record["front_end_active"]:
        raise APIKeyRejected(_("The front end of this API key is not active."))

    client = APIClient(
        scopes=frozenset(record["scopes"]),
        front_end_id=record["front_end_id"],
        front_end_name=record["front_end_name"],
        site_id=record["site_id"],
        key_id=record["id"],
        key_lookup_id=lookup_id,
        key_name=record["name"],
        rate_limit_per_minute=record["rate_limit_per_minute"],
    )
    _note_use(client)
    if not client.has_scope(scope):
        raise PermissionDenied(_("This API key does not have the “%(scope)s” scope.") % {"scope": scope})
    return client


def _note_use(client: APIClient) -> None:
    if cache.add(f"cms:api-key-used:{client.key_id}", True, LAST_USED_RESOLUTION_SECONDS):
        # update(), not save() on a cached copy: nothing else about the key may be written back.
        FrontEndAPIKey.objects.filter(pk=client.key_id).update(last_used_at=timezone.now())


# --- Keeping cached keys fresh -----------------------------------------------------------


def _forget(cache_keys: list[str]) -> None:
    if not cache_keys:
        return
    cache.delete_many(cache_keys)
    # A request running meanwhile may cache the old record again before this
    # transaction commits: drop it once more then.
    transaction.on_commit(lambda: cache.delete_many(cache_keys))


@receiver([post_save, post_delete], sender=FrontEndAPIKey, dispatch_uid="cms_api_access_key_changed")
def _key_changed(sender, instance, **kwargs):
    _forget([_record_cache_key(instance.lookup_id)])


@receiver([post_save, post_delete], sender=FrontEnd, dispatch_uid="cms_api_access_front_end_changed")
def _front_end_changed(sender, instance, **kwargs):
    lookup_ids = FrontEndAPIKey.objects.filter(front_end_id=instance.pk).values_list("lookup_id", flat=True)
    _forget([_record_cache_key(lookup_id) for lookup_id in lookup_ids])
