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

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import escape
from wagtail.documents import get_document_model
from wagtail.models import Page
from wagtail.rich_text.rewriters import FIND_A_TAG, LinkRewriter, extract_attrs

from taxonomy.models import Person, Topic

from .api_images import ImageRendering
from .caching import depends_on
from .routing import HomeDirectory
from .sql_lookups import (
    sql_columns,
    sql_placeholders,
    sql_rows,
    sql_table,
    translation_key_text,
    translation_keys_for_db,
)

BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


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


# The people, topics and pages of a response are read in SQL (cms.sql_lookups).


@functools.lru_cache(maxsize=1024)
def _pages_sql(keys: int, ids: int) -> str:
    """Every version of the pages with these translation keys, and of the pages with these ids."""
    table, (key, pk) = sql_table(Page), sql_columns(Page, "translation_key", "id")
    columns = sql_columns(Page, "id", "title", "url_path", "locale", "translation_key", "content_type", "live")
    conditions = [f"{key} IN ({sql_placeholders(keys)})"] if keys else []
    if ids:
        conditions.append(f"{key} IN (SELECT {key} FROM {table} WHERE {pk} IN ({sql_placeholders(ids)}))")  # noqa: S608
    return f"SELECT {', '.join(columns)} FROM {table} WHERE {' OR '.join(conditions)}"  # noqa: S608


@functools.lru_cache(maxsize=1024)
def _snippets_sql(people: int, topics: int) -> str:
    """Every language version of these people and topics: kind, id, key, locale, name, role or slug."""
    parts = []
    for model, count, extra in ((Person, people, "role"), (Topic, topics, "slug")):
        if count:
            table, (key, pk) = sql_table(model), sql_columns(model, "translation_key", "id")
            columns = sql_columns(model, "id", "translation_key", "locale", "name", extra)
            parts.append(
                f"SELECT '{model._meta.model_name}', {', '.join(columns)} FROM {table} "  # noqa: S608
                f"WHERE {key} IN (SELECT {key} FROM {table} WHERE {pk} IN ({sql_placeholders(count)}))"
            )
    return " UNION ALL ".join(parts)


@dataclass
class RenderContext(ImageRendering):
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
        self._init_images()
        self.pages_by_id: dict[int, PageRef] = {}
        self.pages_by_key: dict[str, dict[int, PageRef]] = defaultdict(dict)
        self._origin: str | None = None
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
        sql = _pages_sql(len(self.page_keys), len(self.page_ids))
        for page_id, title, url_path, locale_id, key, content_type_id, live in sql_rows(
            sql, [*translation_keys_for_db(Page, self.page_keys), *self.page_ids]
        ):
            ref = PageRef(page_id, title, url_path, locale_id, translation_key_text(key), content_type_id, bool(live))
            self.pages_by_id[ref.id] = ref
            self.pages_by_key[ref.translation_key][ref.locale_id] = ref
        # Keys with no live version yet matter too: publishing one must refresh us.
        depends_on(*(f"pagekey:{key}" for key in self.page_keys | set(self.pages_by_key)))

    def _load_snippets(self):
        # Every language version of the linked people and topics, in one query:
        # both tables are small and a response usually links only a few.
        if not (self.person_ids or self.topic_ids):
            return
        sql = _snippets_sql(len(self.person_ids), len(self.topic_ids))
        for kind, pk, key, locale_id, name, extra in sql_rows(sql, [*self.person_ids, *self.topic_ids]):
            snippet = SnippetRef(kind, pk, translation_key_text(key), locale_id, name, extra)
            self.snippets[(kind, pk)] = snippet
            self.snippet_translations[(kind, snippet.translation_key)][locale_id] = snippet
            depends_on(f"{kind}:{snippet.translation_key}")

    def _load_documents(self):
        if self.document_ids:
            self.documents = {doc.pk: doc for doc in get_document_model().objects.filter(id__in=self.document_ids)}

    # --- rendering ------------------------------------------------------------

    def absolute(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        if url.startswith("/") and not url.startswith("//") and "/." not in url:
            # What build_absolute_uri makes of a plain path (already a URI, as storages give them), without its
            # parsing: a response has dozens of rendition URLs.
            if self._origin is None:
                self._origin = self.request.build_absolute_uri("/")[:-1]
            return self._origin + url
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
