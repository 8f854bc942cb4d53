"""Large synthetic bilingual page trees for benchmarks.

wagtail-localize is not involved: extracting and storing segments for
thousands of pages would cost more than the pages themselves, and benchmarks
read pages, not translation memories.

Wagtail's page API is not called per page either. `add_child`,
`copy_for_translation`, `save_revision` and `publish` cost over 200 queries
per English/French pair (locking the parent, validating, copying, logging,
signalling, queueing index updates): about 20 pages a second on SQLite.
Instead each page is written once, already live, with one revision that is
both its latest and its live revision, at the tree position treebeard would
give it, sharing its translation key with its English source. That is the
state `publish()` leaves, minus its `page_published` signal (thousands of
webhooks and cache purges would be noise) and its "published" log entry; about 65
queries a pair, two to three times faster. Search and reference indexes are
updated in bulk, once per batch.
"""

import contextlib
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.text import slugify
from modelsearch import signal_handlers as search_signal_handlers
from modelsearch.backends import get_search_backends
from modelsearch.index import get_indexed_models
from wagtail.images import get_image_model
from wagtail.models import Page, ReferenceIndex, Revision
from wagtail.signal_handlers import disable_reference_index_auto_update

from interviews.models import InterviewPage
from news.models import NewsArticlePage
from taxonomy.models import PagePerson, PageTopic, Person, Topic
from videos import media
from videos.models import Video, VideoPage, VideoShot

from . import synthetic, vocabulary
from .builder import DemoBuilder
from .images import create_title_card_image
from .loading import StoredFiles, block, demo_locales, paragraph_html, store_video

# Short masters that every synthetic video page shares: generated once, reused on later runs.
VIDEO_POOL = (
    (
        "Synthetic footage A (H.264, 25 fps)",
        "synthetic-a.mp4",
        {"duration": 24, "width": 640, "height": 360, "fps": 25, "codec": "h264", "loop_segment": 4},
    ),
    (
        "Synthetic footage B (ProRes, 25 fps)",
        "synthetic-b.mov",
        {
            "duration": 12,
            "width": 640,
            "height": 360,
            "fps": 25,
            "codec": "prores",
            "pattern": "smptebars",
            "loop_segment": 2,
        },
    ),
)

# Lead pictures every synthetic article draws from (a few dozen, as a newsroom
# reuses its photos): generated once, reused on later runs. One per article
# would cost a second per 25 articles and gigabytes of renditions.
IMAGE_POOL_SIZE = 24
IMAGE_POOL_COLOURS = (
    ("#0b1f3a", "#1f6fb2"),
    ("#3a0b12", "#b2401f"),
    ("#0b3a24", "#3fa36b"),
    ("#24113a", "#7a4fc2"),
    ("#3a2f0b", "#c29a1f"),
    ("#0b333a", "#1fa3b2"),
)

# Pages per transaction: large enough to amortise commits, small enough not
# to hold SQLite's write lock (and the task worker) for long.
BATCH_SIZE = 100


@contextlib.contextmanager
def deferred_indexing():
    """Skip the search and reference index updates each save queues (several per page); index_pages() does them."""
    models = [model for model in get_indexed_models() if getattr(model, "search_auto_update", True)]
    for model in models:
        post_save.disconnect(search_signal_handlers.post_save_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.connect(search_signal_handlers.post_save_signal_handler, sender=model)


def index_pages(pages: list[Page]) -> None:
    """Add pages to the search index in bulk and record their references (images, snippets, pages)."""
    by_model = defaultdict(list)
    for page in pages:
        by_model[type(page)].append(page)
    for backend in get_search_backends(with_auto_update=True):
        for model, objects in by_model.items():
            backend.add_bulk(model, objects)
    for page in pages:
        ReferenceIndex.create_or_update_for_object(page)


class ChildSlots:
    """Tree positions for new children of one parent, handed out in order without locking the parent per page."""

    def __init__(self, parent: Page):
        self.parent = parent
        last = parent.get_last_child()
        self.next_step = last._get_lastpos_in_path() + 1 if last else 1
        self.added = 0

    def place(self, page: Page) -> None:
        page.depth = self.parent.depth + 1
        page.path = Page._get_path(self.parent.path, page.depth, self.next_step)
        page.numchild = 0
        # Page.save() derives url_path from the parent: spare it the query.
        page._cached_parent_obj = self.parent
        self.next_step += 1
        self.added += 1

    def commit(self) -> None:
        Page.objects.filter(pk=self.parent.pk).update(numchild=F("numchild") + self.added)
        self.parent.numchild += self.added
        self.added = 0


def save_live(page: Page, slots: ChildSlots) -> Page:
    """Write a new page already published, with one revision, as add_child + save_revision + publish would."""
    now = timezone.now()
    slots.place(page)
    page.live, page.has_unpublished_changes = True, False
    page.first_published_at = page.last_published_at = page.latest_revision_created_at = now
    page.draft_title = page.title
    page.save(clean=False)
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page),
    )
    page.latest_revision = page.live_revision = revision
    Page.objects.filter(pk=page.pk).update(latest_revision=revision, live_revision=revision)
    return page


