"""Parameter types whose declared schema is exactly what the server checks: days, field lists, page types.

What the document declares for them depends on the page types registered
when `/api/v1/` is assembled (cms/api.py), after these types are defined: so
their JSON schema is computed when the document is built (`_Lazy`), and the
validators read the same registry when a request is checked.

- `Day`: a calendar day spelt `YYYY-MM-DD`, nothing else (pydantic would
  also take a timestamp or a datetime at midnight, which the document's
  `format: date` does not allow);
- `FieldList`: `*`, `summary`, or a comma-separated list of the fields of
  the page types, the pattern the document declares; a name no requested
  type has is simply absent from its items;
- `page_type_label(labels)`: one of the labels `labels()` gives (an enum).
"""

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

from .api_contract import MAX_FIELDS_LENGTH, MAX_NAME_LENGTH
from .api_schemas import PageItemBase
from .content_types import page_types


class _Lazy:
    """Pydantic metadata: `update()` is merged into the JSON schema when the document is built."""

    def __init__(self, update: Callable[[], dict[str, Any]]) -> None:
        self.update = update

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema.update(self.update())
        return schema


# --- days ---------------------------------------------------------------------------------------

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value):
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError(_("a day is written YYYY-MM-DD"))
    return value


Day = Annotated[date, BeforeValidator(_iso_day), WithJsonSchema({"type": "string", "format": "date"})]


# --- field lists --------------------------------------------------------------------------------


def field_names() -> list[str]:
    """Every name `fields` may list: the fields of every page type and those every item carries."""
    names = set(PageItemBase.model_fields)
    for page_type in page_types:
        names.update(page_type.field_names)
    return sorted(names)


def fields_pattern() -> str:
    name = "(?:" + "|".join(re.escape(name) for name in field_names()) + ")"
    return rf"^ *(?:\*|summary|{name}(?: *, *{name})*) *$"


def _known_fields(value: str) -> str:
    if not re.fullmatch(fields_pattern(), value):
        known = set(field_names())
        unknown = sorted({part.strip() for part in value.split(",")} - known - {"*", "summary"})
        raise ValueError(
            _("Unknown field(s): %(unknown)s. Fields: `*`, `summary` or a comma-separated list of %(known)s.")
            % {"unknown": ", ".join(unknown) or repr(value), "known": ", ".join(sorted(known))}
        )
    return value


#: The `fields` parameter (give it its default and description with `Field`).
FieldList = Annotated[
    str,
    Field(max_length=MAX_FIELDS_LENGTH),
    AfterValidator(_known_fields),
    _Lazy(lambda: {"pattern": fields_pattern()}),
]


# --- page types ---------------------------------------------------------------------------------


def page_type_label(labels: Callable[[], list[str]]):
    """A page type's label (`news.NewsArticlePage`), one of `labels()`: an enum in the document."""

    def known(value: str) -> str:
        if value not in labels():
            raise ValueError(
                _("unknown page type(s): %(unknown)s; known: %(known)s")
                % {"unknown": value, "known": ", ".join(sorted(labels()))}
            )
        return value

    return Annotated[
        str, Field(max_length=MAX_NAME_LENGTH), AfterValidator(known), _Lazy(lambda: {"enum": sorted(labels())})
    ]
