"""People and topics in the API: the fields pages use to show them, and their own endpoints."""

import functools
from collections import defaultdict

from django.db.models import IntegerField
from django.shortcuts import get_object_or_404
from ninja import Query, Schema
from pydantic import Field

from cms import api_schemas
from cms.api_contract import Id, Language
from cms.apikit import MAX_OFFSET, StrictRouter, answered_from_cache
from cms.content_types import APIField
from cms.sql_lookups import sql_columns, sql_placeholders, sql_rows, sql_table

from .models import PagePerson, PageTopic, Person, RelatedPage, Topic

# --- fields of pages ------------------------------------------------------------------


def load_links(pages, context) -> None:
    """Topic, person and related-page links of every page of the response, in one query."""
    if getattr(context, "links", None) is not None:
        return
    context.links = {"topics": defaultdict(list), "people": defaultdict(list), "related": defaultdict(list)}
    if context.preview:
        # A previewed draft carries its links in memory, unsaved.
        for page in pages:
            for link in page.topic_links.all():
                context.links["topics"][page.pk].append((link.topic_id, ""))
                context.topic_ids.add(link.topic_id)
            for link in page.person_links.all():
                context.links["people"][page.pk].append((link.person_id, link.role))
                context.person_ids.add(link.person_id)
            for link in page.related_links.all():
                context.links["related"][page.pk].append((link.target_id, ""))
                context.page_ids.add(link.target_id)
        return
    ids = [page.pk for page in pages]
    if not ids:
        return
    for kind, page_id, target, role, _order, _pk in sql_rows(_links_sql(len(ids)), ids * 3):
        context.links[kind][page_id].append((target, role))
        if kind == "topics":
            context.topic_ids.add(target)
        elif kind == "people":
            context.person_ids.add(target)
        else:
            context.page_ids.add(target)


@functools.lru_cache(maxsize=1024)
def _links_sql(pages: int) -> str:
    """The three kinds of links of these pages as (kind, page id, linked id, role), in their editors' order.

    Written in SQL once per number of pages, as `cms.api_render` does for its
    lookups: the ORM took over a millisecond to build and compile this UNION
    for a 20-item listing, the database a tenth of that to answer it.
    """
    parts = []
    for kind, model, linked, role in (
        ("topics", PageTopic, "topic", None),
        ("people", PagePerson, "person", "role"),
        ("related", RelatedPage, "target", None),
    ):
        page_id, linked_id, sort_order, pk = sql_columns(model, "page", linked, "sort_order", "id")
        role_column = sql_columns(model, role)[0] if role else "''"
        parts.append(
            f"SELECT '{kind}', {page_id}, {linked_id}, {role_column}, {sort_order}, {pk} "  # noqa: S608
            f"FROM {sql_table(model)} WHERE {page_id} IN ({sql_placeholders(pages)})"
        )
    # By the sort order, then the row's id (rows written in code may leave the sort order empty):
    # an ORDER BY of a whole UNION names its columns by position.
    return " UNION ALL ".join(parts) + " ORDER BY 5, 6"


def _topics(page, context):
    return [t for t in (context.topic(target, page.locale_id) for target, _ in context.links["topics"][page.pk]) if t]


def _people(page, context):
    people = []
    for target, role in context.links["people"][page.pk]:
        person = context.person(target, page.locale_id)
        if person:
            people.append({**person, "part": role})
    return people


def _related(page, context):
    links = (
        context.page_link(context.localized_page(target, page.locale_id))
        for target, _ in context.links["related"][page.pk]
    )
    return [link for link in links if link]


TOPICS = APIField(
    "topics", list[api_schemas.Topic], _topics, prefetch=load_links, in_summary=True, description="Topics, localized."
)
PEOPLE = APIField(
    "people",
    list[api_schemas.LinkedPerson],
    _people,
    prefetch=load_links,
    in_summary=True,
    description="People linked to the item, localized, with the part they play.",
)
RELATED_PAGES = APIField(
    "related_pages", list[api_schemas.PageLink], _related, prefetch=load_links, description="Hand-picked related pages."
)

