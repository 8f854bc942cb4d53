"""Builds the bilingual demo site: the site tree, the seed pages and their translations.

Every step finds what an earlier run made by a stable key (page slugs under
their parent, people's names, topic slugs, image and video titles) and skips
it, so loading twice changes nothing. The caller runs `build()` inside one
transaction and deletes the files listed in `files` if it fails.
"""

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from home.models import HomePage, HomePageFeaturedItem
from interviews.models import InterviewIndexPage, InterviewPage
from news.models import NewsArticlePage, NewsIndexPage
from taxonomy.models import PagePerson, PageTopic, Person, Topic
from videos import media
from videos.models import Video, VideoIndexPage, VideoPage, VideoShot

from . import seeds, video_seeds
from .images import create_title_card_image
from .loading import StoredFiles, block, demo_locales, pairs_to_texts, paragraph_html, publish, store_video
from .localize import translate
from .portal import register_portal

# What Wagtail's first migration creates; removed only while nobody has touched it.
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"

SECTION_MODELS = {"news": NewsIndexPage, "interviews": InterviewIndexPage, "videos": VideoIndexPage}


@dataclass
class Sections:
    home: HomePage
    news: NewsIndexPage
    interviews: InterviewIndexPage
    videos: VideoIndexPage


@dataclass
class SiteTree:
    en: Sections
    fr: Sections


