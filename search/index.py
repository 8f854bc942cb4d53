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

import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time

import webvtt
from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.models import Locale, Page
from wagtail.rich_text import get_text_for_indexing

from cms.caching import bump
from cms.content_events import ContentChange
from interviews.models import InterviewPage
from news.models import NewsArticlePage
from taxonomy.models import PagePerson, PageTopic, Person, Topic
from videos.models import VideoCaptionTrack, VideoPage, VideoShot

from . import engines, text
from .models import SearchDocument

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

# Keys of stored block values that hold references or settings, not words.
_NOT_TEXT = {"image", "page", "video", "speaker", "url", "level", "document", "id", "type"}


def searched_model(model) -> bool:
    return model in SEARCHED_TYPES


# --- what a page says ------------------------------------------------------------------------


class Parts:
    """A page's words by weight: A the title; B what sums it up; C the text; D the fine print."""

    def __init__(self, title: str):
        self.a, self.b, self.c, self.d = [title], [], [], []
        self.summary: list[str] = []
        self.body: list[str] = []
        # Words indexed but not shown (names, places, credits): Wagtail's backends need them from the document.
        self.metadata_b: list[str] = []
        self.metadata_c: list[str] = []

    def add(self, weight: str, *values: str, readable: bool = True) -> None:
        values = [value.strip() for value in values if value and value.strip()]
        getattr(self, weight).extend(values)
        if readable:
            (self.summary if weight == "b" else self.body if weight in "cd" else []).extend(values)
        else:
            (self.metadata_b if weight == "b" else self.metadata_c if weight in "cd" else []).extend(values)


def _block_texts(raw: Iterable, speakers: list[int]) -> list[str]:
    """The words of a StreamField's stored blocks (rich text unwrapped); answer speakers noted for bulk loading."""
    found = []

    def walk(value, key=None):
        if isinstance(value, dict):
            for name, item in value.items():
                if name == "speaker" and isinstance(item, int):
                    speakers.append(item)
                elif name not in _NOT_TEXT:
                    walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)
        elif isinstance(value, str) and value.strip():
            found.append(get_text_for_indexing(value) if "<" in value else value)

    for block in raw:
        walk(block.get("value") if isinstance(block, dict) else block)
    return found


def _caption_text(document) -> str:
    try:
        with document.file.open("rb") as handle:
            raw = handle.read().decode("utf-8", errors="replace")
        return " ".join(strip_tags(caption.text) for caption in webvtt.from_buffer(io.StringIO(raw)).captions)
    except Exception:  # a missing or unreadable file must not stop indexing the rest of the page
        logger.warning("Could not read caption file %s for search", document.file.name, exc_info=True)
        return ""


class _Related:
    """Everything the pages of one batch link to, loaded with one query per kind."""

    def __init__(self, pages: list[Page]):
        ids = [page.pk for page in pages]
        video_ids = [page.pk for page in pages if isinstance(page, VideoPage)]
        self.people = defaultdict(list)
        for link in PagePerson.objects.filter(page_id__in=ids).values("page_id", "person__translation_key"):
            self.people[link["page_id"]].append(link["person__translation_key"])
        self.topics = defaultdict(list)
        for link in PageTopic.objects.filter(page_id__in=ids).values("page_id", "topic__translation_key"):
            self.topics[link["page_id"]].append(link["topic__translation_key"])
        self.shots = defaultdict(list)
        for shot in (
            VideoShot.objects.filter(page_id__in=video_ids)
            .order_by("sort_order")
            .values("page_id", "description", "speaker__translation_key")
        ):
            self.shots[shot["page_id"]].append(shot)
        self.captions = defaultdict(list)
        for track in VideoCaptionTrack.objects.filter(page_id__in=video_ids).select_related("document"):
            self.captions[track.page_id].append(track)

        self.speakers: dict[int, list[int]] = {}
        self.bodies: dict[int, list[str]] = {}
        speaker_ids = []
        for page in pages:
            if isinstance(page, NewsArticlePage | InterviewPage):
                found: list[int] = []
                self.bodies[page.pk] = _block_texts(page.body.raw_data, found)
                self.speakers[page.pk] = found
                speaker_ids.extend(found)
        person_keys = {key for keys in self.people.values() for key in keys}
        person_keys |= {shot["speaker__translation_key"] for shots in self.shots.values() for shot in shots}
        people = Person.objects.filter(translation_key__in=person_keys - {None}) | Person.objects.filter(
            pk__in=speaker_ids
        )
        self.person_names, self.person_roles, self.speaker_keys = {}, {}, {}
        for pk, key, locale_id, name, role in people.values_list("pk", "translation_key", "locale_id", "name", "role"):
            self.person_names[key] = name
            self.person_roles[(key, locale_id)] = role
            self.speaker_keys[pk] = key
        self.topic_names = {}
        topic_keys = {key for keys in self.topics.values() for key in keys}
        for key, locale_id, name in Topic.objects.filter(translation_key__in=topic_keys).values_list(
            "translation_key", "locale_id", "name"
        ):
            self.topic_names[(key, locale_id)] = name

    def topic_names_for(self, page) -> list[str]:
        names = []
        for key in self.topics.get(page.pk, ()):
            # The topic in the page's language; any language version if it has not been translated.
            name = self.topic_names.get((key, page.locale_id))
            names.append(name or next((n for (k, _l), n in self.topic_names.items() if k == key), ""))
        return names

    def people_for(self, page) -> list[str]:
        return [
            " ".join(filter(None, (self.person_names.get(key, ""), self.person_roles.get((key, page.locale_id), ""))))
            for key in self.people.get(page.pk, ())
        ]


