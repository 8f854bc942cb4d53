"""News in the API: the index and the article, with their body blocks."""

from datetime import datetime

from cms import api_schemas, stream
from cms.content_types import APIField, PageTypeAPI, attribute
from taxonomy.api import PEOPLE, RELATED_PAGES, TOPICS

from .blocks import NewsBodyBlock
from .models import NewsArticlePage, NewsIndexPage

BODY_BLOCK = NewsArticlePage._meta.get_field("body").stream_block


def _lead_image_collect(page, context):
    if page.lead_image_id:
        context.image_ids.add(page.lead_image_id)


def _body_collect(page, context):
    stream.collect(BODY_BLOCK, page.body.raw_data, context)


NEWS_ARTICLE = PageTypeAPI(
    NewsArticlePage,
    date_field="published_at",
    fields=[
        attribute("published_at", datetime, in_summary=True, description="Publication date and time."),
        attribute("dateline", str, in_summary=True, description="Where the news comes from."),
        attribute("standfirst", str, in_summary=True),
        APIField(
            "lead_image",
            api_schemas.Image,
            lambda page, context: context.image(page.lead_image_id),
            collect=_lead_image_collect,
            in_summary=True,
        ),
        TOPICS,
        PEOPLE,
        APIField(
            "body",
            stream.schema_for(NewsBodyBlock(), "NewsBody"),
            lambda page, context: stream.render(BODY_BLOCK, page.body.raw_data, context, page),
            collect=_body_collect,
            description="The article, block by block.",
        ),
        RELATED_PAGES,
    ],
)

NEWS_INDEX = PageTypeAPI(NewsIndexPage, fields=[attribute("intro", str, in_summary=True)])

page_types = [NEWS_INDEX, NEWS_ARTICLE]