class DemoBuilder:
    def __init__(self, *, log: Callable[[str], None] | None = None, files: StoredFiles | None = None):
        self.log = log or (lambda message: None)
        self.files = files if files is not None else StoredFiles()
        self.en, self.fr = demo_locales()
        # kind -> [created, already present], for the summary
        self.tally: dict[str, list[int]] = {}
        self.remarks: list[str] = []

    @property
    def created(self) -> int:
        return sum(created for created, _present in self.tally.values())

    def note(self, kind: str, what: str, created: bool) -> None:
        self.tally.setdefault(kind, [0, 0])[0 if created else 1] += 1
        self.log(f"  {'created' if created else 'already present'}: {what}")

    def remark(self, message: str) -> None:
        self.remarks.append(message)
        self.log(f"  {message}")

    def summary(self) -> list[str]:
        lines = [f"  {message}" for message in self.remarks]
        for kind, (created, present) in self.tally.items():
            parts = [f"{created} created"] * bool(created) + [f"{present} already present"] * bool(present)
            lines.append(f"  {kind}: {', '.join(parts)}")
        return lines

    # --- the whole demo -----------------------------------------------------------

    def build(self) -> SiteTree:
        tree = self.site_tree()
        people = self.people()
        topics = self.topics()
        images = self.images()
        article = self.news_article(tree, people, topics, images)
        interview = self.interview(tree, people, topics)
        video_pages = self.video_pages(tree, people, topics, images, self.video_assets())
        featured = {"news": article, "interview": interview}
        self.featured(tree, [featured[kind] if key is None else video_pages[key] for kind, key in seeds.FEATURED])
        self.portal()
        return tree

    def portal(self) -> None:
        """The reference portal (frontend/): its origins, preview route, webhook receiver (`portal.py`)."""
        register_portal(self.note)

    # --- site tree ------------------------------------------------------------------

    def site_tree(self) -> SiteTree:
        home = self._english_home()
        created = home is None
        if created:
            home = Page.get_first_root_node().add_child(instance=self._new_page(HomePage, seeds.HOME, self.en))
            publish(home)
        self.note("site pages", f"English home page {home.url_path!r}", created)
        self._make_default_site(home)
        self._remove_welcome_page()

        english = {"home": home}
        for key, model in SECTION_MODELS.items():
            section = model.objects.child_of(home).filter(locale=self.en).first()
            created = section is None
            if created:
                section = publish(home.add_child(instance=self._new_page(model, seeds.SECTIONS[key], self.en)))
            self.note("site pages", f"English {model._meta.verbose_name} {section.url_path!r}", created)
            english[key] = section

        french = {"home": self._translated(home, self.fr, self._texts(seeds.HOME))}
        for key in SECTION_MODELS:
            french[key] = self._translated(english[key], self.fr, self._texts(seeds.SECTIONS[key]))
        return SiteTree(en=Sections(**english), fr=Sections(**french))

    def _english_home(self) -> HomePage | None:
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is not None:
            root = site.root_page.specific
            if isinstance(root, HomePage) and root.locale_id == self.en.pk:
                return root
        return HomePage.objects.filter(locale=self.en, depth=2, slug=seeds.HOME["slug"][0]).first()

    def _make_default_site(self, home: HomePage) -> None:
        site = Site.objects.filter(is_default_site=True).first()
        if site is not None and site.root_page_id == home.pk:
            return
        if site is None:
            site = Site(is_default_site=True)
        site.hostname, site.port, site.site_name = seeds.SITE_HOSTNAME, seeds.SITE_PORT, seeds.SITE_NAME
        site.root_page = home
        site.save()
        self.remark(f"default site: http://{site.hostname}:{site.port}/ -> {home.title!r}")

    def _remove_welcome_page(self) -> None:
        welcome = Page.objects.filter(
            depth=2,
            slug="home",
            title=WAGTAIL_WELCOME_TITLE,
            content_type=ContentType.objects.get_for_model(Page),
            numchild=0,
            latest_revision__isnull=True,
            sites_rooted_here__isnull=True,
        ).first()
        if welcome is not None:
            welcome.delete()
            self.remark("removed Wagtail's default welcome page")

    def _new_page(self, model, fields: dict, locale: Locale):
        """A page from seed fields given as (English, French) pairs, in English."""
        return model(**{name: english for name, (english, _french) in fields.items()}, locale=locale)

    @staticmethod
    def _texts(fields: dict, names=None) -> dict[str, str]:
        """{source: translation} for the (source, translation) pairs of `fields` (those in `names` if given)."""
        return dict(fields[name] for name in (names or fields))

    def _translated(self, instance, locale: Locale, texts: dict[str, str]):
        """The translation of `instance` into `locale`, made through wagtail-localize if it does not exist yet."""
        existing = instance.get_translation_or_none(locale)
        # A page Wagtail copied as an alias (to hold a translated child) is not a translation yet.
        if existing is not None and not getattr(existing, "alias_of_id", None):
            self.note("translations", f"{locale.language_code} translation of {instance}", False)
            return existing.specific if isinstance(existing, Page) else existing
        translated = translate(instance, locale, texts)
        self.note("translations", f"{locale.language_code} translation of {instance}", True)
        return translated

    # --- people, topics, images -------------------------------------------------------

    def people(self) -> dict[str, Person]:
        """French people (the seeds are French) with their English translations, by seed key."""
        people = {}
        for seed in seeds.PEOPLE:
            person = Person.objects.filter(locale=self.fr, name=seed.name).first()
            created = person is None
            if created:
                person = Person.objects.create(locale=self.fr, name=seed.name, role=seed.role[0])
            self.note("people", f"person {seed.name}", created)
            self._translated(person, self.en, pairs_to_texts(seed.role))
            people[seed.key] = person
        return people

    def topics(self) -> dict[str, Topic]:
        topics = {}
        for seed in seeds.TOPICS:
            topic = Topic.objects.filter(locale=self.fr, slug=seed.slug[0]).first()
            created = topic is None
            if created:
                topic = Topic.objects.create(locale=self.fr, name=seed.name[0], slug=seed.slug[0])
            self.note("topics", f"topic {seed.name[0]}", created)
            self._translated(topic, self.en, pairs_to_texts(seed.name, seed.slug))
            topics[seed.key] = topic
        return topics

    def images(self):
        Image = get_image_model()
        images = {}
        for seed in seeds.IMAGES:
            image = Image.objects.filter(title=seed.title).first()
            created = image is None
            if created:
                image = create_title_card_image(
                    title=seed.title,
                    subtitle=seed.subtitle,
                    description=seed.description,
                    colours=seed.colours,
                    filename=f"demo-{seed.key}.jpg",
                )
                self.files.add(image.file)
            self.note("images", f"image {seed.title!r}", created)
            images[seed.key] = image
        return images

    # --- the French news article and interview ----------------------------------------

    def news_article(self, tree: SiteTree, people, topics, images) -> NewsArticlePage:
        spec = seeds.NEWS_ARTICLE
        french_paragraphs, english_paragraphs = seeds.news_paragraphs()
        page = NewsArticlePage.objects.child_of(tree.fr.news).filter(slug=spec["slug"][0]).first()
        created = page is None
        if created:
            body = [block("paragraph", paragraph_html(paragraph)) for paragraph in french_paragraphs]
            quote = {"quote": spec["quote"][0], "attribution": spec["quote_attribution"][0]}
            body.insert(spec["quote_after_paragraph"], block("quote", quote))
            page = NewsArticlePage(
                locale=self.fr,
                title=spec["title"][0],
                slug=spec["slug"][0],
                published_at=spec["published_at"],
                dateline=spec["dateline"][0],
                standfirst=spec["standfirst"][0],
                lead_image=images[spec["lead_image"]],
                body=body,
            )
            page.topic_links = [PageTopic(topic=topics[key]) for key in spec["topics"]]
            page.person_links = [PagePerson(person=people[key], role=role) for key, role in spec["people"]]
            publish(tree.fr.news.add_child(instance=page))
        self.note("seed pages", f"French news article {page.title!r}", created)
        texts = self._texts(spec, ("title", "slug", "standfirst", "dateline", "quote", "quote_attribution"))
        texts.update(zip(french_paragraphs, english_paragraphs, strict=True))
        return self._translated(page, self.en, texts)

    def interview(self, tree: SiteTree, people, topics) -> InterviewPage:
        spec = seeds.INTERVIEW
        french_turns, english_turns = seeds.interview_turns()
        speakers = {seed.name: people[seed.key] for seed in seeds.PEOPLE}
        page = InterviewPage.objects.child_of(tree.fr.interviews).filter(slug=spec["slug"][0]).first()
        created = page is None
        if created:
            page = InterviewPage(
                locale=self.fr,
                title=spec["title"][0],
                slug=spec["slug"][0],
                date=spec["date"],
                place=spec["place"][0],
                event=spec["event"][0],
                standfirst=spec["standfirst"][0],
                body=interview_body(french_turns, speakers),
            )
            page.person_links = [PagePerson(person=people[key], role=role) for key, role in spec["people"]]
            page.topic_links = [PageTopic(topic=topics[key]) for key in spec["topics"]]
            publish(tree.fr.interviews.add_child(instance=page))
        self.note("seed pages", f"French interview {page.title!r}", created)
        texts = self._texts(spec, ("title", "slug", "standfirst", "place", "event"))
        for french, english in zip(french_turns, english_turns, strict=True):
            texts.update(zip(french.paragraphs, english.paragraphs, strict=True))
        return self._translated(page, self.en, texts)

    # --- videos -------------------------------------------------------------------------

    def video_assets(self) -> dict[str, Video]:
        """The masters, generated once: ffmpeg runs only for those not stored yet."""
        videos = {seed.key: Video.objects.filter(title=seed.title[0]).first() for seed in video_seeds.VIDEOS}
        missing = [seed for seed in video_seeds.VIDEOS if videos[seed.key] is None]
        if missing:
            with tempfile.TemporaryDirectory(prefix="demo-videos-") as folder:
                # ffmpeg runs in subprocesses: threads are enough to encode them side by side.
                with ThreadPoolExecutor(max_workers=len(missing)) as pool:
                    paths = list(
                        pool.map(
                            lambda seed: media.generate_test_video(Path(folder) / seed.filename, **seed.generate),
                            missing,
                        )
                    )
                for seed, path in zip(missing, paths, strict=True):
                    videos[seed.key] = store_video(seed.title[0], path, self.files)
        for seed in video_seeds.VIDEOS:
            video = videos[seed.key]
            self.note(
                "videos",
                f"video {video.title!r} ({video.video_codec}, {video.resolution}, {video.frame_rate_exact} fps, "
                f"{video.duration_display})",
                seed in missing,
            )
        return videos

    def video_pages(self, tree: SiteTree, people, topics, images, videos) -> dict[str, VideoPage]:
        """English video pages (English is the source here) with their French translations."""
        english_people = {key: person.get_translation(self.en) for key, person in people.items()}
        english_topics = {key: topic.get_translation(self.en) for key, topic in topics.items()}
        pages = {}
        for seed in video_seeds.VIDEOS:
            page = VideoPage.objects.child_of(tree.en.videos).filter(slug=seed.slug[0]).first()
            created = page is None
            if created:
                page = VideoPage(
                    locale=self.en,
                    title=seed.title[0],
                    slug=seed.slug[0],
                    video=videos[seed.key],
                    recorded_on=seed.recorded_on,
                    place=seed.place[0],
                    summary=seed.summary[0],
                    transcript=seed.transcript[0],
                    credits=seed.credits[0],
                    copyright=seed.copyright,
                    usage_restrictions=seed.usage_restrictions[0],
                    poster_override=images[seed.poster],
                )
                page.shots = [
                    VideoShot(
                        locale=self.en,
                        in_point=shot.in_ms,
                        out_point=shot.out_ms,
                        description=shot.description[0],
                        speaker=english_people[shot.speaker] if shot.speaker else None,
                    )
                    for shot in seed.shots
                ]
                page.person_links = [
                    PagePerson(person=english_people[key], role=PagePerson.Role.FEATURED) for key in seed.people
                ]
                page.topic_links = [PageTopic(topic=english_topics[key]) for key in seed.topics]
                publish(tree.en.videos.add_child(instance=page))
            self.note("video pages", f"English video page {page.title!r}", created)
            texts = pairs_to_texts(
                seed.title, seed.slug, seed.place, seed.summary, seed.transcript, seed.credits, seed.usage_restrictions
            )
            texts.update(shot.description for shot in seed.shots)
            self._translated(page, self.fr, texts)
            pages[seed.key] = page
        return pages

    # --- home page --------------------------------------------------------------------------

    def featured(self, tree: SiteTree, targets: list[Page]) -> None:
        home = tree.en.home
        created = not home.featured_items.exists()
        if created:
            home.featured_items = [HomePageFeaturedItem(target=target) for target in targets]
            publish(home)
            # The French home takes the featured items from its source: sync it.
            translate(home, self.fr, self._texts(seeds.HOME))
        for target in targets:
            self.note("featured items", f"featured on the home pages: {target.title!r}", created)


def interview_body(turns, speakers: dict[str, Person]) -> list[dict]:
    """Interview turns as question/answer blocks; `speakers` maps the turns' speaker names to people."""
    body = []
    for turn in turns:
        if turn.kind == "question":
            body.append(block("question", {"text": paragraph_html(*turn.paragraphs), "asker": "", "outlet": ""}))
        else:
            answer = {"speaker": speakers[turn.speaker].pk, "text": paragraph_html(*turn.paragraphs)}
            body.append(block("answer", answer))
    return body
