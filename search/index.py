"""Keeping `SearchDocument` in step with published content.

`index_pages(ids)` (re)builds the documents of some pages in a fixed number of
queries, whatever their count: it loads the live version of each page of a
searchable type with everything it links to (people, topics, shots, caption
files) in bulk, writes their text by weight, and on PostgreSQL computes each
`tsvector` with the page language's configuration (which folds accents with
`unaccent`) in one UPDATE per language.
Pages that are no longer live (or never were) lose their document.

It runs after every editorial action (`follow_content_change`, a listener on
`cms.content_events`: publish, unpublish, delete, move, translation publish,
and a change of a linked person or topic), from Wagtail's search signals and
bulk indexing (`backend.PortalSearchBackend`), and from `update_index`.

When one of Wagtail's backends serves `/api/v1/search/` (`SEARCH_API_BACKEND`,
see `search.engines`), the same documents are sent to it at the same moment,
in bulk, and those forgotten are deleted from it.
"""

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, time

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value
from django.db.models.expressions import RawSQL
from django.utils import timezone
from wagtail.models import Locale, Page

from cms.caching import ANY_CHANGE, bump
from cms.content_events import ContentChange
from interviews.models import InterviewPage
from news.models import NewsArticlePage
from taxonomy.models import PagePerson, PageTopic
from videos.models import VideoPage

from . import text, vocabulary
from .api_backend import api_backend, api_backend_name
from .models import SearchDocument
from .page_text import Related, page_parts

logger = logging.getLogger(__name__)

# The page types search covers, with the field that dates each of them.
SEARCHED_TYPES = {
    NewsArticlePage: "published_at",
    InterviewPage: "date",
    VideoPage: "recorded_on",
}
SEARCHED_LABELS = {model._meta.label for model in SEARCHED_TYPES}
# Cache tag of every search response: bumped once the index has caught up with a change.
SEARCH_TAG = "search"
BATCH_SIZE = 200


def searched_model(model) -> bool:
    return model in SEARCHED_TYPES


def _as_datetime(value, fallback):
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=timezone.get_current_timezone())
    return fallback or timezone.now()


def _terms(values: list[str], language: str) -> str:
    return " " + " ".join(text.stems(" ".join(values), language)) + " " if values else ""


# --- writing the index ---------------------------------------------------------------------


def _languages() -> dict[int, str]:
    return dict(Locale.objects.values_list("pk", "language_code"))


def _live_pages(ids: Iterable[int]) -> list[Page]:
    ids = list(ids)
    pages = []
    for model in SEARCHED_TYPES:
        # Aliases repeat another page's words in the wrong language: only real pages are searched.
        pages += model.objects.filter(pk__in=ids, live=True, alias_of__isnull=True)
    return pages


def index_pages(ids: Iterable[int]) -> int:
    """(Re)index the pages `ids` as they are now live; forget those that are not. Returns how many are indexed."""
    ids = list(dict.fromkeys(ids))
    indexed = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        indexed += write_documents(_live_pages(batch), forget=batch)
    return indexed


def write_documents(pages: list[Page], forget: Iterable[int] = (), mirror: bool = True, count: bool = True) -> int:
    """Write the documents of `pages` (live, specific, of searched types); remove those of `forget`.

    `mirror`: also in the Wagtail backend serving the API, if one does (`send_to_api_backend`).
    `count`: keep the vocabulary's counts in step (`rebuild` counts it whole at the end instead).
    """
    languages = _languages()
    related = Related(pages) if pages else None
    now = timezone.now()
    postgres = connection.vendor == "postgresql"

    def terms(values: list[str], language: str) -> str:
        # PostgreSQL folds and stems with its own configurations; elsewhere the index holds our stems. It gets
        # the words only, as queries send them: its parser would also index `sous-marins` whole before its
        # parts, one position more than the query "câbles sous-marins" (whose words are cut the same way) has.
        if not postgres:
            return _terms(values, language)
        return " ".join(" ".join(text.raw_words(text.unelide(value, language))) for value in values)

    documents = []
    for page in pages:
        language = languages.get(page.locale_id, "")
        parts = page_parts(page, related, languages)
        documents.append(
            SearchDocument(
                page_id=page.pk,
                locale_id=page.locale_id,
                language=language,
                page_type=type(page)._meta.label,
                date=_as_datetime(getattr(page, SEARCHED_TYPES[type(page)]), page.first_published_at),
                title=page.title,
                summary="\n".join(parts.summary),
                body="\n".join(parts.body),
                metadata_b="\n".join(parts.metadata_b),
                metadata_c="\n".join(parts.metadata_c),
                topic_keys=[str(key) for key in related.topics.get(page.pk, ())],
                terms_a=terms(parts.a, language),
                terms_b=terms(parts.b, language),
                terms_c=terms(parts.c + parts.d, language),
                indexed_at=now,
            )
        )
        if not postgres:  # PostgreSQL counts the positions of the vector it builds (_build_vectors)
            documents[-1].length = sum(len(value.split()) for value in (documents[-1].terms_a, documents[-1].terms_b))
            documents[-1].length += len(documents[-1].terms_c.split())
    with transaction.atomic():
        replaced = SearchDocument.objects.filter(page_id__in={*forget, *(page.pk for page in pages)})
        if count:
            vocabulary.count_changes(removed=list(replaced.only(*vocabulary.TEXT_FIELDS)), added=documents)
        replaced.delete()
        SearchDocument.objects.bulk_create(documents)
        if postgres and documents:
            _build_vectors([document.page_id for document in documents], {document.language for document in documents})
        if mirror:
            written = {document.page_id for document in documents}
            send_to_api_backend(documents, removed=[page_id for page_id in forget if page_id not in written])
    return len(documents)


