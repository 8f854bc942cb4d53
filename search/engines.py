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
from django.db import connection
from django.db.models import Q
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend, ElasticsearchBaseSearchResults
from modelsearch.query import And, Fuzzy, Not, Or, Phrase, PlainText
from wagtail.models import Page

from cms.caching import depends_on
from cms.routing import HomeDirectory

from . import facets, text
from .models import SearchDocument

logger = logging.getLogger(__name__)


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


def search(backend, documents, searched, order: str, offset: int, limit: int) -> Matches | None:
    """Page `offset`..`offset + limit` of the `documents` matching the plan `searched`; None if it asks nothing.

    Three backend requests at most (the page, the total when the page is full,
    the facets), whatever `limit`: on the database backends that is three
    queries plus the facets' two.
    """
    words = backend_query(searched.backend, fuzzy=isinstance(backend, ElasticsearchBaseSearchBackend))
    if words is None:
        return None
    if order == "-date":
        documents = documents.order_by("-date", "-page_id")
    results = backend.search(
        words,
        documents.defer("terms_a", "terms_b", "terms_c", "vector"),
        fields=_searched_fields(backend),
        **({"operator": "and"} if isinstance(words, str) else {}),
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


# Words shorter than this are matched exactly: one letter off is another word (`otan`, `etna`).
MIN_FUZZY_LENGTH = 4


def backend_query(query, fuzzy: bool):
    """The query for one of Wagtail's backends: a string of words, or modelsearch's query objects.

    Plain words stay a string (every word, `operator="and"`), the query Wagtail's
    backends know best. Phrases, synonyms and exclusions become `Phrase`, `Or`
    and `Not`; on Elasticsearch/OpenSearch each word is `Fuzzy` (fuzziness
    `AUTO`: one or two letters off, by length), which stands for the portal's
    trigram corrections.
    """
    if not query:
        return None

    def one(words):
        string = " ".join(words)
        if len(words) > 1:
            return Phrase(string)
        if fuzzy and len(string) >= MIN_FUZZY_LENGTH and not string.isdigit():
            return Fuzzy(string, operator="and")
        return PlainText(string, operator="and")

    simple = all(len(clause.alternatives) == 1 and len(clause.alternatives[0]) == 1 for clause in query.clauses)
    if simple and not query.excluded and not fuzzy:
        return text.backend_query(" ".join(clause.alternatives[0][0] for clause in query.clauses))
    parts = []
    for clause in query.clauses:
        alternatives = [one(words) for words in clause.alternatives]
        parts.append(alternatives[0] if len(alternatives) == 1 else Or(alternatives))
    parts += [Not(one(words)) for words in query.excluded]
    return parts[0] if len(parts) == 1 else And(parts)


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
