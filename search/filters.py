"""The filters `/api/v1/search/` and its suggestions share: language, type, topic, person, dates."""

from datetime import date
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field, field_validator

from cms.api_contract import MAX_NAME_LENGTH, Id, Language
from cms.page_queries import resolve_locale, start_of_day, visible_pages
from cms.routing import HomeDirectory
from taxonomy.models import PagePerson, PageTopic, Person, Topic

from . import engines
from .index import SEARCHED_LABELS
from .models import SearchDocument


class SearchFilters(Schema):
    locale: Language | None = Field(None, description="Only pages in this language, e.g. `fr`.")
    type: list[Annotated[str, Field(max_length=MAX_NAME_LENGTH)]] = Field(
        default_factory=list,
        description="Page type(s): `news.NewsArticlePage`, `interviews.InterviewPage`, `videos.VideoPage`.",
    )
    topic: Id | None = Field(None, description="Only items linked to this topic (any language version).")
    person: Id | None = Field(None, description="Only items linked to this person (any language version).")
    date_from: date | None = Field(None, description="Items dated on or after this day (type's own date).")
    date_to: date | None = Field(None, description="Items dated on or before this day.")

    @field_validator("type")
    @classmethod
    def searched_types(cls, value):
        unknown = [label for label in value if label not in SEARCHED_LABELS]
        if unknown:
            raise ValueError(
                _("unknown page type(s): %(unknown)s; known: %(known)s")
                % {"unknown": ", ".join(unknown), "known": ", ".join(sorted(SEARCHED_LABELS))}
            )
        return value


def filtered_documents(params: SearchFilters, labels: list[str], backend) -> tuple:
    """(the documents the filters allow, the languages searched); a 400 for an unknown locale, topic or person."""
    documents = SearchDocument.objects.filter(page_type__in=labels)
    if backend is None:
        documents = documents.filter(page__in=visible_pages())
    else:
        documents = engines.outside_private_sections(documents)
    if params.locale:
        documents = documents.filter(locale_id=resolve_locale(params.locale))
        languages = [params.locale]
    else:
        languages = sorted(HomeDirectory.load().locale_ids)
    if params.topic is not None:
        keys = _existing_keys(Topic, params.topic, _("Unknown topic %(id)s."))
        documents = documents.filter(
            page_id__in=PageTopic.objects.filter(topic__translation_key__in=keys).values("page_id")
        )
    if params.person is not None:
        keys = _existing_keys(Person, params.person, _("Unknown person %(id)s."))
        documents = documents.filter(
            page_id__in=PagePerson.objects.filter(person__translation_key__in=keys).values("page_id")
        )
    if params.date_from:
        documents = documents.filter(date__gte=start_of_day(params.date_from))
    if params.date_to:
        documents = documents.filter(date__lt=start_of_day(params.date_to, next_day=True))
    if params.date_from and params.date_to and params.date_from > params.date_to:
        raise HttpError(400, _("`date_from` is after `date_to`."))
    return documents, languages


def _existing_keys(model, object_id: int, unknown: str):
    key = model.objects.filter(pk=object_id).values_list("translation_key", flat=True).first()
    if key is None:
        raise HttpError(400, unknown % {"id": object_id})
    return [key]
