"""StreamFields for the API: typed schemas and rendering straight from the stored JSON.

Rendering reads `StreamValue.raw_data` instead of the block values, because
turning blocks into Python objects fetches every chosen image, page and snippet
page by page; here references are collected for the whole response and loaded
once (see `api_render.RenderContext`). The schema of each block is derived
from its definition, so the OpenAPI document describes every block exactly,
as a union discriminated by `type`.
"""

from typing import Annotated, Any, Literal, Union

from pydantic import Field, create_model
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from taxonomy.models import Person, Topic

from . import api_schemas
from .api_render import RenderContext


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _list_items(raw) -> list:
    # ListBlock data is stored as [{"type": "item", "value": ..., "id": ...}]
    # since Wagtail 2.16, and as bare values before; accept both.
    return [item["value"] if isinstance(item, dict) and item.get("type") == "item" else item for item in raw or []]


# --- schemas -------------------------------------------------------------------


def schema_for(block: blocks.Block, name: str) -> Any:
    """The pydantic type of the rendered value of `block`, with `name` for generated models."""
    if isinstance(block, blocks.StreamBlock):
        items = []
        for child_name, child in block.child_blocks.items():
            items.append(
                create_model(
                    f"{name}{_camel(child_name)}",
                    __doc__=str(child.meta.label or child_name),
                    type=(Literal[child_name], ...),
                    id=(str, ...),
                    value=(schema_for(child, f"{name}{_camel(child_name)}Value"), ...),
                )
            )
        return list[Annotated[Union[tuple(items)], Field(discriminator="type")]]  # noqa: UP007
    if isinstance(block, blocks.StructBlock):
        fields = {
            child_name: (schema_for(child, f"{name}{_camel(child_name)}"), ...)
            for child_name, child in block.child_blocks.items()
        }
        return create_model(name, **fields)
    if isinstance(block, blocks.ListBlock):
        return list[schema_for(block.child_block, f"{name}Item")]
    if isinstance(block, ImageChooserBlock):
        return api_schemas.Image | None
    if isinstance(block, DocumentChooserBlock):
        return api_schemas.Document | None
    if isinstance(block, blocks.PageChooserBlock):
        return api_schemas.PageLink | None
    if isinstance(block, SnippetChooserBlock):
        if block.target_model is Person:
            return api_schemas.Person | None
        if block.target_model is Topic:
            return api_schemas.Topic | None
    if isinstance(block, blocks.BooleanBlock):
        return bool
    if isinstance(block, blocks.IntegerBlock):
        return int | None
    if isinstance(block, blocks.RichTextBlock):
        return Annotated[str, Field(description="HTML, internal links resolved to front-end paths.")]
    if isinstance(block, blocks.FieldBlock):
        return str | None
    raise TypeError(f"No API schema for {type(block).__name__}; add it to cms.stream.")


# --- what kind of block ----------------------------------------------------------
#
# Collecting and rendering visit every block of every item (about 140 for a
# 20-article listing); asking `isinstance` down a chain of block classes for
# each was a tenth of an uncached listing. A block class's kind is worked out
# once per class and looked up after that.

STREAM, STRUCT, LIST, RICH_TEXT, IMAGE, DOCUMENT, PAGE, PERSON, TOPIC, TEXT, PLAIN = range(11)

_kinds: dict[tuple[type, type | None], int] = {}


def _kind(block: blocks.Block) -> int:
    # A snippet chooser's kind depends on its model as well as its class.
    target = getattr(block, "target_model", None) if isinstance(block, SnippetChooserBlock) else None
    found = _kinds.get((type(block), target))
    if found is None:
        found = _kinds[(type(block), target)] = _kind_of_class(block, target)
    return found


def _kind_of_class(block: blocks.Block, target) -> int:
    for kind, block_class in (
        (STREAM, blocks.StreamBlock),
        (STRUCT, blocks.StructBlock),
        (LIST, blocks.ListBlock),
        (RICH_TEXT, blocks.RichTextBlock),
        (IMAGE, ImageChooserBlock),
        (DOCUMENT, DocumentChooserBlock),
        (PAGE, blocks.PageChooserBlock),
    ):
        if isinstance(block, block_class):
            return kind
    if isinstance(block, SnippetChooserBlock):
        return {Person: PERSON, Topic: TOPIC}.get(target, PLAIN)
    if isinstance(block, blocks.CharBlock | blocks.TextBlock):
        return TEXT
    return PLAIN


# --- collecting references -------------------------------------------------------


def collect(block: blocks.Block, raw, context: RenderContext) -> None:
    if raw is None:
        return
    kind = _kind(block)
    if kind == STREAM:
        for item in raw:
            child = block.child_blocks.get(item.get("type"))
            if child is not None:
                collect(child, item.get("value"), context)
    elif kind == STRUCT:
        for child_name, child in block.child_blocks.items():
            collect(child, raw.get(child_name), context)
    elif kind == LIST:
        for value in _list_items(raw):
            collect(block.child_block, value, context)
    elif kind == RICH_TEXT:
        context.collect_rich_text(raw)
    elif kind == IMAGE:
        context.image_ids.add(int(raw))
    elif kind == DOCUMENT:
        context.document_ids.add(int(raw))
    elif kind == PAGE:
        context.page_ids.add(int(raw))
    elif kind == PERSON:
        context.person_ids.add(int(raw))
    elif kind == TOPIC:
        context.topic_ids.add(int(raw))


# --- rendering -------------------------------------------------------------------


def render(block: blocks.Block, raw, context: RenderContext, page):
    """The JSON value of `raw` for `page` (whose language and site links are resolved for)."""
    kind = _kind(block)
    if kind == STREAM:
        rendered = []
        for item in raw or []:
            child = block.child_blocks.get(item.get("type"))
            if child is None:
                continue  # a block type removed from the code since this was saved
            rendered.append(
                {
                    "type": item["type"],
                    "id": item.get("id") or "",
                    "value": render(child, item.get("value"), context, page),
                }
            )
        return rendered
    if kind == STRUCT:
        raw = raw or {}
        return {name: render(child, raw.get(name), context, page) for name, child in block.child_blocks.items()}
    if kind == LIST:
        return [render(block.child_block, value, context, page) for value in _list_items(raw)]
    if kind == RICH_TEXT:
        return context.rich_text(raw or "", page.locale_id, page.url_path)
    if raw is None or raw == "":
        return "" if kind == TEXT else None
    if kind == IMAGE:
        return context.image(int(raw))
    if kind == DOCUMENT:
        return context.document(int(raw))
    if kind == PAGE:
        return context.page_link(context.localized_page(int(raw), page.locale_id))
    if kind == PERSON:
        return context.person(int(raw), page.locale_id)
    if kind == TOPIC:
        return context.topic(int(raw), page.locale_id)
    return raw
