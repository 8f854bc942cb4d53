"""Which engine answers `/api/v1/search/`, and searching through one of Wagtail's backends.

`SEARCH_API_BACKEND` is `"portal"` (the default): the portal's own
per-language index in the database (`search.query`). Any other value is the
alias of a `WAGTAILSEARCH_BACKENDS` entry, e.g. `"default"`, which is
Elasticsearch/OpenSearch when `WAGTAILSEARCH_URL` is set: `SearchDocument`s
are then also indexed there (`search.index`) and searched with the backend's
own `search()`, filters and scores. The endpoint's contract does not change:
the same parameters, items rendered and excerpts cut as for the portal
engine, facets over the whole match set, a fixed number of queries.
"""

import logging
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _
from modelsearch.backends import get_search_backend
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend, ElasticsearchBaseSearchResults
from modelsearch.conf import get_app_config
from wagtail.models import Page

from cms.caching import depends_on
from cms.routing import HomeDirectory

from . import facets, text
from .models import SearchDocument

logger = logging.getLogger(__name__)

PORTAL = "portal"
# The WAGTAILSEARCH_BACKENDS entry that only keeps the portal's index up to date: it cannot search.
PORTAL_BACKEND_MODULE = "search.backend"


def api_backend_name() -> str | None:
    """The `WAGTAILSEARCH_BACKENDS` alias serving `/api/v1/search/`, or None when the portal's own index does."""
    name = settings.SEARCH_API_BACKEND
    return None if name == PORTAL else name


def api_backend():
    name = api_backend_name()
    return get_search_backend(name) if name else None


def check_api_backend_setting() -> None:
    """Refuse, at start-up, a `SEARCH_API_BACKEND` that names no backend able to search."""
    name = settings.SEARCH_API_BACKEND
    backends = get_app_config().get_search_backend_config()
    searchable = sorted(alias for alias, config in backends.items() if config.get("BACKEND") != PORTAL_BACKEND_MODULE)
    if name != PORTAL and name not in searchable:
        raise ImproperlyConfigured(
            _(
                "SEARCH_API_BACKEND is %(name)r: use %(portal)r (the portal's own index) "
                "or the name of one of WAGTAILSEARCH_BACKENDS: %(aliases)s."
            )
            % {"name": name, "portal": PORTAL, "aliases": ", ".join(searchable)}
        )


def outside_private_sections(documents):
    """`documents` without those of pages in private sections, as a filter Wagtail's backends understand.

    The portal engine filters with `page__in=<every visible page>`; an
    Elasticsearch backend would turn that subquery into a list of every page
    id, so here the (usually few) pages of private sections are excluded
    instead. Documents exist only for live pages.
    """
    depends_on("visibility")
    paths = HomeDirectory.load().restricted_paths
    if not paths:
        return documents
    private = Page.objects.filter(reduce(or_, (Q(path__startswith=path) for path in paths)))
    return documents.exclude(page_id__in=private.values("pk"))


# --- searching -----------------------------------------------------------------------------------


@dataclass
class Matches:
    # (page id, page type, score, summary, body, language), best first.
    rows: list[tuple]
    count: int
    results: object  # the backend's results, for the facets

    def facet_counts(self) -> facets.FacetCounts:
        if isinstance(self.results, ElasticsearchBaseSearchResults):
            return _aggregate_facets(self.results)
        # Wagtail's database backends: the match set is a queryset; the same GROUP BY as the portal engine.
        matched = self.results.get_queryset().order_by().values("pk")
        return facets.count_in_database(SearchDocument.objects.filter(pk__in=matched))


def search(backend, documents, query: str, order: str, offset: int, limit: int) -> Matches | None:
    """Page `offset`..`offset + limit` of the `documents` matching every word of `query`; None if it has no word.

    Three backend requests at most (the page, the total when the page is full,
    the facets), whatever `limit`: on the database backends that is three
    queries plus the facets' two.
    """
    words = text.backend_query(query)
    if not words:
        return None
    if order == "-date":
        documents = documents.order_by("-date", "-page_id")
    results = backend.search(
        words,
        documents.defer("terms_a", "terms_b", "terms_c", "vector"),
        fields=_searched_fields(backend),
        operator="and",
        order_by_relevance=order == "relevance",
    ).annotate_score("score")
    page = list(results[offset : offset + limit])
    # Counted even when the page shows it all, so that the number of queries is the same whatever `limit`.
    count = results.count() if page or offset else 0
    rows = [
        (document.page_id, document.page_type, _relevance(backend, document.score), *_texts(document))
        for document in page
    ]
    return Matches(rows=rows, count=count, results=results)


def _texts(document):
    return document.summary, document.body, document.language


def _searched_fields(backend):
    """The per-language fields on Elasticsearch/OpenSearch; the database backends' own title and body columns.

    On Elasticsearch each field is analysed with its language's rules, and a
    document fills only its own language's fields, so each document is
    matched with its own language's rules. The database backends index every
    field into one title and one body column with one configuration: they
    search those (they cannot search a field by name that is not a column).
    """
    return language_field_names() if isinstance(backend, ElasticsearchBaseSearchBackend) else None


def language_field_names() -> list[str]:
    """`title_fr`, `summary_fr`, `text_fr`, `title_en`, …: every SearchField but the plain `title`."""
    return [field.field_name for field in SearchDocument.get_searchable_search_fields() if field.field_name != "title"]


def _relevance(backend, score) -> float:
    """The backend's score, higher is better."""
    if score is None:  # Elasticsearch computes no score when sorting by date
        return 0.0
    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if isinstance(backend, SQLiteSearchBackend):
            return -float(score)  # SQLite FTS5's bm25() is negative, lower is better
    return float(score)


# --- Elasticsearch/OpenSearch facets -----------------------------------------------------------


def facet_aggregations() -> dict:
    """The aggregations that count the facets over the whole match set, in one request.

    modelsearch's own `facet()` sends one request per field and keeps
    Elasticsearch's default 10 buckets, fewer than the topics and years wanted.
    Years are cut in the site's time zone, as the database's `ExtractYear` does.
    """
    return {
        "types": {"terms": {"field": _column("page_type"), "size": 10}},
        "topics": {
            "terms": {
                "field": _column("topic_keys"),
                "size": facets.MAX_TOPIC_FACETS,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }
        },
        "years": {
            "date_histogram": {
                "field": _column("date"),
                "calendar_interval": "year",
                "time_zone": settings.TIME_ZONE,
                "format": "yyyy",
                "min_doc_count": 1,
            }
        },
    }


def _column(field_name: str) -> str:
    from modelsearch.backends.elasticsearchbase import ElasticsearchBaseMapping

    field = next(f for f in SearchDocument.get_filterable_search_fields() if f.field_name == field_name)
    return ElasticsearchBaseMapping(SearchDocument).get_field_column_name(field)


def _aggregate_facets(results) -> facets.FacetCounts:
    body = {"query": results.query_compiler.get_query(), "aggregations": facet_aggregations()}
    index = results.backend.get_index_for_model(SearchDocument).name
    response = results._backend_do_search(body, index=index, size=0)
    return facets_from_aggregations(response["aggregations"])


def facets_from_aggregations(aggregations: dict) -> facets.FacetCounts:
    return facets.FacetCounts(
        types={bucket["key"]: bucket["doc_count"] for bucket in aggregations["types"]["buckets"]},
        years={int(bucket["key_as_string"]): bucket["doc_count"] for bucket in aggregations["years"]["buckets"]},
        topics=[(bucket["key"], bucket["doc_count"]) for bucket in aggregations["topics"]["buckets"]],
    )
