"""People and topics: the translatable snippets every kind of page links to.

Pages link to them through ordered inline models with a ParentalKey to
`wagtailcore.Page` (one table per kind of link, whatever the page type), so
that:
- wagtail-localize copies the links to every translation (synchronized
  child relations), keeping the people and topics of a page identical in
  every language; the API shows each linked snippet in the reader's locale
  through its translation_key;
- listings can filter and prefetch links for all page types in one query.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField


class Person(TranslatableMixin, index.Indexed, models.Model):
    """Someone the portal writes about, interviews or films."""

    name = models.CharField(_("name"), max_length=255)
    role = models.CharField(
        _("role or title"),
        max_length=255,
        blank=True,
        help_text=_('For example "NATO Secretary General". Translated per language.'),
    )

    # A person's name is the same in every language; their title is not.
    translatable_fields = [SynchronizedField("name", overridable=False), TranslatableField("role")]
    panels = [FieldPanel("name"), FieldPanel("role")]
    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.SearchField("role"),
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Topic(TranslatableMixin, index.Indexed, models.Model):
    """A subject that groups content across types, e.g. "Defence capabilities"."""

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(
        _("slug"),
        max_length=255,
        allow_unicode=True,
        help_text=_("Used in front-end URLs; may differ per language."),
    )

    translatable_fields = [TranslatableField("name"), TranslatableField("slug")]
    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [
        index.SearchField("name", boost=2),
        index.AutocompleteField("name"),
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="taxonomy_topic_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # The admin form has no locale field, so Django skips the (locale, slug)
        # constraint when validating it and the database would raise instead.
        duplicate = Topic.objects.filter(locale_id=self.locale_id, slug=self.slug).exclude(pk=self.pk)
        if self.slug and self.locale_id and duplicate.exists():
            raise ValidationError({"slug": _("There is already a topic with this slug in this language.")})


class PageTopic(Orderable):
    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="topic_links")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="page_links", verbose_name=_("topic"))

    # The snippet is synchronized, not translated: every translation links
    # the same topic and readers see it in their own language.
    translatable_fields = [SynchronizedField("topic", overridable=False)]
    panels = [FieldPanel("topic")]

    class Meta(Orderable.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class PagePerson(Orderable):
    """A person linked to a page, with the part they play in it."""

    class Role(models.TextChoices):
        MENTIONED = "mentioned", _("Mentioned")
        INTERVIEWEE = "interviewee", _("Interviewee")
        INTERVIEWER = "interviewer", _("Interviewer")
        # Not the home page's "Featured" heading: a person shown in the page (in French « Apparaît »).
        FEATURED = "featured", pgettext_lazy("role of a person in a page", "Featured")

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="page_links", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MENTIONED)

    translatable_fields = [
        SynchronizedField("person", overridable=False),
        SynchronizedField("role", overridable=False),
    ]
    panels = [FieldPanel("person"), FieldPanel("role")]

    class Meta(Orderable.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")


class RelatedPage(Orderable):
    """A hand-picked "see also" link from one page to another."""

    page = ParentalKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("page"),
    )

    translatable_fields = [SynchronizedField("target", overridable=False)]
    panels = [FieldPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("related page")
        verbose_name_plural = _("related pages")


def topic_panel():
    return InlinePanel("topic_links", heading=_("Topics"), label=_("Topic"))


def people_panel(heading=None):
    return InlinePanel("person_links", heading=heading or _("People"), label=_("Person"))


def related_pages_panel():
    return InlinePanel("related_links", heading=_("Related pages"), label=_("Related page"))
