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


# --- collecting references -------------------------------------------------------


def collect(block: blocks.Block, raw, context: RenderContext) -> None:
    if raw is None:
        return
    if isinstance(block, blocks.StreamBlock):
        for item in raw:
            child = block.child_blocks.get(item.get("type"))
            if child is not None:
                collect(child, item.get("value"), context)
    elif isinstance(block, blocks.StructBlock):
        for child_name, child in block.child_blocks.items():
            collect(child, raw.get(child_name), context)
    elif isinstance(block, blocks.ListBlock):
        for value in _list_items(raw):
            collect(block.child_block, value, context)
    elif isinstance(block, blocks.RichTextBlock):
        context.collect_rich_text(raw)
    elif isinstance(block, ImageChooserBlock):
        context.image_ids.add(int(raw))
    elif isinstance(block, DocumentChooserBlock):
        context.document_ids.add(int(raw))
    elif isinstance(block, blocks.PageChooserBlock):
        context.page_ids.add(int(raw))
    elif isinstance(block, SnippetChooserBlock):
        if block.target_model is Person:
            context.person_ids.add(int(raw))
        elif block.target_model is Topic:
            context.topic_ids.add(int(raw))


# --- rendering -------------------------------------------------------------------


def render(block: blocks.Block, raw, context: RenderContext, page):
    """The JSON value of `raw` for `page` (whose language and site links are resolved for)."""
    if isinstance(block, blocks.StreamBlock):
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
    if isinstance(block, blocks.StructBlock):
        raw = raw or {}
        return {name: render(child, raw.get(name), context, page) for name, child in block.child_blocks.items()}
    if isinstance(block, blocks.ListBlock):
        return [render(block.child_block, value, context, page) for value in _list_items(raw)]
    if isinstance(block, blocks.RichTextBlock):
        return context.rich_text(raw or "", page.locale_id, page.url_path)
    if raw in (None, ""):
        return None if not isinstance(block, blocks.CharBlock | blocks.TextBlock) else ""
    if isinstance(block, ImageChooserBlock):
        return context.image(int(raw))
    if isinstance(block, DocumentChooserBlock):
        return context.document(int(raw))
    if isinstance(block, blocks.PageChooserBlock):
        return context.page_link(context.localized_page(int(raw), page.locale_id))
    if isinstance(block, SnippetChooserBlock):
        if block.target_model is Person:
            return context.person(int(raw), page.locale_id)
        return context.topic(int(raw), page.locale_id)
    return raw
