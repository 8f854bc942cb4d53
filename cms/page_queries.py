"""The querysets behind `/api/v1/pages/`: its parameters, the pages they select, in which order.

A listing of one type (the common case: a front end's news page) queries
that type's own table: it sorts on the type's date column, which an index of
(date, page) serves without reading the other matches, loads the page's
items with their fields in the same query and counts the matches in a second,
cheap one. A listing of several types sorts each item by its own type's date
(a COALESCE over the joined type tables, which no index serves), so it takes
the ids with the count as a window of that one sort, then each type's items.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Literal

from django.db.models import Count, DateField, DateTimeField, Exists, F, IntegerField, OuterRef, Q, Window
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field
from wagtail.models import Page

from taxonomy.models import PagePerson, PageTopic

from .api_contract import MAX_HOSTNAME_LENGTH, MAX_PATH_LENGTH, Id, Language
from .api_parameters import Day, FieldList, page_type_label
from .apikit import MAX_OFFSET
from .caching import depends_on
from .content_types import PageTypeAPI, page_types
from .routing import HomeDirectory

MAX_LIMIT = 100


def resolve_locale(code: str) -> int:
    """The id of the locale of language `code` (from the cached directory: no query)."""
    locale_id = HomeDirectory.load().locale_ids.get(code)
    if locale_id is None:
        raise HttpError(400, _("Unknown locale “%(code)s”.") % {"code": code})
    return locale_id


# --- query parameters ---------------------------------------------------------------


PageTypeLabel = page_type_label(lambda: page_types.labels)
Ordering = Literal["-date", "date", "title", "-title", "-first_published_at", "first_published_at"]


class PageListQuery(Schema):
    type: list[PageTypeLabel] = Field(
        default_factory=list, description="Page type(s), e.g. `news.NewsArticlePage`; repeat for several."
    )
    locale: Language | None = Field(None, description="Language code, e.g. `fr`.")
    fallback: Language | None = Field(
        None, description="With `locale`: a language to serve items from when they have no live `locale` version."
    )
    site: str | None = Field(None, max_length=MAX_HOSTNAME_LENGTH, description="Host name of a site (front end).")
    child_of: Id | None = Field(None, description="Only direct children of this page.")
    descendant_of: Id | None = Field(None, description="Only pages below this page.")
    topic: Id | None = Field(None, description="Only items linked to this topic (any language version of it).")
    person: Id | None = Field(None, description="Only items linked to this person (any language version).")
    date_from: Day | None = Field(None, description="Items dated on or after this day (type's own date).")
    date_to: Day | None = Field(None, description="Items dated on or before this day.")
    translation_of: Id | None = Field(None, description="The other language versions of this page.")
    order: Ordering = Field("-date", description="Sort order; `date` is each type's own date.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    fields: FieldList = Field(
        "summary",
        description="`summary` (default), `*` for every field, or a comma-separated list of field names.",
    )


class DetailQuery(Schema):
    fields: FieldList = Field(
        "*",
        description="`*` (default), `summary` or a comma-separated list of field names.",
    )
    fallback: Language | None = Field(
        None,
        description="When the page is not published in its own language (a translation still in draft, "
        "or unpublished): its live version in this language, marked `is_fallback`.",
    )


class FindQuery(DetailQuery):
    site: str | None = Field(
        None,
        max_length=MAX_HOSTNAME_LENGTH,
        description="Host name of the site (front end); by default the site of the API key's front end, "
        "or without a key tied to a site the default site.",
    )
    path: str = Field(
        max_length=MAX_PATH_LENGTH,
        description="The item's path on that front end, e.g. `/fr/actualites/mon-article/`.",
    )


# --- queries ----------------------------------------------------------------------------------


def visible_pages():
    """Live pages outside private sections: the only pages the API ever shows outside previews."""
    depends_on("visibility")
    queryset = Page.objects.live()
    # Like PageQuerySet.public(), but from the cached list of restricted paths.
    for path in HomeDirectory.load().restricted_paths:
        queryset = queryset.exclude(path__startswith=path)
    return queryset


def _date_expression(types: list[PageTypeAPI], *, joined=True):
    """Each item's own date: its type's date field, else when it was first published.

    `joined`: over `Page`, through the joined type tables; else over the one
    type's own table, where a date that is never null is the bare column,
    which the type's (date, page) index orders.
    """
    fields = [t.model._meta.get_field(t.date_field) for t in types if t.date_field]
    if not joined and fields and not fields[0].null:
        return F(fields[0].name)
    parts = [F(f"{field.model._meta.model_name}__{field.name}" if joined else field.name) for field in fields]
    if not parts:
        return F("first_published_at")
    # Days and moments mixed are compared as days: SQLite compares them as
    # text, where "2024-05-01" sorts before "2024-05-01 00:00:00".
    days = any(not isinstance(field, DateTimeField) for field in fields)
    return Coalesce(*parts, F("first_published_at"), output_field=DateField() if days else DateTimeField())


def _dated(queryset, query: PageListQuery, date_expression):
    """`item_date` for the date orderings and the `date_from`/`date_to` filters (not selected)."""
    if query.date_from or query.date_to or query.order in ("date", "-date"):
        queryset = queryset.alias(item_date=date_expression)
        if query.date_from:
            queryset = queryset.filter(item_date__gte=start_of_day(query.date_from))
        if query.date_to:
            queryset = queryset.filter(item_date__lt=start_of_day(query.date_to, next_day=True))
    return queryset


def matching_pages(query: PageListQuery, types: list[PageTypeAPI]):
    """The pages matching every filter but the dates (see `_dated`)."""
    queryset = visible_pages().filter(content_type__in=[_content_type_id(t) for t in types])
    homes = HomeDirectory.load()

    if query.site:
        site_homes = [home for home in homes.homes if home.hostname == query.site]
        if not site_homes:
            # Like an unknown page id (`child_of`): the thing named does not exist.
            raise Http404(_("Unknown site “%(site)s”.") % {"site": query.site})
        site_q = Q()
        for home in site_homes:
            site_q |= Q(url_path__startswith=home.url_path)
        queryset = queryset.filter(site_q)

    for parameter, lookup in (("child_of", "child"), ("descendant_of", "descendant")):
        page_id = getattr(query, parameter)
        if page_id is not None:
            parents = _pages_and_translations(page_id) if falls_back(query) else Page.objects.filter(pk=page_id)
            parents = list(parents.only("path", "depth"))
            if not parents:
                raise Http404(_("No page %(id)s.") % {"id": page_id})
            condition = Q()
            for parent in parents:
                if lookup == "child":
                    condition |= Q(path__startswith=parent.path, depth=parent.depth + 1)
                else:
                    condition |= Q(path__startswith=parent.path, depth__gt=parent.depth)
            queryset = queryset.filter(condition)

    # Links as subqueries, not joins: a page linked twice (to a topic and to
    # its translation) is still one item, with no DISTINCT over whole rows.
    if query.topic is not None:
        keys = _keys_of("taxonomy.Topic", query.topic, _("Unknown topic %(id)s."))
        linked = PageTopic.objects.filter(topic__translation_key__in=keys)
        queryset = queryset.filter(pk__in=linked.values("page_id"))
    if query.person is not None:
        keys = _keys_of("taxonomy.Person", query.person, _("Unknown person %(id)s."))
        linked = PagePerson.objects.filter(person__translation_key__in=keys)
        queryset = queryset.filter(pk__in=linked.values("page_id"))
    if query.translation_of is not None:
        source = get_object_or_404(Page, pk=query.translation_of)
        queryset = queryset.filter(translation_key=source.translation_key).exclude(pk=source.pk)
    return queryset


def start_of_day(day: date, next_day=False):
    # Dates and datetimes are compared on the same axis: midnight UTC of the day.
    if next_day and day == date.max:
        # There is no day after: the last instant of the calendar bounds it.
        return datetime.combine(day, time.max, tzinfo=timezone.get_current_timezone())
    moment = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return moment + timezone.timedelta(days=1) if next_day else moment


def _keys_of(model_label: str, object_id: int, unknown: str) -> list:
    """The translation key of a topic or person (its every language version); a 404 if there is none."""
    from django.apps import apps

    model = apps.get_model(model_label)
    key = model.objects.filter(pk=object_id).values_list("translation_key", flat=True).first()
    if key is None:
        raise Http404(unknown % {"id": object_id})
    return [key]


def _pages_and_translations(page_id: int):
    return Page.objects.filter(translation_key__in=Page.objects.filter(pk=page_id).values("translation_key"))


def _content_type_id(page_type: PageTypeAPI) -> int:
    # ContentType's own cache, not a memo of ours: it is emptied when content types are made again (a test's
    # flush, then post_migrate, gives them new ids), and a stale id would hide every page of that type.
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(page_type.model).pk


def falls_back(query: PageListQuery) -> bool:
    """Whether `fallback` does something: a `fallback` without `locale` (every language is listed) or equal
    to it is accepted and falls back to nothing."""
    return bool(query.locale and query.fallback and query.fallback != query.locale)


def locale_filter(queryset, query: PageListQuery):
    """Apply `locale` and `fallback`; returns (queryset, whether fallback items are possible)."""
    if not query.locale:
        return queryset
    locale = resolve_locale(query.locale)
    if not falls_back(query):
        return queryset.filter(locale_id=locale)
    fallback = resolve_locale(query.fallback)
    translated = visible_pages().filter(locale_id=locale).values("translation_key")
    return queryset.filter(Q(locale_id=locale) | Q(locale_id=fallback) & ~Q(translation_key__in=translated))


ORDERINGS = {
    "-date": ("-item_date", "-pk"),
    "date": ("item_date", "pk"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "-first_published_at": ("-first_published_at", "-pk"),
    "first_published_at": ("first_published_at", "pk"),
}


def _with_related(queryset, page_type: PageTypeAPI):
    """With the related objects the type's fields read (`select_related()` with none would mean all)."""
    related = page_type.select_related()
    return queryset.select_related(*related) if related else queryset


