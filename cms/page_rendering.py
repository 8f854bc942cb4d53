"""What `/api/v1/pages/` answers: the item schemas, the fields asked for, the items rendered, the JSON.

The response schemas are a union of every registered page type's schema,
discriminated by `type`: the page types register before this module is
imported (cms.api).
"""

from typing import Annotated, Union

from django.conf import settings
from ninja import Schema
from pydantic import Field, TypeAdapter
from pydantic_core import to_json
from wagtail.models import Page

from .api_render import RenderContext
from .content_types import PageTypeAPI, page_types

# --- response schemas -----------------------------------------------------------------


def _item_union():
    models = tuple(page_type.schema() for page_type in page_types)
    return Annotated[Union[models], Field(discriminator="type")]  # noqa: UP007


PageItem = _item_union()
page_item_adapter = TypeAdapter(PageItem)


class PageList(Schema):
    count: int = Field(description="How many items match, across all pages of results.")
    limit: int
    offset: int
    items: list[PageItem]


# --- field selection -----------------------------------------------------------------------


def selected_fields(fields: str, types: list[PageTypeAPI]) -> dict[str, set[str] | None]:
    """For each type: the names to render, or None for all.

    `fields` has been checked against the names of every page type (cms.api_parameters.FieldList): a name
    a requested type does not have is absent from its items, as a type's field is from another type's.
    """
    fields = fields.strip()
    if fields == "*":
        return {t.label: None for t in types}
    if fields == "summary":
        return {t.label: set(t.summary_field_names) for t in types}
    requested = {name.strip() for name in fields.split(",") if name.strip()}
    return {t.label: requested & set(t.field_names) for t in types}


# --- rendering ------------------------------------------------------------------------------


def render_pages(request, pages: list[Page], selection: dict[str, set[str] | None], *, preview=False, fallback_ids=()):
    context = RenderContext(request=request, preview=preview)
    plans = []
    for page in pages:
        page_type = page_types.for_model(type(page))
        fields = page_type.fields_for(selection.get(page_type.label))
        plans.append((page, fields))
        context.page_keys.add(str(page.translation_key))

    # Bulk loaders first (each once per response), then each field's collect.
    prefetchers = {}
    for page, fields in plans:
        for api_field in fields:
            if api_field.prefetch is not None:
                prefetchers.setdefault(api_field.prefetch, []).append(page)
    for prefetch, prefetch_pages in prefetchers.items():
        prefetch(list(dict.fromkeys(prefetch_pages)), context)
    for page, fields in plans:
        for api_field in fields:
            if api_field.collect is not None:
                api_field.collect(page, context)
    context.load()

    return [_render_page(page, fields, context, page.pk in fallback_ids) for page, fields in plans]


def _render_page(page, fields, context: RenderContext, is_fallback: bool) -> dict:
    home = context.homes.home_of(page.url_path)
    item = {
        "id": page.pk,
        "type": type(page)._meta.label,
        "locale": context.languages.get(page.locale_id, ""),
        "is_fallback": is_fallback,
        "slug": page.slug,
        "title": page.title,
        "url": context.homes.path_of(page.url_path),
        "site": home.hostname if home else None,
        "translations": context.translations(page.translation_key, page.pk),
        "first_published_at": page.first_published_at,
        "last_published_at": page.last_published_at,
        "seo": {"title": page.seo_title or page.title, "description": page.search_description},
    }
    for api_field in fields:
        item[api_field.name] = api_field.render(page, context)
    return item


def as_json(schema, payload) -> bytes:
    """`payload` as JSON, validated against its declared schema where settings ask (tests, DEBUG).

    The renderers build exactly the declared shape, in its order and types, so
    validating changes nothing but took a sixth of an uncached listing: in
    production the dicts are serialized as they are. The tests validate every
    response, and check that both ways give the same bytes.
    """
    if not (settings.CMS_API_VALIDATE_RESPONSES or settings.DEBUG):
        return to_json(payload)
    adapter = schema if isinstance(schema, TypeAdapter) else TypeAdapter(schema)
    return adapter.dump_json(adapter.validate_python(payload), exclude_unset=True)
