"""`/api/v1/search/`: relevance-ranked, language-aware search over news, interviews and videos.

Items are rendered exactly as in `/api/v1/pages/` listings (the same
summary schema, `fields` selection and bulk loading), plus a highlighted
`excerpt` and the `score`. Facets (counts per type, topic and year) cover the
whole match set; the number of queries does not grow with `limit`.

The engine is the portal's own per-language index (`search.query`) or, when
`SEARCH_API_BACKEND` names one, one of Wagtail's backends (`search.engines`):
filters, rendering and excerpts are the same for both.
"""

import logging
from datetime import date
from typing import Annotated, Literal, Union, get_args

from django.db.models import Count, IntegerField, Window
from django.utils.translation import gettext as _
from ninja import Query, Schema
from ninja.errors import HttpError
from pydantic import Field, create_model, field_validator

from cms.api import Problem, StrictRouter, answered_from_cache, api, problem
from cms.caching import cached_json, depends_on
from cms.content_types import page_types
from cms.pages_api import (
    MAX_LIMIT,
    PageItem,
    as_json,
    render_pages,
    resolve_locale,
    selected_fields,
    specific_pages,
    start_of_day,
    visible_pages,
)
from cms.routing import HomeDirectory
from taxonomy.models import PagePerson, PageTopic, Person, Topic

from . import engines, facets
from . import query as engine
from .facets import MAX_TOPIC_FACETS
from .index import SEARCH_TAG, SEARCHED_LABELS
from .models import SearchDocument
from .text import MAX_QUERY_LENGTH

logger = logging.getLogger(__name__)
router = StrictRouter(tags=["search"])


class SearchParameters(Schema):
    q: str = Field(
        "",
        description=(
            f"What to look for (1 to {MAX_QUERY_LENGTH} characters). Every word must match, in any form "
            "(plural, feminine, accents and case do not matter); punctuation and operators are ordinary text."
        ),
    )
    locale: str | None = Field(None, description="Only pages in this language, e.g. `fr`.")
    type: list[str] = Field(
        default_factory=list,
        description="Page type(s): `news.NewsArticlePage`, `interviews.InterviewPage`, `videos.VideoPage`.",
    )
    topic: int | None = Field(None, ge=1, description="Only items linked to this topic (any language version).")
    person: int | None = Field(None, ge=1, description="Only items linked to this person (any language version).")
    date_from: date | None = Field(None, description="Items dated on or after this day (type's own date).")
    date_to: date | None = Field(None, description="Items dated on or before this day.")
    order: Literal["relevance", "-date"] = Field(
        "relevance", description="`relevance` (best first) or `-date` (newest matches first)."
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)
    fields: str = Field(
        "summary", description="`summary` (default), `*` for every field, or a comma-separated list of field names."
    )

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


# --- response schemas -------------------------------------------------------------------------


def _hit_models():
    """The listing schema of each searched type, with the excerpt and the score."""
    union = get_args(PageItem)[0]
    models = []
    for model in get_args(union):
        label = model.model_fields["type"].annotation.__args__[0]
        if label in SEARCHED_LABELS:
            models.append(
                create_model(
                    f"{model.__name__}Hit",
                    __base__=model,
                    __doc__=model.__doc__,
                    excerpt=(
                        str,
                        Field(
                            description="A passage of the text around the matched words, HTML with <mark> around them."
                        ),
                    ),
                    score=(float, Field(description="Relevance: higher is better; comparable within one response.")),
                )
            )
    return tuple(models)


SearchHit = Annotated[Union[_hit_models()], Field(discriminator="type")]  # noqa: UP007


class TypeFacet(Schema):
    type: str
    count: int


class TopicFacet(Schema):
    id: int = Field(description="The topic in the requested language when it has been translated; use it as `topic`.")
    name: str
    count: int


class YearFacet(Schema):
    year: int
    count: int


class Facets(Schema):
    type: list[TypeFacet]
    topic: list[TopicFacet] = Field(description=f"The {MAX_TOPIC_FACETS} topics with most matches.")
    year: list[YearFacet]


class SearchResults(Schema):
    query: str
    count: int = Field(description="How many items match, across all pages of results.")
    limit: int
    offset: int
    items: list[SearchHit]
    facets: Facets


# --- endpoint ------------------------------------------------------------------------------------


SEARCH_RETRY_AFTER = 60


class SearchUnavailable(Exception):
    """The Wagtail backend serving the search (Elasticsearch/OpenSearch) could not answer."""


