"""The front-end registry: which external sites read the API, from where, and how to reach them."""

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from .webhook_signing import encode_body, new_secret


def normalise_origin(value: str) -> str:
    """`https://Example.org:443/` -> `https://example.org`; raises ValueError if it is not an origin."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(value)
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(value)
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


class FrontEndQuerySet(models.QuerySet):
    def allowed_origins(self) -> set[str]:
        return {origin for front_end in self.filter(is_active=True) for origin in front_end.origin_list}


class FrontEnd(models.Model):
    """A front end (web site or app) that shows one Wagtail site's content."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    site = models.ForeignKey(
        "wagtailcore.Site", verbose_name=_("site"), on_delete=models.CASCADE, related_name="front_ends"
    )
    origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_("One origin per line, e.g. https://www.example.org. Browsers on other origins are refused."),
    )
    preview_url = models.URLField(
        _("preview URL"), blank=True, help_text=_("Where editors see unpublished pages on this front end.")
    )
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    webhook_secret = models.CharField(
        _("webhook secret"),
        max_length=200,
        blank=True,
        default=new_secret,
        help_text=_(
            "Signs each webhook (Standard Webhooks: HMAC-SHA256 in the webhook-signature header). "
            "A value starting with whsec_ is a base64-encoded key, as Standard Webhooks libraries "
            "generate and expect; any other value is used as is. Give the receiver the same value."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = FrontEndQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("site"),
        FieldPanel("origins"),
        FieldPanel("preview_url"),
        MultiFieldPanel([FieldPanel("webhook_url"), FieldPanel("webhook_secret")], heading=_("Webhooks")),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name = _("front end")
        verbose_name_plural = _("front ends")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def origin_list(self) -> list[str]:
        return [line.strip() for line in self.origins.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        cleaned, invalid = [], []
        for line in self.origin_list:
            try:
                cleaned.append(normalise_origin(line))
            except ValueError:
                invalid.append(line)
        if invalid:
            raise ValidationError(
                {"origins": _("Not an origin (scheme://host[:port]): %(values)s") % {"values": ", ".join(invalid)}}
            )
        self.origins = "\n".join(dict.fromkeys(cleaned))


class APIKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, front_end__is_active=True)


class FrontEndAPIKey(models.Model):
    """A key a front end sends as `Authorization: Bearer <key>` (or `X-API-Key`).

    Only a SHA-256 digest is stored: keys are 256-bit random values, so a
    fast digest is as safe as a slow password hash and keeps the check cheap
    on every request. The key itself is shown once, when it is created.
    """

    PREFIX = "fe_"

    class Scope(models.TextChoices):
        READ = "read", _("Read published content")
        PREVIEW = "preview", _("Read drafts through preview tokens")

    front_end = models.ForeignKey(
        FrontEnd, verbose_name=_("front end"), on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_('What uses this key, e.g. "production web".'))
    lookup_id = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    can_read = models.BooleanField(_("scope: read"), default=True)
    can_preview = models.BooleanField(_("scope: preview"), default=False)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=1200, help_text=_("Requests above this rate get 429 Too Many Requests.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = APIKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["front_end__name", "name"]

    def __str__(self):
        return f"{self.front_end} – {self.name} ({self.PREFIX}{self.lookup_id}_…)"

    @property
    def scopes(self) -> set[str]:
        return {
            scope
            for scope, granted in ((self.Scope.READ, self.can_read), (self.Scope.PREVIEW, self.can_preview))
            if granted
        }

    def generate(self) -> str:
        """Give this (unsaved) key a new secret and return the key to show once."""
        self.lookup_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        self.digest = self.digest_of(secret)
        return f"{self.PREFIX}{self.lookup_id}_{secret}"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def parse(cls, key: str) -> tuple[str, str] | None:
        """`fe_<lookup id>_<secret>` -> (lookup id, secret), or None if malformed."""
        if not key.startswith(cls.PREFIX):
            return None
        lookup_id, _sep, secret = key[len(cls.PREFIX) :].partition("_")
        if len(lookup_id) != 16 or not secret:
            return None
        return lookup_id, secret

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.digest, self.digest_of(secret))


class WebhookDelivery(models.Model):
    """One message to one front end, and how sending it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    front_end = models.ForeignKey(
        "cms.FrontEnd", verbose_name=_("front end"), on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    message_id = models.CharField(
        _("message id"),
        max_length=64,
        unique=True,
        editable=False,
        help_text=_("Sent as the webhook-id header; the same on every attempt, so receivers can ignore repeats."),
    )
    event = models.CharField(_("event"), max_length=64, db_index=True)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        # The log is written by the system only: editors may view it and ask for a retry.
        default_permissions = ("view",)
        permissions = [("retry_webhookdelivery", _("Can retry webhook deliveries"))]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="cms_webhook_due_idx")]

    def __str__(self):
        return f"{self.event} ({self.message_id})"

    @property
    def body(self) -> bytes:
        return encode_body(self.payload)