# --- /people/ and /topics/ ------------------------------------------------------------

router = StrictRouter(tags=["people and topics"])


class SnippetListQuery(Schema):
    locale: Language | None = Field(None, description="Language code; all languages when omitted.")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class SnippetTranslation(Schema):
    """Another language version of a person or topic."""

    id: int
    locale: str = Field(description="Language code of that version.")
    name: str


class PersonOut(api_schemas.Person):
    locale: str
    translation_key: str
    translations: list[SnippetTranslation] = Field(description="Every other language version, by language code.")


class TopicOut(api_schemas.Topic):
    locale: str
    translation_key: str
    translations: list[SnippetTranslation] = Field(description="Every other language version, by language code.")


class PeopleList(Schema):
    count: int
    items: list[PersonOut]


class TopicList(Schema):
    count: int
    items: list[TopicOut]


def _snippet_list(model, query: SnippetListQuery, render):
    from cms.page_queries import resolve_locale

    queryset = model.objects.select_related("locale").order_by("name", "pk")
    if query.locale:
        queryset = queryset.filter(locale_id=resolve_locale(query.locale))
    queryset = queryset.annotate(total=_window_count())
    rows = list(queryset[query.offset : query.offset + query.limit])
    count = rows[0].total if rows else queryset.count()
    translations = _translations(model, rows)
    return {"count": count, "items": [render(obj, translations) for obj in rows]}


def _translations(model, rows) -> dict:
    """The other language versions of `rows`, by translation key, in one query whatever their number.

    Front ends link a person's or topic's page to its translation; without this
    they would page through a whole language's list to find it.
    """
    found = defaultdict(list)
    if not rows:
        return found
    versions = (
        model.objects.filter(translation_key__in={row.translation_key for row in rows})
        .order_by("locale__language_code", "pk")
        .values_list("pk", "translation_key", "locale__language_code", "name")
    )
    for pk, key, language, name in versions:
        found[key].append({"id": pk, "locale": language, "name": name})
    return found


def _others(obj, translations) -> list[dict]:
    return [version for version in translations[obj.translation_key] if version["id"] != obj.pk]


def _window_count():
    from django.db.models import Count, Window

    return Window(Count("pk", output_field=IntegerField()))


def _person(person, translations):
    return {
        "id": person.pk,
        "name": person.name,
        "role": person.role,
        "locale": person.locale.language_code,
        "translation_key": str(person.translation_key),
        "translations": _others(person, translations),
    }


def _topic(topic, translations):
    return {
        "id": topic.pk,
        "name": topic.name,
        "slug": topic.slug,
        "locale": topic.locale.language_code,
        "translation_key": str(topic.translation_key),
        "translations": _others(topic, translations),
    }


def _one(model, pk, render):
    obj = get_object_or_404(model.objects.select_related("locale"), pk=pk)
    return render(obj, _translations(model, [obj]))


def _cached(request, schema, tag, build):
    from cms.caching import cached_json, depends_on
    from cms.page_rendering import as_json

    def render():
        depends_on(tag)
        return as_json(schema, build())

    return cached_json(request, render)


@router.get("/people/", response=PeopleList, summary="List people")
@answered_from_cache
def list_people(request, query: Query[SnippetListQuery]):
    return _cached(request, PeopleList, "people", lambda: _snippet_list(Person, query, _person))


@router.get("/people/{person_id}/", response=PersonOut, summary="One person")
@answered_from_cache
def get_person(request, person_id: Id):
    return _cached(
        request,
        PersonOut,
        "people",
        lambda: _one(Person, person_id, _person),
    )


@router.get("/topics/", response=TopicList, summary="List topics")
@answered_from_cache
def list_topics(request, query: Query[SnippetListQuery]):
    return _cached(request, TopicList, "topics", lambda: _snippet_list(Topic, query, _topic))


@router.get("/topics/{topic_id}/", response=TopicOut, summary="One topic")
@answered_from_cache
def get_topic(request, topic_id: Id):
    return _cached(
        request,
        TopicOut,
        "topics",
        lambda: _one(Topic, topic_id, _topic),
    )
