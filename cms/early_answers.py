"""Anonymous cache hits of the content API, answered before the rest of Django's middleware runs.

About a third of a cached answer's CPU time was the middleware stack:
CommonMiddleware, CSRF, authentication, messages, redirects, allauth, none of
which a cache hit for an anonymous reader needs. This middleware sits right
after LocaleMiddleware, so the language is active and every middleware before
it (CORS, gzip, problem documents, security, sessions, locale) still processes
what it answers. It answers a fresh cache entry itself, through the gates the
full path runs, from their own code:

- the operation's own checks (`CacheFirstOperation.check`): authentication,
  which for a request without a key is the anonymous reader, then its rate
  limits, so the same 429 problem document with Retry-After;
- the same conditional answer (`cms.caching.entry_response`): ETag and
  If-None-Match, Last-Modified and If-Modified-Since, Cache-Control, Vary;
- what the middleware after this one adds to such an answer: Content-Length
  (CommonMiddleware, whose request checks run first too) and X-Frame-Options.

An entry names its operation's gates (`gates`, recorded on the miss that
stored it): an operation that needs a key names none, and one this process
has not run yet is unknown here; both fall through. So does anything that is
not a plain anonymous GET hit: another method (HEAD included, which the API
answers 405), a request with a key or with a header a caller-dependent field
may read (`cms.caching.CALLER_HEADERS`), a miss, a cache that cannot be
reached. A fall-through costs one lookup, which the full path then reuses.
"""

from django.conf import settings
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.common import CommonMiddleware

from .apikit import UNAVAILABLE_ERRORS, gated_operation, service_unavailable
from .caching import CALLER_HEADERS, entry_response, fresh_entry


def _meta_name(header: str) -> str:
    return "HTTP_" + header.strip().upper().replace("-", "_")


# A key (cms.api_access reads both), or what a caller-dependent field may look at: the full path decides.
_CALLER_META = tuple(_meta_name(header) for header in ("Authorization", "X-API-Key", *CALLER_HEADERS.split(",")))


def _may_answer(request) -> bool:
    if request.method != "GET" or not request.path.startswith("/api/"):
        return False
    if not (settings.CMS_API_EARLY_ANSWERS and getattr(settings, "CMS_API_CACHE_ENABLED", True)):
        return False
    return not any(request.META.get(name) for name in _CALLER_META)


class EarlyAnswerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._common = CommonMiddleware(get_response)
        self._frame_options = XFrameOptionsMiddleware(get_response)

    def __call__(self, request):
        response = self._early_answer(request) if _may_answer(request) else None
        return self.get_response(request) if response is None else response

    def _early_answer(self, request):
        try:
            # CommonMiddleware's refusals and redirects (a bad host, a barred user agent) are the full path's.
            if self._common.process_request(request) is not None:
                return None
            variant, entry = fresh_entry(request)
        except Exception:  # the full path meets it again and answers it: 400, 503
            return None
        operation = gated_operation(entry.get("gates")) if entry is not None and not variant else None
        if operation is None:
            return None
        try:
            refused = operation.check(request)
        except UNAVAILABLE_ERRORS as exc:  # the rate limit's cache went away: as ApiProblemMiddleware answers it
            refused = service_unavailable(request, exc)
        response = refused or entry_response(request, entry)
        response = self._common.process_response(request, response)
        return self._frame_options.process_response(request, response)