class ContentGenerator:
    def __init__(self, *, seed: int = 0, log: Callable[[str], None] | None = None, files: StoredFiles | None = None):
        self.writer = synthetic.SyntheticWriter(seed)
        self.log = log or (lambda message: None)
        self.files = files if files is not None else StoredFiles()
        self.en, self.fr = demo_locales()

    # --- what every page links to -------------------------------------------------

    def prepare(self, *, videos: bool, images: bool = False) -> None:
        with transaction.atomic():
            builder = DemoBuilder(files=self.files)
            self.tree = builder.site_tree()
            if builder.created:
                self.log(f"  built the bilingual site tree ({builder.created} pages and translations)")
            self.people = {spec.name: self._person(spec) for spec in vocabulary.PEOPLE}
            self.topics = {theme.topic: self._topic(*theme.topic) for theme in vocabulary.THEMES}
            self.videos = self._video_pool() if videos else []
            self.images = self._image_pool() if images else []

    def _person(self, spec: vocabulary.PersonSpec) -> Person:
        person = Person.objects.filter(locale=self.en, name=spec.name).first()
        if person is None:
            person = Person.objects.create(locale=self.en, name=spec.name, role=spec.role[0])
        if not person.has_translation(self.fr):
            french = person.copy_for_translation(self.fr)
            french.role = spec.role[1]
            french.save()
        return person

    def _topic(self, english_name: str, french_name: str) -> Topic:
        slug = slugify(english_name)
        # The demo's topics (French source) are reused when they match.
        topic = Topic.objects.filter(locale=self.en, slug=slug).first()
        if topic is None:
            topic = Topic.objects.create(locale=self.en, name=english_name, slug=slug)
        if not topic.has_translation(self.fr):
            french = topic.copy_for_translation(self.fr)
            french.name, french.slug = french_name, slugify(french_name)
            french.save()
        return topic

    def _video_pool(self) -> list[Video]:
        pool = []
        with tempfile.TemporaryDirectory(prefix="synthetic-videos-") as folder:
            for title, filename, options in VIDEO_POOL:
                video = Video.objects.filter(title=title).first()
                if video is None:
                    path = media.generate_test_video(Path(folder) / filename, **options)
                    video = store_video(title, path, self.files)
                    self.log(f"  created video {title!r}")
                pool.append(video)
        return pool

    def _image_pool(self) -> list:
        Image = get_image_model()
        existing = {image.title: image for image in Image.objects.filter(title__startswith="Synthetic picture ")}
        pool, created = [], 0
        for number in range(1, IMAGE_POOL_SIZE + 1):
            title = f"Synthetic picture {number}"
            image = existing.get(title)
            if image is None:
                created += 1
                image = create_title_card_image(
                    title=title,
                    subtitle="Benchmark content",
                    description=f"Illustration: a gradient with the words “{title}”.",
                    colours=IMAGE_POOL_COLOURS[number % len(IMAGE_POOL_COLOURS)],
                    filename=f"synthetic-picture-{number}.jpg",
                )
                self.files.add(image.file)
            pool.append(image)
        if created:
            self.log(f"  created {created} lead pictures")
        return pool

    # --- pages ------------------------------------------------------------------------

    def generate(self, kind: str, count: int, on_page: Callable[[], None] = lambda: None) -> list[Page]:
        """Create `count` English pages of `kind` ("news", "interviews", "videos"), each with its French translation."""
        make = {"news": self._news, "interviews": self._interview, "videos": self._video}[kind]
        parents = (getattr(self.tree.en, kind), getattr(self.tree.fr, kind))
        # Slugs must be unique under each parent; checking a set beats a query per page.
        taken = tuple(set(parent.get_children().values_list("slug", flat=True)) for parent in parents)
        serial = len(taken[0])
        created = []
        for batch_start in range(0, count, BATCH_SIZE):
            batch = []
            with transaction.atomic(), deferred_indexing():
                slots = tuple(ChildSlots(parent) for parent in parents)
                for _ in range(min(BATCH_SIZE, count - batch_start)):
                    serial += 1
                    english, french = make(serial, taken)
                    save_live(english, slots[0])
                    french.translation_key = english.translation_key
                    save_live(french, slots[1])
                    batch += [english, french]
                    on_page()
                for slot in slots:
                    slot.commit()
                index_pages(batch)
            created.extend(batch[::2])
        return created

    def _unique(self, slug: str, taken: set[str]) -> str:
        candidate, suffix = slug, 1
        while candidate in taken:
            suffix += 1
            candidate = f"{slug}-{suffix}"
        taken.add(candidate)
        return candidate

    def _links(self, page: Page, themes, people, role: str) -> None:
        page.topic_links = [PageTopic(topic=self.topics[theme.topic]) for theme in themes]
        page.person_links = [PagePerson(person=self.people[person.name], role=role) for person in people]

    def _news(self, serial: int, taken) -> tuple[NewsArticlePage, NewsArticlePage]:
        story = self.writer.article(serial)
        lead_image = self.images[serial % len(self.images)] if self.images else None

        def page(language: str, locale, slug: str) -> NewsArticlePage:
            ids = iter(story.block_ids)
            body = [block("paragraph", paragraph_html(getattr(p, language)), next(ids)) for p in story.paragraphs]
            if story.quote is not None:
                body.insert(1, block("quote", {"quote": getattr(story.quote, language), "attribution": ""}, next(ids)))
            article = NewsArticlePage(
                locale=locale,
                title=getattr(story.title, language),
                slug=slug,
                published_at=story.published_at,
                dateline=getattr(story.dateline, language),
                standfirst=getattr(story.standfirst, language),
                # The translation shows the same picture, as copy_for_translation leaves it.
                lead_image=lead_image,
                body=body,
            )
            self._links(article, story.themes, story.people, PagePerson.Role.MENTIONED)
            return article

        return (
            page("en", self.en, self._unique(story.slug.en, taken[0])),
            page("fr", self.fr, self._unique(story.slug.fr, taken[1])),
        )

    def _interview(self, serial: int, taken) -> tuple[InterviewPage, InterviewPage]:
        story = self.writer.interview(serial)
        speaker = self.people[story.interviewee.name]

        def page(language: str, locale, slug: str) -> InterviewPage:
            body = []
            for (kind, text), block_id in zip(story.turns, story.block_ids, strict=True):
                html = paragraph_html(getattr(text, language))
                if kind == "question":
                    body.append(block("question", {"text": html, "asker": "", "outlet": ""}, block_id))
                else:
                    body.append(block("answer", {"speaker": speaker.pk, "text": html}, block_id))
            interview = InterviewPage(
                locale=locale,
                title=getattr(story.title, language),
                slug=slug,
                date=story.date,
                place=getattr(story.place, language),
                event=getattr(story.event, language),
                standfirst=getattr(story.standfirst, language),
                body=body,
            )
            self._links(interview, story.themes, [story.interviewee], PagePerson.Role.INTERVIEWEE)
            return interview

        return (
            page("en", self.en, self._unique(story.slug.en, taken[0])),
            page("fr", self.fr, self._unique(story.slug.fr, taken[1])),
        )

    def _video(self, serial: int, taken) -> tuple[VideoPage, VideoPage]:
        video = self.videos[self.writer.rng.randrange(len(self.videos))]
        story = self.writer.video(serial, video.duration_ms)
        # A shot and its translation share a key, as copy_for_translation would leave them.
        shot_keys = [uuid.uuid4() for _ in story.shots]

        def page(language: str, locale, slug: str) -> VideoPage:
            video_page = VideoPage(
                locale=locale,
                title=getattr(story.title, language),
                slug=slug,
                video=video,
                recorded_on=story.recorded_on,
                place=getattr(story.place, language),
                summary=getattr(story.summary, language),
                transcript=getattr(story.transcript, language),
                credits=getattr(story.credits, language),
                copyright="© Synthetic benchmark content",
                usage_restrictions=getattr(story.usage_restrictions, language),
            )
            video_page.shots = [
                VideoShot(
                    locale=locale,
                    translation_key=key,
                    in_point=shot.in_ms,
                    out_point=shot.out_ms,
                    description=getattr(shot.description, language),
                    speaker=self.people[shot.speaker.name] if shot.speaker else None,
                )
                for shot, key in zip(story.shots, shot_keys, strict=True)
            ]
            self._links(video_page, story.themes, story.people, PagePerson.Role.FEATURED)
            return video_page

        return (
            page("en", self.en, self._unique(story.slug.en, taken[0])),
            page("fr", self.fr, self._unique(story.slug.fr, taken[1])),
        )
