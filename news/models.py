from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.pages import HeadlessPageMixin
from taxonomy.models import people_panel, related_pages_panel, topic_panel

from .blocks import NewsBodyBlock


class NewsIndexPage(HeadlessPageMixin, Page):
    """The news section of a site: lists its articles."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["news.NewsArticlePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("news index")


class NewsArticlePage(HeadlessPageMixin, Page):
    published_at = models.DateTimeField(
        _("publication date and time"),
        default=timezone.now,
        help_text=_("Shown to readers; set it to when the news was released."),
    )
    dateline = models.CharField(
        _("dateline"),
        max_length=255,
        blank=True,
        help_text=_('Where the news comes from, e.g. "Brussels".'),
    )
    standfirst = models.TextField(
        _("standfirst"), blank=True, help_text=_("The summary shown in bold under the title.")
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = StreamField(NewsBodyBlock(), verbose_name=_("body"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("published_at"), FieldPanel("dateline")],
            heading=_("Publication"),
        ),
        FieldPanel("standfirst"),
        FieldPanel("lead_image"),
        FieldPanel("body"),
        topic_panel(),
        people_panel(heading=_("People mentioned")),
        related_pages_panel(),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("standfirst", boost=2),
        index.SearchField("body"),
        index.SearchField("dateline"),
        index.FilterField("published_at"),
    ]
    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")
        # The API's news listings, newest first, read this index instead of sorting every article.
        indexes = [models.Index(fields=["published_at", "page_ptr"], name="news_article_published_idx")]