def _parts(page, related: _Related, languages: dict[int, str]) -> Parts:
    parts = Parts(page.title)
    parts.add("b", *related.topic_names_for(page), readable=False)
    parts.add("b", *related.people_for(page), readable=False)
    if isinstance(page, NewsArticlePage):
        parts.add("b", page.standfirst)
        parts.add("c", *related.bodies.get(page.pk, ()))
        parts.add("d", page.dateline, readable=False)
    elif isinstance(page, InterviewPage):
        parts.add("b", page.standfirst)
        parts.add("b", page.event, readable=False)
        speakers = {related.person_names.get(related.speaker_keys.get(pk)) for pk in related.speakers.get(page.pk, ())}
        parts.add("c", *related.bodies.get(page.pk, ()))
        parts.add("c", *sorted(filter(None, speakers)), readable=False)
        parts.add("d", page.place, readable=False)
    elif isinstance(page, VideoPage):
        parts.add("b", page.summary)
        for shot in related.shots.get(page.pk, ()):
            parts.add("c", shot["description"])
            parts.add("c", related.person_names.get(shot["speaker__translation_key"], ""), readable=False)
        parts.add("c", page.transcript)
        language = languages.get(page.locale_id)
        for track in related.captions.get(page.pk, ()):
            if languages.get(track.locale_id) == language:
                parts.add("d", _caption_text(track.document))
        parts.add("d", page.place, page.credits, readable=False)
    return parts


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


def write_documents(pages: list[Page], forget: Iterable[int] = (), mirror: bool = True) -> int:
    """Write the documents of `pages` (live, specific, of searched types); remove those of `forget`.

    `mirror`: also in the Wagtail backend serving the API, if one does (`send_to_api_backend`).
    """
    languages = _languages()
    related = _Related(pages) if pages else None
    now = timezone.now()
    postgres = connection.vendor == "postgresql"

    def terms(values: list[str], language: str) -> str:
        # PostgreSQL folds and stems with its own configurations; elsewhere the index holds our stems.
        return " ".join(text.unelide(value, language) for value in values) if postgres else _terms(values, language)

    documents = []
    for page in pages:
        language = languages.get(page.locale_id, "")
        parts = _parts(page, related, languages)
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
    with transaction.atomic():
        SearchDocument.objects.filter(page_id__in={*forget, *(page.pk for page in pages)}).delete()
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


def send_to_api_backend(documents: list[SearchDocument], removed: Iterable[int] = ()) -> None:
    """Index `documents` and delete the documents of pages `removed` in the Wagtail backend serving the API.

    Nothing when the portal's own index serves it. An external service that
    fails (Elasticsearch down) is logged, as Wagtail does for its own
    indexing, so that editors can still publish; `update_index` catches up.
    """
    backend = engines.api_backend()
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
        logger.exception("Could not update the search backend %r", engines.api_backend_name())


def forget_pages(ids: Iterable[int]) -> None:
    ids = list(ids)
    SearchDocument.objects.filter(page_id__in=ids).delete()
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
            total += write_documents(_live_pages(batch), mirror=mirror)
    stale = SearchDocument.objects.filter(indexed_at__lt=started)
    gone = list(stale.values_list("page_id", flat=True)) if mirror else []
    stale.delete()
    if mirror:
        send_to_api_backend([], removed=gone)
    bump(SEARCH_TAG)
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
    bump(SEARCH_TAG)
