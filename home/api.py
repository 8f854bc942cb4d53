"""Home pages in the API: one per site and language, with the featured items."""

from collections import defaultdict

from cms import api_schemas
from cms.content_types import APIField, PageTypeAPI, attribute

from .models import HomePage, HomePageFeaturedItem


def _load_featured(pages, context):
    context.featured = defaultdict(list)
    if context.preview:  # a previewed draft carries its items in memory, unsaved
        rows = [(page.pk, item.target_id) for page in pages for item in page.featured_items.all()]
    else:
        items = HomePageFeaturedItem.objects.filter(page_id__in=[page.pk for page in pages]).order_by(
            "sort_order", "pk"
        )
        rows = items.values_list("page_id", "target_id")
    for page_id, target_id in rows:
        context.featured[page_id].append(target_id)
        context.page_ids.add(target_id)


def _featured(page, context):
    links = (context.page_link(context.localized_page(target, page.locale_id)) for target in context.featured[page.pk])
    return [link for link in links if link]


HOME = PageTypeAPI(
    HomePage,
    fields=[
        attribute("intro", str, in_summary=True),
        APIField(
            "featured",
            list[api_schemas.PageLink],
            _featured,
            prefetch=_load_featured,
            description="Items editors feature on the home page, in their order, localized.",
        ),
    ],
)

page_types = [HOME]
