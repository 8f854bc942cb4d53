"""How each page type is exposed by the API: its fields, their schemas and how they render.

Each app declares its page types next to its models (`news/api.py`, ...) as a
`PageTypeAPI` listing `APIField`s; the pages router serves them all. A field
renders from the page and the response's `RenderContext`; when it refers to
other objects it says so in `collect`, so that they are loaded in bulk.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import create_model
from wagtail.models import Page

from . import api_schemas
from .api_render import RenderContext


@dataclass(frozen=True)
class APIField:
    name: str
    schema: Any
    render: Callable[[Page, RenderContext], Any]
    collect: Callable[[Page, RenderContext], None] | None = None
    in_summary: bool = False
    description: str = ""
    # Related objects the field reads, loaded with the pages themselves.
    select_related: tuple[str, ...] = ()
    # Bulk loader run once for all pages of a response before collecting
    # (e.g. the shots of every video page in one query).
    prefetch: Callable[[list[Page], RenderContext], None] | None = None


def attribute(name: str, schema: Any, *, in_summary=False, description="") -> APIField:
    """A plain model attribute exposed as it is."""
    return APIField(
        name, schema, lambda page, context: getattr(page, name), in_summary=in_summary, description=description
    )


@dataclass
class PageTypeAPI:
    model: type[Page]
    fields: list[APIField] = field(default_factory=list)
    # The field the `date` ordering and the `date_from`/`date_to` filters use.
    date_field: str | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def summary_field_names(self) -> list[str]:
        return [f.name for f in self.fields if f.in_summary]

    def add_field(self, api_field: APIField, *, before: str | None = None) -> None:
        """Expose another app's field on this type: that app depends on this one, never the reverse.

        (The downloads app adds its `download` offer to video pages this way.)
        Adding the same field again changes nothing.
        """
        if api_field in self.fields:
            return
        if api_field.name in self.field_names:
            raise ValueError(f"{self.label} already has a field named {api_field.name!r}")
        self.fields.insert(self.field_names.index(before) if before else len(self.fields), api_field)

    def fields_for(self, selection: set[str] | None) -> list[APIField]:
        """`None` means every field."""
        return [f for f in self.fields if selection is None or f.name in selection]

    def schema(self):
        definitions = {
            "type": (Literal[self.label], ...),
        }
        for api_field in self.fields:
            definitions[api_field.name] = (api_field.schema | None, None)
        name = self.model.__name__
        return create_model(
            name,
            __base__=api_schemas.PageItemBase,
            __doc__=f"{self.model._meta.verbose_name.title()}. Type fields appear as selected with `fields`.",
            **definitions,
        )

    def select_related(self) -> list[str]:
        # Not the locale: items show its code, from the cached directory (`locale_id` is enough).
        related = []
        for api_field in self.fields:
            related.extend(api_field.select_related)
        return related


class PageTypeRegistry:
    def __init__(self):
        self._types: dict[str, PageTypeAPI] = {}

    def register(self, *types: PageTypeAPI) -> None:
        for page_type in types:
            self._types[page_type.label] = page_type

    def __iter__(self) -> Iterable[PageTypeAPI]:
        return iter(self._types.values())

    def get(self, label: str) -> PageTypeAPI | None:
        return self._types.get(label)

    def for_model(self, model) -> PageTypeAPI | None:
        return self._types.get(model._meta.label)

    @property
    def labels(self) -> list[str]:
        return list(self._types)


page_types = PageTypeRegistry()
