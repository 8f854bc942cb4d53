from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.pages import HeadlessPageMixin
from taxonomy.models import people_panel, related_pages_panel, topic_panel

from .blocks import InterviewBodyBlock


class InterviewIndexPage(HeadlessPageMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["interviews.InterviewPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("interview index")


class InterviewPage(HeadlessPageMixin, Page):
    date = models.DateField(_("date of the interview"), default=timezone.localdate)
    place = models.CharField(_("place"), max_length=255, blank=True)
    event = models.CharField(
        _("event"), max_length=255, blank=True, help_text=_("The occasion, e.g. a seminar or a summit.")
    )
    standfirst = models.TextField(_("standfirst"), blank=True)
    body = StreamField(InterviewBodyBlock(), verbose_name=_("questions and answers"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("date"), FieldPanel("place"), FieldPanel("event")], heading=_("When and where")),
        people_panel(heading=_("Interviewees and interviewer")),
        FieldPanel("standfirst"),
        FieldPanel("body"),
        topic_panel(),
        related_pages_panel(),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("standfirst", boost=2),
        index.SearchField("body"),
        index.SearchField("event"),
        index.SearchField("place"),
        index.FilterField("date"),
    ]
    parent_page_types = ["interviews.InterviewIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        # The API's interview listings, newest first, read this index instead of sorting every interview.
        indexes = [models.Index(fields=["date", "page_ptr"], name="interview_date_idx")]
