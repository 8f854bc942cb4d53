"""The conventions every router of `/api/v1/` follows, and that every app imports.

This module imports no app: the apps build on it, and the assembly of the API
(`cms.api`, imported only by `cms.urls`) builds on the apps. Conventions:
- errors are RFC 9457 `application/problem+json` documents (`problem()`);
- request validation failures are 400 with the failing parameters listed;
- a query parameter the operation does not declare is an error, never
  silently ignored (`StrictRouter`).
"""

import functools
import inspect
import logging
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.constants import NOT_SET
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from ninja.params.models import BodyModel, PathModel, QueryModel, _MultiPartBodyModel
from ninja.signature import ViewSignature

from .caching import cached_response

PROBLEM_JSON = "application/problem+json"
# The deepest `offset` a listing accepts (as Elasticsearch's max_result_window): scanning past it
# costs the database more than any front end needs, and an unbounded integer overflowed the
# database's own (a 500 for `offset=9223372036854775808`). Deeper results: narrow the filters.
MAX_OFFSET = 10_000


class Problem(Schema):
    """An error, as RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    code: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem(status: int, detail: str = "", *, code: str | None = None, errors=None, headers=None) -> HttpResponse:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, code=code, errors=errors)
    response = HttpResponse(body.model_dump_json(exclude_none=True), status=status, content_type=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ProblemError(Exception):
    """An error an app raises to answer with a problem document of its own.

    The handler is installed with the others (`install_problem_handlers`), so
    an app declares its failure where it happens without reaching for the
    assembled API.
    """

    def __init__(self, status: int, detail: str = "", *, code: str | None = None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.code, self.headers = status, detail, code, headers or {}


def _declared_query_parameters(path: str, view_func) -> set[str]:
    """The query parameter names an operation declares, as clients spell them (aliases)."""
    names = set()
    for model in ViewSignature(path, view_func).models:
        if not issubclass(model, QueryModel) or issubclass(model, PathModel):
            continue
        flatten_map = getattr(model, "__ninja_flatten_map__", None)
        if flatten_map:
            names.update(flatten_map)
        else:
            names.update(field.alias or name for name, field in model.model_fields.items())
    return names


class UnknownQueryParameters(Exception):
    def __init__(self, unknown: list[str], allowed: set[str]):
        self.unknown, self.allowed = unknown, allowed


def reject_unknown_query_parameters(path: str, view_func):
    """Wrap a view so that a query parameter it does not declare fails with 400.

    django-ninja drops undeclared parameters silently, so a typo such as
    `?limt=5` or a filter that does not exist would quietly return something
    else than the client asked for.
    """
    allowed = _declared_query_parameters(path, view_func)

    @functools.wraps(view_func)
    def checked(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            raise UnknownQueryParameters(unknown, allowed)
        return view_func(request, *args, **kwargs)

    checked.__signature__ = inspect.signature(view_func)
    return checked


# Answers any operation can give, each a problem document: 405 for a method its path does not serve
# (cms.api_errors, with Allow), 500 for a failure on the server's side, 503 while the database or the
# cache is unreachable (a restart, a failover; `unavailable` below, with Retry-After).
ERROR_RESPONSES = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    405: Problem,
    429: Problem,
    500: Problem,
    503: Problem,
}


def answered_from_cache(view_func):
    """Mark a GET view whose whole answer is `cms.caching.cached_json(request, ...)`.

    Put it under the router's decorator. Its operation then serves a fresh
    cached response before parsing its parameters (`CacheFirstOperation`).
    """
    view_func.answered_from_cache = True
    return view_func


# Operations answered from the cache, by `CacheFirstOperation.gates_name`, as this process has run them.
_GATED_OPERATIONS: dict[str, "CacheFirstOperation"] = {}


def gated_operation(name: str | None) -> "CacheFirstOperation | None":
    """The operation whose gates a cache entry names, if this process has run it (else None: not answered early)."""
    return _GATED_OPERATIONS.get(name) if name else None


class CacheFirstOperation(Operation):
    """An operation that looks its response up in the API cache before parsing its parameters.

    Authentication and rate limits still run first, as for any operation. A
    cached entry is keyed by the exact host, path, parameters and caller
    variant of a request that was parsed, validated and rendered before, so
    the parameters of a request that finds one are known to be valid:
    parsing them again (ninja's pydantic models, the unknown-parameter check)
    would only repeat that work, and it was about a third of a cache hit's
    CPU time. On a miss, ninja's own `run` continues as usual, without
    running the checks twice.
    """

    def run(self, request: HttpRequest, **kw):
        # Named (and so known to cms.early_answers) on the first request of this process, hit or miss.
        gates = self.gates_name()
        error = self._run_checks(request)
        if error:
            return error
        try:
            hit = cached_response(request)
        except Exception as exc:  # the cache being down is answered as ninja answers any failure
            return self.api.on_exception(request, exc)
        if hit is not None:
            return hit
        request._cms_api_checks_passed = True
        # The entry this miss stores names the operation whose gates a later hit must pass (cms.early_answers).
        request._cms_gates = gates
        return super().run(request, **kw)

    def gates_name(self) -> str | None:
        """The name its cache entries give this operation's gates, when an anonymous caller may pass them.

        The same in every process (the API's namespace and the view's path), so
        an entry one worker stored finds this operation in another, once that
        one has run it; None for an operation that needs a key.
        """
        name = self.__dict__.get("_cms_gates_name", NOT_SET)
        if name is NOT_SET:
            anonymous = not self.auth_callbacks or any(
                getattr(callback, "allows_anonymous", False) for callback in self.auth_callbacks
            )
            view = self.view_func
            name = f"{self.api.urls_namespace}:{view.__module__}.{view.__qualname__}" if anonymous else None
            self._cms_gates_name = name
            if name is not None:
                _GATED_OPERATIONS[name] = self
        return name

    def check(self, request: HttpRequest) -> HttpResponse | None:
        """This operation's gates (authentication, rate limits) for a hit answered outside it; None: passed."""
        return self._run_checks(request)

    def _run_checks(self, request: HttpRequest):
        if getattr(request, "_cms_api_checks_passed", False):
            return None  # run() above has authenticated and counted this request already
        return super()._run_checks(request)


def _has_json_body(path: str, view_func) -> bool:
    return any(
        issubclass(model, BodyModel) and not issubclass(model, _MultiPartBodyModel)
        for model in ViewSignature(path, view_func).models
    )


def is_json(request: HttpRequest) -> bool:
    """Whether the request says its body is JSON (`application/json` or a `+json` type, any parameters)."""
    return request.content_type == "application/json" or request.content_type.endswith("+json")


class JsonBodyOperation(Operation):
    """An operation whose body is JSON: another declared content type is refused with 415.

    ninja parses any body as JSON whatever its Content-Type, and turns every
    failure of its parser (`NinjaAPI.parser`) into a 400, so the check cannot
    live in a Parser: it runs here, after authentication and rate limits and
    before the body is parsed.
    """

    def _run_checks(self, request: HttpRequest):
        error = super()._run_checks(request)
        # No body at all is not a body of the wrong type: the parser answers 400 (body required).
        if error or is_json(request) or not request.body:
            return error
        return problem(
            415,
            _("Send the request body as JSON, with the header Content-Type: application/json."),
            code="unsupported_media_type",
        )


class StrictRouter(Router):
    """A ninja Router whose operations refuse undeclared query parameters and declare their errors.

    Errors are raised and turned into problem documents by the handlers below;
    declaring them here puts them in the OpenAPI document beside the success
    schema, so clients can generate types for both.
    """

    def add_api_operation(self, path, methods, view_func, **kwargs):
        json_body = _has_json_body(path, view_func)
        errors = {**ERROR_RESPONSES, 415: Problem} if json_body else ERROR_RESPONSES
        response = kwargs.get("response", NOT_SET)
        if response is not NOT_SET and response is not None and not isinstance(response, dict):
            kwargs["response"] = {200: response, **errors}
        elif isinstance(response, dict):
            kwargs["response"] = {**errors, **response}
        super().add_api_operation(path, methods, reject_unknown_query_parameters(path, view_func), **kwargs)
        if json_body:
            self.path_operations[path].operations[-1].__class__ = JsonBodyOperation
        if getattr(view_func, "answered_from_cache", False):
            if methods != ["GET"] or inspect.iscoroutinefunction(view_func):
                raise TypeError(f"{view_func.__name__}: only synchronous GET views are answered from the cache")
            # ninja builds its operations itself (PathView.add_operation) and has no
            # setting for their class; its clones keep the class they copy.
            operation = self.path_operations[path].operations[-1]
            operation.__class__ = CacheFirstOperation


def install_problem_handlers(api) -> None:
    """Give `api` this module's error answers: every failure becomes a problem document."""
    for exception, handler in _HANDLERS.items():
        api.add_exception_handler(exception, handler)


_HANDLERS: dict[type[Exception], Any] = {}


def _handles(exception: type[Exception]):
    def register(handler):
        _HANDLERS[exception] = handler
        return handler

    return register


@_handles(UnknownQueryParameters)
def unknown_query_parameters(request: HttpRequest, exc: UnknownQueryParameters):
    return problem(
        400,
        _("Unknown query parameter(s): %(unknown)s. Allowed: %(allowed)s.")
        % {"unknown": ", ".join(exc.unknown), "allowed": ", ".join(sorted(exc.allowed)) or _("none")},
        code="unknown_parameter",
        errors=[{"loc": ["query", name], "msg": _("Unknown parameter."), "type": "unknown"} for name in exc.unknown],
    )


@_handles(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError):
    errors = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type", "invalid")}
        for error in exc.errors
    ]
    summary = "; ".join(f"{'.'.join(map(str, e['loc'][1:])) or e['loc'][0]}: {e['msg']}" for e in errors)
    return problem(400, summary, code="invalid_request", errors=errors)


