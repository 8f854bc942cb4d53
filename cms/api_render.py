"""Rendering pages for the API with a fixed number of queries, whatever the page size.

Serializing happens in two passes over the pages of a response:
1. *collect*: each field notes what it will need (linked pages, images,
   people, topics, documents) in a `RenderContext`;
2. *render*: the context loads each kind of reference with one query for the
   whole response, then each field renders from what was loaded.

Links are localized on the way: a French page linking an English topic, person
or page shows its French version when there is one (wagtail-localize copies
links to every translation as they are, pointing at the source objects).
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import CharField, F, Q, Subquery, Value
from django.utils.html import escape
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.rich_text.rewriters import FIND_A_TAG, LinkRewriter, extract_attrs

from taxonomy.models import Person, Topic

from .caching import depends_on
from .routing import HomeDirectory

BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')

# Named image sizes every image is offered in, each in its original format and
# in WebP. `fill-…-c100` crops around the focal point editors set.
DEFAULT_RENDITIONS = {
    "thumbnail": "fill-480x270-c100",
    "small": "width-640",
    "medium": "width-1280",
    "large": "width-1920",
}


def rendition_specs() -> dict[str, str]:
    return getattr(settings, "CMS_API_RENDITIONS", DEFAULT_RENDITIONS)


@dataclass
class PageRef:
    id: int
    title: str
    url_path: str
    locale_id: int
    translation_key: str
    content_type_id: int
    live: bool


@dataclass(frozen=True)
class SnippetRef:
    kind: str  # "person" or "topic"
    pk: int
    translation_key: str
    locale_id: int
    name: str
    extra: str  # a person's role, a topic's slug


@dataclass
class RenderContext:
    """What one API response needs, collected first and then loaded in bulk."""

    request: object
    homes: HomeDirectory = field(default_factory=HomeDirectory.load)
    page_ids: set[int] = field(default_factory=set)
    page_keys: set[str] = field(default_factory=set)
    image_ids: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)
    topic_ids: set[int] = field(default_factory=set)
    document_ids: set[int] = field(default_factory=set)
    preview: bool = False

    def __post_init__(self):
        self.pages_by_id: dict[int, PageRef] = {}
        self.pages_by_key: dict[str, dict[int, PageRef]] = defaultdict(dict)
        self.images = {}
        self.snippets: dict[tuple[str, int], SnippetRef] = {}
        self.snippet_translations: dict[tuple[str, str], dict[int, SnippetRef]] = defaultdict(dict)
        self.documents = {}
        self.languages = self.homes.languages
        self.locale_ids = self.homes.locale_ids

    # --- collecting -----------------------------------------------------------

    def collect_rich_text(self, html: str) -> None:
        for match in FIND_A_TAG.findall(html or ""):
            attrs = extract_attrs(match)
            if attrs.get("linktype") == "page" and attrs.get("id", "").isdigit():
                self.page_ids.add(int(attrs["id"]))
            elif attrs.get("linktype") == "document" and attrs.get("id", "").isdigit():
                self.document_ids.add(int(attrs["id"]))

    # --- loading --------------------------------------------------------------

    def load(self) -> None:
        self._load_pages()
        self._load_snippets()
        self._load_images()
        self._load_documents()

    def _load_pages(self):
        if not (self.page_ids or self.page_keys):
            return
        # One query for every version of every referenced page: translations of
        # the items, rich-text links, related and featured pages, embedded videos.
        condition = Q(translation_key__in=list(self.page_keys))
        if self.page_ids:
            condition |= Q(
                translation_key__in=Subquery(Page.objects.filter(id__in=self.page_ids).values("translation_key"))
            )
        rows = Page.objects.filter(condition).values_list(
            "id", "title", "url_path", "locale_id", "translation_key", "content_type_id", "live"
        )
        for row in rows:
            ref = PageRef(*row[:4], str(row[4]), *row[5:])
            self.pages_by_id[ref.id] = ref
            self.pages_by_key[ref.translation_key][ref.locale_id] = ref
        # Keys with no live version yet matter too: publishing one must refresh us.
        depends_on(*(f"pagekey:{key}" for key in self.page_keys | set(self.pages_by_key)))

    def _load_snippets(self):
        # Every language version of the linked people and topics, in one query:
        # both tables are small and a response usually links only a few.
        parts = []
        for model, ids, extra in ((Person, self.person_ids, "role"), (Topic, self.topic_ids, "slug")):
            if ids:
                keys = model.objects.filter(id__in=ids).values("translation_key")
                parts.append(
                    model.objects.filter(translation_key__in=Subquery(keys))
                    .order_by()
                    .annotate(kind=Value(model._meta.model_name, CharField()), extra=F(extra))
                    .values_list("kind", "id", "translation_key", "locale_id", "name", "extra")
                )
        if not parts:
            return
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for kind, pk, translation_key, locale_id, name, extra in rows:
            snippet = SnippetRef(kind, pk, str(translation_key), locale_id, name, extra)
            self.snippets[(kind, pk)] = snippet
            self.snippet_translations[(kind, snippet.translation_key)][locale_id] = snippet
            depends_on(f"{kind}:{snippet.translation_key}")

    def _load_images(self):
        if not self.image_ids:
            return
        depends_on(*(f"image:{pk}" for pk in self.image_ids))
        specs = set()
        for spec in rendition_specs().values():
            specs.update((spec, f"{spec}|format-webp"))
        # Images come with their renditions in one query; the renditions are
        # handed to Wagtail as if prefetched, so `get_rendition` picks the right
        # one (focal point included) and only makes the missing ones.
        Image = get_image_model()
        renditions = Image.get_rendition_model().objects.filter(image_id__in=self.image_ids, filter_spec__in=specs)
        by_image = defaultdict(list)
        for rendition in renditions.select_related("image"):
            by_image[rendition.image_id].append(rendition)
            self.images[rendition.image_id] = rendition.image
        missing = self.image_ids - set(self.images)
        if missing:  # images shown for the first time have no renditions yet
            self.images.update({image.pk: image for image in Image.objects.filter(id__in=missing)})
        for pk, image in self.images.items():
            # The same shape Django's prefetch_related leaves behind: a queryset with its results.
            prefetched = image.renditions.all()
            prefetched._result_cache = by_image[pk]
            prefetched._prefetch_done = True
            image._prefetched_objects_cache = {"renditions": prefetched}

    def _load_documents(self):
        if self.document_ids:
            self.documents = {doc.pk: doc for doc in get_document_model().objects.filter(id__in=self.document_ids)}

    # --- rendering ------------------------------------------------------------

    def absolute(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        return self.request.build_absolute_uri(url)

    def localized_page(self, page_id: int, locale_id: int) -> PageRef | None:
        """The live version of a page in `locale_id`, else the page itself if live."""
        ref = self.pages_by_id.get(page_id)
        if ref is None:
            return None
        translated = self.pages_by_key[ref.translation_key].get(locale_id)
        if translated is not None and (translated.live or self.preview):
            return translated
        return ref if ref.live or self.preview else None

    def page_link(self, ref: PageRef | None) -> dict | None:
        if ref is None:
            return None
        return {
            "id": ref.id,
            "title": ref.title,
            "locale": self.languages.get(ref.locale_id, ""),
            "url": self.homes.path_of(ref.url_path),
        }

    def translations(self, translation_key: str, exclude_id: int) -> list[dict]:
        return [
            self.page_link(ref)
            for locale_id, ref in sorted(self.pages_by_key[str(translation_key)].items())
            if ref.id != exclude_id and ref.live
        ]

    def localized_snippet(self, kind: str, pk: int, locale_id: int) -> SnippetRef | None:
        snippet = self.snippets.get((kind, pk))
        if snippet is None:
            return None
        return self.snippet_translations[(kind, snippet.translation_key)].get(locale_id, snippet)

    def person(self, person_id: int | None, locale_id: int) -> dict | None:
        person = self.localized_snippet("person", person_id, locale_id) if person_id else None
        if person is None:
            return None
        return {"id": person.pk, "name": person.name, "role": person.extra}

    def topic(self, topic_id: int, locale_id: int) -> dict | None:
        topic = self.localized_snippet("topic", topic_id, locale_id)
        if topic is None:
            return None
        return {"id": topic.pk, "name": topic.name, "slug": topic.extra}

    def image(self, image_id: int | None) -> dict | None:
        image = self.images.get(image_id) if image_id else None
        if image is None:
            return None
        renditions = {}
        srcset, srcset_webp = [], []
        for name, spec in rendition_specs().items():
            original = image.get_rendition(spec)
            webp = image.get_rendition(f"{spec}|format-webp")
            renditions[name] = {
                "url": self.absolute(original.url),
                "webp_url": self.absolute(webp.url),
                "width": original.width,
                "height": original.height,
            }
            if not spec.startswith("fill-"):
                srcset.append(f"{renditions[name]['url']} {original.width}w")
                srcset_webp.append(f"{renditions[name]['webp_url']} {webp.width}w")
        focal = None
        if image.has_focal_point():
            focal = {
                "x": image.focal_point_x,
                "y": image.focal_point_y,
                "width": image.focal_point_width,
                "height": image.focal_point_height,
            }
        return {
            "id": image.pk,
            "title": image.title,
            "alt": getattr(image, "description", "") or image.default_alt_text or "",
            "width": image.width,
            "height": image.height,
            "focal_point": focal,
            "renditions": renditions,
            "srcset": ", ".join(srcset),
            "srcset_webp": ", ".join(srcset_webp),
        }

    def document(self, document_id: int | None) -> dict | None:
        document = self.documents.get(document_id) if document_id else None
        if document is None:
            return None
        return {"id": document.pk, "title": document.title, "url": self.absolute(document.url)}

    def href(self, ref: PageRef, from_url_path: str | None) -> str | None:
        """A link to `ref` from a page at `from_url_path`: a path on the same site, a full URL to another."""
        path = self.homes.path_of(ref.url_path)
        if path is None:
            return None
        target_home = self.homes.home_of(ref.url_path)
        source_home = self.homes.home_of(from_url_path) if from_url_path else None
        if source_home is not None and target_home.site_id != source_home.site_id:
            return target_home.root_url + path
        return path

    def rich_text(self, html: str, locale_id: int, from_url_path: str | None = None) -> str:
        """Database rich text -> HTML for front ends, links resolved to their URLs in `locale_id`."""

        def page_link(attrs):
            ref = self.localized_page(int(attrs["id"]), locale_id) if attrs.get("id", "").isdigit() else None
            href = self.href(ref, from_url_path) if ref else None
            if href is None:
                return "<a>"  # an unpublished or deleted target: keep the text, drop the link
            return f'<a href="{escape(href)}" data-page-id="{ref.id}">'

        def document_link(attrs):
            document = self.documents.get(int(attrs["id"])) if attrs.get("id", "").isdigit() else None
            if document is None:
                return "<a>"
            return f'<a href="{escape(self.absolute(document.url))}" data-document-id="{document.pk}">'

        html = LinkRewriter(rules={"page": page_link, "document": document_link})(html or "")
        # The editor's block keys mean nothing outside Wagtail's admin.
        return BLOCK_KEY.sub("", html)
