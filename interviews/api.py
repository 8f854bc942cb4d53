"""Interviews in the API: typed questions, answers and notes."""

from datetime import date

from cms import stream
from cms.content_types import APIField, PageTypeAPI, attribute
from taxonomy.api import PEOPLE, RELATED_PAGES, TOPICS

from .blocks import InterviewBodyBlock
from .models import InterviewIndexPage, InterviewPage

BODY_BLOCK = InterviewPage._meta.get_field("body").stream_block

INTERVIEW = PageTypeAPI(
    InterviewPage,
    date_field="date",
    fields=[
        attribute("date", date, in_summary=True, description="Date of the interview."),
        attribute("place", str, in_summary=True),
        attribute("event", str, in_summary=True),
        attribute("standfirst", str, in_summary=True),
        PEOPLE,
        TOPICS,
        APIField(
            "body",
            stream.schema_for(InterviewBodyBlock(), "InterviewBody"),
            lambda page, context: stream.render(BODY_BLOCK, page.body.raw_data, context, page),
            collect=lambda page, context: stream.collect(BODY_BLOCK, page.body.raw_data, context),
            description="Questions, answers (with their speaker) and editorial notes, in order.",
        ),
        RELATED_PAGES,
    ],
)

INTERVIEW_INDEX = PageTypeAPI(InterviewIndexPage, fields=[attribute("intro", str, in_summary=True)])

page_types = [INTERVIEW_INDEX, INTERVIEW]