@_handles(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return problem(404, str(exc) or _("Not found."), code="not_found")


@_handles(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError):
    return problem(401, _("Authentication required."), code="not_authenticated")


@_handles(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied):
    return problem(403, str(exc) or _("Permission denied."), code="permission_denied")


@_handles(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    return problem(exc.status_code, str(exc))


def _cache_connection_errors() -> tuple[type[Exception], ...]:
    """The errors of Django's Redis cache when the server cannot be reached (redis-py is optional)."""
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:
        return ()
    return (RedisConnectionError, RedisTimeoutError)


def service_unavailable(request: HttpRequest, exc: Exception):
    """The database or the cache went away under the request (a restart, a failover, a connection ended).

    Django drops a broken database connection when the request ends and the
    next one opens a new one; redis-py reconnects on the next command. So
    trying again is the cure: 503 with Retry-After says so.
    """
    # Logged in full: SQLite also reports some mistakes (a missing table) as OperationalError.
    logging.getLogger("cms.api").error("Service unavailable", exc_info=exc)
    return problem(
        503,
        _("The service is briefly unavailable. Try again in a moment."),
        code="unavailable",
        headers={"Retry-After": "1"},
    )


#: What the database and the cache raise while they cannot be reached: a 503, not a 500.
UNAVAILABLE_ERRORS = (DatabaseInterfaceError, DatabaseOperationalError, *_cache_connection_errors())
for _unavailable in UNAVAILABLE_ERRORS:
    _handles(_unavailable)(service_unavailable)


@_handles(Exception)
def server_error(request: HttpRequest, exc: Exception):
    if settings.DEBUG:
        raise exc
    # The traceback goes to the logs; the client gets a problem document
    # rather than an HTML error page.
    logging.getLogger("cms.api").exception("Unhandled API error", exc_info=exc)
    return problem(500, _("Something went wrong on our side."), code="server_error")


@_handles(ProblemError)
def problem_error(request: HttpRequest, exc: ProblemError):
    return problem(exc.status, exc.detail, code=exc.code, headers=exc.headers)
