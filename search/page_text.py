"""What a page says, by weight, as the search index reads it.

`Parts` holds a page's words: A its title; B what sums it up (standfirst or
summary, linked topics and people, the event); C its text (body blocks,
questions and answers, shots, transcript); D the fine print (captions,
place, dateline, credits). `Related` loads everything a batch of pages links
to in one query per kind, so indexing costs a fixed number of queries.
"""

import io
import logging
from collections import defaultdict
from collections.abc import Iterable

import webvtt
from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing

from interviews.models import InterviewPage
from news.models import NewsArticlePage
from taxonomy.models import PagePerson, PageTopic, Person, Topic
from videos.models import VideoCaptionTrack, VideoPage, VideoShot

logger = logging.getLogger(__name__)

# Keys of stored block values that hold references or settings, not words.
_NOT_TEXT = {"image", "page", "video", "speaker", "url", "level", "document", "id", "type"}


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


class Related:
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
            .order_by("sort_order", "pk")
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


def page_parts(page, related: Related, languages: dict[int, str]) -> Parts:
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