def _build_vectors(ids: list[int], languages: set[str]) -> None:
    """PostgreSQL: turn the page's words into a weighted tsvector with each language's configuration."""
    for language in languages:
        config = text.search_config(language)
        vector = (
            SearchVector("terms_a", weight="A", config=config)
            + SearchVector("terms_b", weight="B", config=config)
            + SearchVector("terms_c", weight="C", config=config)
        )
        # The words are only needed to build the vector: they are not kept twice.
        SearchDocument.objects.filter(page_id__in=ids, language=language).update(
            vector=vector, terms_a=Value(""), terms_b=Value(""), terms_c=Value("")
        )
    # The number of words (positions) the ranking normalises for, once the vectors exist.
    positions = "SELECT coalesce(sum(array_length(positions, 1)), 0) FROM unnest(vector)"
    SearchDocument.objects.filter(page_id__in=ids).update(length=RawSQL(positions, []))  # noqa: S611 (no input)


def send_to_api_backend(documents: list[SearchDocument], removed: Iterable[int] = ()) -> None:
    """Index `documents` and delete the documents of pages `removed` in the Wagtail backend serving the API.

    Nothing when the portal's own index serves it. An external service that
    fails (Elasticsearch down) is logged, as Wagtail does for its own
    indexing, so that editors can still publish; `update_index` catches up.
    """
    backend = api_backend()
    if backend is None:
        return
    try:
        if documents:
            backend.add_bulk(SearchDocument, documents)
        for page_id in removed:
            # The row may be gone already (a deleted page cascades): the backend deletes by id.
            backend.delete(SearchDocument(page_id=page_id))
    except Exception:
        if not backend.catch_indexing_errors:
            raise
        logger.exception("Could not update the search backend %r", api_backend_name())


def forget_pages(ids: Iterable[int]) -> None:
    ids = list(ids)
    with transaction.atomic():
        gone = SearchDocument.objects.filter(page_id__in=ids)
        vocabulary.count_changes(removed=list(gone.only(*vocabulary.TEXT_FIELDS)), added=[])
        gone.delete()
    send_to_api_backend([], removed=ids)


def rebuild(progress: Callable[[Iterable, int, str], Iterable] | None = None, mirror: bool = True) -> int:
    """Index every live page of a searched type and drop documents of pages that are gone; no moment without them.

    `mirror=False` leaves the Wagtail backend serving the API alone (`update_index` rebuilds it next, whole).
    """
    started = timezone.now()
    total = 0
    for model in SEARCHED_TYPES:
        ids = list(model.objects.filter(live=True, alias_of__isnull=True).order_by("pk").values_list("pk", flat=True))
        batches = [ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE)]
        if progress is not None:
            batches = progress(batches, len(ids), model._meta.label)
        for batch in batches:
            total += write_documents(_live_pages(batch), mirror=mirror, count=False)
    stale = SearchDocument.objects.filter(indexed_at__lt=started)
    gone = list(stale.values_list("page_id", flat=True)) if mirror else []
    with transaction.atomic():
        stale.delete()
        vocabulary.recount()
    if mirror:
        send_to_api_backend([], removed=gone)
    bump(SEARCH_TAG, ANY_CHANGE)
    return total


# --- following editors' work -------------------------------------------------------------


def pages_affected(change: ContentChange) -> list[int]:
    if change.event.startswith("page."):
        if change.event in ("page.moved", "page.restriction_changed"):
            # Documents hold no path: where a page is and who may see it is checked when searching.
            return []
        return list(change.ids) if SEARCHED_LABELS.intersection(change.page_types) else []
    links = {"taxonomy.Person": PagePerson, "taxonomy.Topic": PageTopic}.get(change.model)
    if links is None or not change.translation_keys:
        return []
    field = "person" if links is PagePerson else "topic"
    return list(
        links.objects.filter(**{f"{field}__translation_key__in": change.translation_keys})
        .values_list("page_id", flat=True)
        .distinct()
    )


def follow_content_change(change: ContentChange) -> None:
    ids = pages_affected(change)
    if not ids:
        return
    if change.event == "page.deleted":
        forget_pages(ids)
    else:
        index_pages(ids)
    # The API cache dropped search responses when the change arrived, maybe before the
    # index caught up: drop them again now that it has.
    bump(SEARCH_TAG, ANY_CHANGE)
