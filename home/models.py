from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable, Page
from wagtail_localize.fields import SynchronizedField

from cms.pages import HeadlessPageMixin

FEATURABLE_PAGE_TYPES = ["news.NewsArticlePage", "interviews.InterviewPage", "videos.VideoPage"]


class HomePage(HeadlessPageMixin, Page):
    """The root of one site, i.e. of one front end, in one language."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("featured_items", heading=_("Featured"), label=_("Featured item"), max_num=12),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["news.NewsIndexPage", "interviews.InterviewIndexPage", "videos.VideoIndexPage"]

    class Meta:
        verbose_name = _("home page")


class HomePageFeaturedItem(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_items")
    target = models.ForeignKey("wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+")

    # Featured items are chosen once; each language shows their translation.
    translatable_fields = [SynchronizedField("target")]
    panels = [PageChooserPanel("target", page_type=FEATURABLE_PAGE_TYPES)]

    class Meta(Orderable.Meta):
        verbose_name = _("featured item")
        verbose_name_plural = _("featured items")