# Raised while the response renders (inside `cached_json`): answered by a handler of the API.
@api.exception_handler(SearchUnavailable)
def search_unavailable(request, exc):
    return problem(
        503,
        _("Search is unavailable at the moment. Please try again in a few minutes."),
        code="search_unavailable",
        headers={"Retry-After": str(SEARCH_RETRY_AFTER)},
    )


@router.get(
    "/search/",
    response={200: SearchResults, 503: Problem},
    exclude_unset=True,
    summary="Search news, interviews and videos",
)
@answered_from_cache
def search(request, params: Query[SearchParameters]):
    query = params.q.strip()
    if not query:
        raise HttpError(400, _("Give something to search for in the `q` parameter."))
    if len(query) > MAX_QUERY_LENGTH:
        raise HttpError(
            400,
            _("The search query is too long: %(length)d characters, at most %(max)d.")
            % {"length": len(query), "max": MAX_QUERY_LENGTH},
        )
    return cached_json(request, lambda: as_json(SearchResults, _search(request, params, query)))


def _search(request, params: SearchParameters, query: str) -> dict:
    depends_on("listing:*", SEARCH_TAG, "topics")
    labels = params.type or sorted(SEARCHED_LABELS)
    types = [page_types.get(label) for label in labels]
    selection = selected_fields(params.fields, types)

    backend = engines.api_backend()
    documents = SearchDocument.objects.filter(page_type__in=labels)
    if backend is None:
        documents = documents.filter(page__in=visible_pages())
    else:
        documents = engines.outside_private_sections(documents)
    directory = HomeDirectory.load()
    if params.locale:
        documents = documents.filter(locale_id=resolve_locale(params.locale))
        languages = [params.locale]
    else:
        languages = sorted(directory.locale_ids)
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

    if backend is None:
        found = _match_in_portal_index(documents, query, languages, params)
    else:
        found = _match_in_backend(backend, documents, query, params)
    empty = {"query": query, "count": 0, "limit": params.limit, "offset": params.offset, "items": []}
    if found is None:  # nothing but punctuation, symbols or emoji
        return {**empty, "facets": facets.no_facets()}
    rows, count, facet_counts = found

    ids_by_type: dict[str, list[int]] = {}
    for page_id, label, *_rest in rows:
        ids_by_type.setdefault(label, []).append(page_id)
    pages_by_id = specific_pages(ids_by_type, {t.label: t for t in types})
    pages = [pages_by_id[row[0]] for row in rows if row[0] in pages_by_id]
    rendered = {item["id"]: item for item in render_pages(request, pages, selection)}
    items = []
    for page_id, _label, value, summary, body, language in rows:
        if page_id in rendered:
            item = rendered[page_id]
            item["excerpt"] = engine.excerpt(summary, body, query, language)
            item["score"] = round(float(value or 0), 6)
            items.append(item)
    return {
        **empty,
        "count": count,
        "items": items,
        "facets": facets.as_response(facet_counts(), params.locale) if count else facets.no_facets(),
    }


def _match_in_portal_index(documents, query: str, languages: list[str], params: SearchParameters):
    """(rows, count, facet counter) from the portal's own index; None if the query has no word."""
    matched, score = engine.match(documents, query, languages)
    if matched is None:
        return None
    ordering = ("-score", "-date", "-page_id") if params.order == "relevance" else ("-date", "-page_id")
    ranked = matched.annotate(score=score, total=Window(Count("pk", output_field=IntegerField()))).order_by(*ordering)
    rows = list(
        ranked.values_list("page_id", "page_type", "score", "summary", "body", "language", "total")[
            params.offset : params.offset + params.limit
        ]
    )
    count = rows[0][-1] if rows else (matched.count() if params.offset else 0)
    return [row[:-1] for row in rows], count, lambda: facets.count_in_database(matched)


def _match_in_backend(backend, documents, query: str, params: SearchParameters):
    """(rows, count, facet counter) from the Wagtail backend `SEARCH_API_BACKEND` names; None if no word."""
    try:
        found = engines.search(backend, documents, query, params.order, params.offset, params.limit)
        if found is None:
            return None
        # Counted now, so that an unreachable service is answered below like the search itself.
        counts = found.facet_counts() if found.count else facets.FacetCounts()
    except Exception:
        if not backend.catch_indexing_errors:  # a database backend: an error of ours, a 500 with its traceback
            raise
        logger.exception("Search backend %r failed", engines.api_backend_name())
        raise SearchUnavailable from None
    return found.rows, found.count, lambda: counts


def _existing_keys(model, object_id: int, unknown: str):
    key = model.objects.filter(pk=object_id).values_list("translation_key", flat=True).first()
    if key is None:
        raise HttpError(400, unknown % {"id": object_id})
    return [key]
