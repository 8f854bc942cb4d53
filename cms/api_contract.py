"""What `/api/v1/` promises in its OpenAPI document, and the parameter types that keep the promise.

Every parameter is bounded, in the document and in the validation that
enforces it, so a generated client or a fuzzer learns the limits from the
schema rather than from a 400 (or, past a database's integer range, a 500):

- `Id`: a database id, 1 to `MAX_ID`;
- `Language`: one of `CONTENT_LANGUAGES` (an enum in the document);
- `bounded(n)`: a string of at most `n` characters (names, paths, tokens).

`ContractAPI` is ninja's `NinjaAPI` with the document post-processed, as
ninja builds it from the response models and security classes and has no
setting for either:

- error answers are declared `application/problem+json`, the type they are
  sent with (ninja declares every response with its renderer's type);
- every operation may answer 500 (a problem document too);
- an operation whose auth accepts anonymous callers (an auth callback marked
  `allows_anonymous`) lists `{}` among its security requirements, as OpenAPI
  spells "no credentials needed";
- OpenAPI links (`Link`, given to `ContractAPI(links=...)`) say where a value
  of an answer is used next (a listing's item id in its detail), so a client
  generator or a stateful fuzzer can follow them.
"""

from dataclasses import dataclass
from typing import Annotated

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from pydantic import AfterValidator, Field, WithJsonSchema

from .apikit import PROBLEM_JSON

# The largest id of any table: ids are 64-bit signed integers (Django's BigAutoField, SQLite's
# INTEGER; Wagtail's 32-bit page ids compare fine against it). A larger number is no id at all,
# and a database given one may fail (an overflow) instead of finding nothing.
MAX_ID = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# Host names (`Site.hostname`), front-end paths, field lists: generous, and far below what costs anything.
MAX_HOSTNAME_LENGTH = 255
MAX_PATH_LENGTH = 2048
MAX_FIELDS_LENGTH = 1000
MAX_NAME_LENGTH = 100
MAX_TOKEN_LENGTH = 1000


def bounded(max_length: int):
    """A string parameter of at most `max_length` characters."""
    return Annotated[str, Field(max_length=max_length)]


def _known_language(code: str) -> str:
    if code not in settings.CONTENT_LANGUAGES:
        raise ValueError(_("Unknown locale “%(code)s”.") % {"code": code})
    return code


def _language_schema() -> dict:
    return {"type": "string", "enum": list(settings.CONTENT_LANGUAGES)}


# Read when the API's modules are imported, as the page types are: the languages are configuration.
Language = Annotated[str, AfterValidator(_known_language), WithJsonSchema(_language_schema())]


@dataclass(frozen=True)
class Link:
    """An OpenAPI link: the `status` answer of operation `source` gives `parameters` of operation `target`.

    `parameters` maps the target's parameter names to runtime expressions, e.g.
    `{"page_id": "$response.body#/items/0/id"}`.
    """

    source: str
    target: str
    parameters: dict[str, str]
    status: int = 200
    description: str = ""

    @property
    def name(self) -> str:
        return f"{self.target}.{'.'.join(self.parameters)}"


class ContractSchema(OpenAPISchema):
    def operation_details(self, operation) -> dict:
        result = super().operation_details(operation)
        for link in self.api.links:
            if link.source == result["operationId"]:
                response = result["responses"][link.status]
                response.setdefault("links", {})[link.name] = {
                    "operationId": link.target,
                    "parameters": link.parameters,
                    "description": link.description,
                }
        return result

    def __init__(self, api, path_prefix):
        super().__init__(api, path_prefix)
        # A link to or from an operation that was renamed or removed would mislead quietly.
        unknown = {name for link in api.links for name in (link.source, link.target)} - self.all_operation_ids
        if unknown:
            raise ValueError(f"OpenAPI links name unknown operations: {', '.join(sorted(unknown))}")

    def responses(self, operation) -> dict:
        result = super().responses(operation)
        for status, response in result.items():
            content = response.get("content") or {}
            if status >= 400 and self.api.renderer.media_type in content:
                response["content"] = {PROBLEM_JSON: content[self.api.renderer.media_type]}
        return result

    def operation_security(self, operation):
        security = super().operation_security(operation)
        if security and any(getattr(auth, "allows_anonymous", False) for auth in operation.auth_callbacks):
            security.append({})
        return security


class ContractAPI(NinjaAPI):
    def __init__(self, *args, links: tuple[Link, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.links = links

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return ContractSchema(api=self, path_prefix=path_prefix)
