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
from typing import Annotated, Literal, Union, get_args

from django.db.models import Count, IntegerField, Window
from django.utils.translation import gettext as _
from ninja import Query, Schema
from ninja.errors import HttpError
from pydantic import Field, create_model

from cms.api_parameters import FieldList
from cms.apikit import MAX_OFFSET, Problem, ProblemError, StrictRouter, answered_from_cache
from cms.caching import cached_json, depends_on
from cms.content_types import page_types
from cms.page_queries import MAX_LIMIT, specific_pages
from cms.page_rendering import PageItem, as_json, render_pages, selected_fields

from . import engines, facets, planning, suggest
from . import query as engine
from .api_backend import api_backend, api_backend_name
from .facets import MAX_TOPIC_FACETS
from .filters import SearchFilters, filtered_documents
from .index import SEARCH_TAG, SEARCHED_LABELS
from .synonyms import SYNONYMS_TAG
from .text import MAX_QUERY_LENGTH

logger = logging.getLogger(__name__)
router = StrictRouter(tags=["search"])


class SearchParameters(SearchFilters):
    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description=(
            f"What to look for (1 to {MAX_QUERY_LENGTH} characters). Every word must match, in any form "
            "(plural, feminine, accents and case do not matter); a misspelt word is corrected from the index's "
            'words; `"a phrase"` matches the words side by side, `-word` excludes; the last word also matches '
            "as the beginning of a longer one. Nothing else is syntax: other punctuation is ordinary text."
        ),
    )
    order: Literal["relevance", "-date"] = Field(
        "relevance", description="`relevance` (best first) or `-date` (newest matches first)."
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    fields: FieldList = Field(
        "summary",
        description="`summary` (default), `*` for every field, or a comma-separated list of field names.",
    )


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
    searched_for: str = Field(
        description=(
            "What was searched: the query, or the query with its misspelt words replaced by the nearest words "
            'of the index (`ministrs` → `ministres`), written as `words "a phrase" -excluded`.'
        )
    )
    did_you_mean: str | None = Field(
        None,
        description="When nothing matched: another query, with words near to the ones typed, that finds something.",
    )
    count: int = Field(description="How many items match, across all pages of results.")
    limit: int
    offset: int
    items: list[SearchHit]
    facets: Facets


# --- endpoint ------------------------------------------------------------------------------------


SEARCH_RETRY_AFTER = 60


class SearchUnavailable(ProblemError):
    """The Wagtail backend serving the search (Elasticsearch/OpenSearch) could not answer.

    Raised while the response renders (inside `cached_json`), and answered
    as a 503 with `Retry-After` by the API's handler for problem errors.
    """

    def __init__(self):
        super().__init__(
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
    return cached_json(request, lambda: as_json(SearchResults, _search(request, params, query)))


def _search(request, params: SearchParameters, query: str) -> dict:
    depends_on("listing:*", SEARCH_TAG, "topics")
    labels = params.type or sorted(SEARCHED_LABELS)
    types = [page_types.get(label) for label in labels]
    selection = selected_fields(params.fields, types)

    backend = api_backend()
    documents, languages = filtered_documents(params, labels, backend)
    depends_on(SYNONYMS_TAG)
    searched = planning.plan(params.q, languages, correct=backend is None, backend=backend is not None)
    if backend is None:
        found = _match_in_portal_index(documents, searched, params)
    else:
        found = _match_in_backend(backend, documents, searched, params)
    empty = {
        "query": query,
        "searched_for": searched.searched_for,
        "count": 0,
        "limit": params.limit,
        "offset": params.offset,
        "items": [],
    }
    if found is None:  # nothing but punctuation, symbols or emoji, or only exclusions
        return {**empty, "facets": facets.no_facets()}
    rows, count, facet_counts = found
    if not count and backend is None:
        empty["did_you_mean"] = planning.did_you_mean(
            searched,
            languages,
            lambda alternative: engine.match(documents, alternative.queries, alternative.weights)[0].exists(),
        )

    ids_by_type: dict[str, list[int]] = {}
    for page_id, label, *_rest in rows:
        ids_by_type.setdefault(label, []).append(page_id)
    pages_by_id = specific_pages(ids_by_type, {t.label: t for t in types})
    pages = [pages_by_id[row[0]] for row in rows if row[0] in pages_by_id]
    rendered = {item["id"]: item for item in render_pages(request, pages, selection)}
    items, highlighted, prefixes = [], searched.highlighted_words(), searched.prefixes()
    for page_id, _label, value, summary, body, language in rows:
        if page_id in rendered:
            item = rendered[page_id]
            item["excerpt"] = engine.excerpt(summary, body, highlighted, language, prefixes=prefixes)
            item["score"] = round(float(value or 0), 6)
            items.append(item)
    return {
        **empty,
        "count": count,
        "items": items,
        "facets": facets.as_response(facet_counts(), params.locale) if count else facets.no_facets(),
    }


def _match_in_portal_index(documents, searched: planning.SearchPlan, params: SearchParameters):
    """(rows, count, facet counter) from the portal's own index; None if the query has no word."""
    matched, score = engine.match(documents, searched.queries, searched.weights)
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


def _finds(documents, searched: planning.SearchPlan) -> bool:
    matched, _score = engine.match(documents, searched.queries, searched.weights)
    return matched is not None and matched.exists()


def _match_in_backend(backend, documents, searched: planning.SearchPlan, params: SearchParameters):
    """(rows, count, facet counter) from the Wagtail backend `SEARCH_API_BACKEND` names; None if no word."""
    try:
        found = engines.search(backend, documents, searched, params.order, params.offset, params.limit)
        if found is None:
            return None
        # Counted now, so that an unreachable service is answered below like the search itself.
        counts = found.facet_counts() if found.count else facets.FacetCounts()
    except Exception:
        if not backend.catch_indexing_errors:  # a database backend: an error of ours, a 500 with its traceback
            raise
        logger.exception("Search backend %r failed", api_backend_name())
        raise SearchUnavailable from None
    return found.rows, found.count, lambda: counts


# --- suggestions ---------------------------------------------------------------------------------


class SuggestParameters(SearchFilters):
    q: str = Field(
        min_length=1,
        max_length=suggest.MAX_PREFIX_LENGTH,
        description=(
            f"What the reader has typed so far (1 to {suggest.MAX_PREFIX_LENGTH} characters): the last word "
            "is completed, the words before it must match."
        ),
    )
    limit: int = Field(5, ge=1, le=20, description="Titles at most, and as many frequent terms.")


class Suggestion(Schema):
    text: str = Field(description="The completed query: a page's title, or the words typed with the last completed.")
    kind: Literal["title", "term"]
    id: int | None = Field(description="The page, for a title.")


class Suggestions(Schema):
    query: str
    items: list[Suggestion]


@router.get("/search/suggest/", response=Suggestions, summary="Complete what a reader is typing")
@answered_from_cache
def search_suggestions(request, params: Query[SuggestParameters]):
    query = params.q.strip()
    if not query:
        raise HttpError(400, _("Give the beginning of a search in the `q` parameter."))

    def render():
        depends_on("listing:*", SEARCH_TAG)
        labels = params.type or sorted(SEARCHED_LABELS)
        documents, languages = filtered_documents(params, labels, None)
        items = suggest.suggestions(documents, params.q, languages, params.limit)
        return as_json(Suggestions, {"query": query, "items": items})

    return cached_json(request, render)
