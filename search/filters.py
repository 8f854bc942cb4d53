"""The filters `/api/v1/search/` and its suggestions share: language, type, topic, person, dates."""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from cms.api_contract import Id, Language
from cms.api_parameters import Day, page_type_label
from cms.page_queries import resolve_locale, start_of_day, visible_pages
from cms.routing import HomeDirectory
from taxonomy.models import PagePerson, PageTopic, Person, Topic

from . import engines
from .index import SEARCHED_LABELS
from .models import SearchDocument


class SearchFilters(Schema):
    locale: Language | None = Field(None, description="Only pages in this language, e.g. `fr`.")
    type: list[page_type_label(lambda: sorted(SEARCHED_LABELS))] = Field(
        default_factory=list,
        description="Page type(s): `news.NewsArticlePage`, `interviews.InterviewPage`, `videos.VideoPage`.",
    )
    topic: Id | None = Field(None, description="Only items linked to this topic (any language version).")
    person: Id | None = Field(None, description="Only items linked to this person (any language version).")
    date_from: Day | None = Field(None, description="Items dated on or after this day (type's own date).")
    date_to: Day | None = Field(None, description="Items dated on or before this day (none if before `date_from`).")


def filtered_documents(params: SearchFilters, labels: list[str], backend) -> tuple:
    """(the documents the filters allow, the languages searched); a 404 for an unknown topic or person."""
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
    return documents, languages


def _existing_keys(model, object_id: int, unknown: str):
    key = model.objects.filter(pk=object_id).values_list("translation_key", flat=True).first()
    if key is None:
        raise Http404(unknown % {"id": object_id})
    return [key]
