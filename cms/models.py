"""The front-end registry: which external sites read the API, from where, and how to reach them."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel


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
    webhook_secret = models.CharField(_("webhook secret"), max_length=200, blank=True)
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