def specific_pages(page_ids_by_type: dict[str, list[int]], types_by_label) -> dict[int, Page]:
    """Load the pages of each type with their type's related objects: one query per type present."""
    pages = {}
    for label, ids in page_ids_by_type.items():
        page_type = types_by_label[label]
        for page in _with_related(page_type.model.objects.filter(pk__in=ids), page_type):
            pages[page.pk] = page
    return pages


@dataclass(frozen=True)
class ItemRow:
    """What the listing's id query reads about each item: enough to name its cache entry."""

    pk: int
    label: str  # the page type, e.g. "news.NewsArticlePage"
    url_path: str
    revision: int | None  # live_revision_id
    locale_id: int


def row_of(page, label: str) -> ItemRow:
    return ItemRow(page.pk, label, page.url_path, page.live_revision_id, page.locale_id)


# What the listings read about each item (an `ItemRow` without its type): enough to name its cached
# rendering (`cms.item_cache`), whose fields are then loaded only if it is missing.
ROW_FIELDS = ("pk", "url_path", "live_revision_id", "locale_id")


def page_of_one_type(matches, query: PageListQuery, page_type: PageTypeAPI) -> tuple[list[ItemRow], int]:
    """The items' rows in one query over the type's table; then the count, unless they tell it.

    The page filters go in an EXISTS: SQLite's planner, statistics or not,
    would otherwise start from an index of the page table (locale, content
    type) and sort every match, where walking the type's date index backwards
    stops after `limit` items.
    """
    items = page_type.model.objects.filter(Exists(matches.filter(pk=OuterRef("pk"))))
    items = _dated(items, query, _date_expression([page_type], joined=False)).order_by(*ORDERINGS[query.order])
    window = items.values_list(*ROW_FIELDS)[query.offset : query.offset + query.limit]
    rows = [ItemRow(pk, page_type.label, url_path, revision, locale) for pk, url_path, revision, locale in window]
    if len(rows) < query.limit and (rows or not query.offset):
        return rows, query.offset + len(rows)
    # Without date filters every match is an item: count them on the page table alone.
    return rows, (items if query.date_from or query.date_to else matches).count()


def page_of_several_types(matches, query: PageListQuery, types: list[PageTypeAPI]) -> tuple[list[ItemRow], int]:
    """The items' rows with the count (a window over the one sort)."""
    queryset = _dated(matches, query, _date_expression(types)).order_by(*ORDERINGS[query.order])
    queryset = queryset.annotate(total=Window(Count("pk", output_field=IntegerField())))
    columns = queryset.values_list(*ROW_FIELDS, "content_type_id", "total")
    window = list(columns[query.offset : query.offset + query.limit])
    count = window[0][-1] if window else (queryset.count() if query.offset else 0)

    label_by_content_type = {_content_type_id(t): t.label for t in types}
    rows = [
        ItemRow(pk, label_by_content_type[content_type], url_path, revision, locale)
        for pk, url_path, revision, locale, content_type, _total in window
    ]
    return rows, count


def load_pages(types: list[PageTypeAPI]):
    """`load` for `cms.item_cache.render_items`: the pages of each type, with their related objects."""
    by_label = {t.label: t for t in types}
    return lambda ids_by_type: specific_pages(ids_by_type, by_label)


def fallback_version(page_ids, language: str) -> int | None:
    """The live, visible version in `language` of the pages `page_ids` (a queryset of ids), if any."""
    keys = Page.objects.filter(pk__in=page_ids).values("translation_key")
    matches = visible_pages().filter(translation_key__in=keys, locale_id=resolve_locale(language))
    return matches.values_list("pk", flat=True).first()


def live_specific(page_id: int) -> Page:
    base = visible_pages().filter(pk=page_id).values_list("content_type_id", flat=True).first()
    label = {_content_type_id(t): t for t in page_types}.get(base) if base else None
    if label is None:
        raise Http404(_("No published page %(id)s.") % {"id": page_id})
    return get_object_or_404(_with_related(label.model.objects.all(), label), pk=page_id)
