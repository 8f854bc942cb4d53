"""Cached, conditional API responses, invalidated precisely by content changes.

Each rendered response is stored in the Django cache (Redis in production)
with the *tags* of everything it contains (pages, translation groups,
people, topics, images, listings of a type) and the version each tag had
when it was rendered. A content change bumps the versions of the tags it
touches (see `invalidate`), which makes exactly the affected responses stale;
nothing else is thrown away. Every change also bumps one global counter, the
*epoch*, and an entry remembers the epoch it was last found fresh at: while
nothing at all has changed since, a hit is one cache read (the entry and the
epoch together) and no database query, without reading the dozens of tag
versions a listing carries. After any change, the first hit on each entry
compares its tags once and stamps it with the new epoch. `If-None-Match` on a
fresh entry answers 304 the same way.

A few fields depend on who is asking (whether the caller may download a
video). Apps declare such a dependency with `vary_by_caller`: a function
that maps the request to a short variant (empty for anonymous callers, and
free to compute for them). The variant joins the cache key, and a
response for an identified caller is marked `private`.

Tags are recorded while a response renders through a context variable, so
the code that loads a page or an image says what the response depends on
at the place it loads it (`depends_on`).
"""

import contextvars
import hashlib
from email.utils import format_datetime
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone

from .content_events import ContentChange, listen

_collector: contextvars.ContextVar[set | None] = contextvars.ContextVar("cms_cache_tags", default=None)

ENTRY_PREFIX = "api:resp:v1:"
TAG_PREFIX = "api:tag:"
ANY_CHANGE = "*"
# The epoch: the version of the tag every change bumps, last.
EPOCH_KEY = TAG_PREFIX + ANY_CHANGE


def depends_on(*tags: str) -> None:
    """Record that the response being rendered depends on `tags`."""
    collected = _collector.get()
    if collected is not None:
        collected.update(tags)


# The request headers a caller-dependent field may look at (see `vary_by_caller`).
CALLER_HEADERS = "X-Session-Token, Cookie"
_caller_variants = []


def vary_by_caller(variant):
    """Register `variant(request) -> str`: what, about the caller, responses depend on ("" when nothing)."""
    _caller_variants.append(variant)
    return variant


def caller_variant(request) -> str:
    return "|".join(part for part in (variant(request) for variant in _caller_variants) if part)


def cache_control(private: bool = False) -> str:
    max_age = getattr(settings, "CMS_API_CACHE_MAX_AGE", 60)
    stale = getattr(settings, "CMS_API_CACHE_STALE_WHILE_REVALIDATE", 300)
    return f"{'private' if private else 'public'}, max-age={max_age}, stale-while-revalidate={stale}"


def _key(request, variant: str = "") -> str:
    # The host is part of the key because responses carry absolute media URLs.
    raw = f"{request.get_host()}|{request.path}|{_canonical_query(request)}|{variant}"
    return ENTRY_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def _canonical_query(request) -> str:
    """The query string with its parameters in name order, each name's values in the order sent.

    Built from the raw string rather than `request.GET`, whose parsing was a
    tenth of a cache hit: values stay as sent, so two spellings of one value
    (`%C3%A9` and `é`) are two entries, never one entry for two queries.
    Names are decoded for sorting, so `typ%65=b&type=a` and `type=a&typ%65=b`,
    which parse to different lists, stay different here too.
    """
    pairs = [pair for pair in request.META.get("QUERY_STRING", "").split("&") if pair]
    return "&".join(sorted(pairs, key=lambda pair: unquote_plus(pair.partition("=")[0])))


def _current_versions(tags) -> dict[str, int]:
    stored = cache.get_many([TAG_PREFIX + tag for tag in tags])
    return {tag: stored.get(TAG_PREFIX + tag, 0) for tag in tags}


def _lookup(key: str) -> tuple[dict | None, int]:
    """The fresh entry under `key` (or None), and the epoch read before its tags.

    The epoch is read before any tag version: a change bumps its tags, then the
    epoch, so a change this lookup missed leaves the epoch above the one
    stamped, and the next lookup compares the tags again.
    """
    found = cache.get_many([key, EPOCH_KEY])
    entry, epoch = found.get(key), found.get(EPOCH_KEY, 0)
    if entry is None:
        return None, epoch
    if entry.get("epoch") == epoch:
        return entry, epoch
    if _current_versions(entry["tags"]) != entry["tags"]:
        return None, epoch
    # Still fresh after other changes: stamp it, so that the next hits skip the tag versions again.
    cache.set(key, {**entry, "epoch": epoch}, timeout=_entry_timeout())
    return entry, epoch


def _entry_timeout() -> int:
    return getattr(settings, "CMS_API_CACHE_TIMEOUT", 24 * 3600)


def _respond(request, entry, status=200, variant: str = "") -> HttpResponse:
    candidates = _parse_etags(request.headers.get("If-None-Match", ""))
    if entry["etag"] in candidates or "*" in candidates:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry["body"], status=status, content_type="application/json")
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = entry["last_modified"]
    response["Cache-Control"] = cache_control(private=bool(variant))
    response["Vary"] = CALLER_HEADERS
    return response


def _parse_etags(header: str) -> list[str]:
    # If-None-Match compares weakly (RFC 9110), so W/"x" matches "x".
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def _probe(request) -> tuple[str, str, dict | None, int]:
    """(key, caller variant, fresh entry or None, epoch) for `request`, looked up once per request.

    `cms.apikit.CacheFirstOperation` looks before ninja parses the parameters;
    on a miss the view's `cached_json` reuses that lookup rather than asking
    the cache again. The epoch is still read before anything is rendered.
    """
    probe = getattr(request, "_cms_cache_probe", None)
    if probe is None:
        variant = caller_variant(request)
        key = _key(request, variant)
        entry, epoch = _lookup(key)
        probe = request._cms_cache_probe = (key, variant, entry, epoch)
    return probe


def cached_response(request) -> HttpResponse | None:
    """What `cached_json` would answer `request` without rendering: a fresh entry's response, or None."""
    if not getattr(settings, "CMS_API_CACHE_ENABLED", True):
        return None
    _cache_key, variant, entry, _epoch = _probe(request)
    return None if entry is None else _respond(request, entry, variant=variant)


def cached_json(request, render) -> HttpResponse:
    """Serve `render()` (which returns JSON bytes) through the tagged cache, with ETag/304."""
    if not getattr(settings, "CMS_API_CACHE_ENABLED", True):
        # Still conditional (ETag from the body), but every request renders: for benchmarks and debugging.
        variant = caller_variant(request)
        body = render()
        return _respond(request, {"body": body, "etag": _etag(body), "last_modified": _now_http()}, variant=variant)
    key, variant, entry, epoch_before = _probe(request)
    if entry is not None:
        return _respond(request, entry, variant=variant)

    tags: set[str] = set()
    token = _collector.set(tags)
    try:
        body = render()
    finally:
        _collector.reset(token)
    entry = {
        "body": body,
        "etag": _etag(body),
        "last_modified": _now_http(),
        "tags": _current_versions(tags),
        "epoch": epoch_before,
    }
    # A change committed while this rendered may not be in the body, yet its
    # new tag versions were just read: such an entry is served but not kept.
    if cache.get(EPOCH_KEY, 0) == epoch_before:
        cache.set(key, entry, timeout=_entry_timeout())
    return _respond(request, entry, variant=variant)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _now_http() -> str:
    return format_datetime(timezone.now(), usegmt=True)


def bump(*tags: str) -> None:
    for tag in tags:
        key = TAG_PREFIX + tag
        try:
            cache.incr(key)
        except ValueError:
            # First change of this tag: start above the implicit 0 of every entry.
            cache.add(key, 1, timeout=None) or cache.incr(key)


def tags_for_change(change: ContentChange) -> list[str]:
    tags = []
    if change.event == "page.restriction_changed":
        # A private section hides every page below it: everything showing pages is stale.
        tags.append("visibility")
    if change.event.startswith("page."):
        tags += [f"page:{pk}" for pk in change.ids]
        tags += [f"pagekey:{key}" for key in change.translation_keys]
        tags += [f"listing:{label}" for label in change.page_types] + ["listing:*", "sites"]
    elif change.model == "taxonomy.Person":
        tags += [f"person:{key}" for key in change.translation_keys] + ["people"]
    elif change.model == "taxonomy.Topic":
        tags += [f"topic:{key}" for key in change.translation_keys] + ["topics"]
    elif change.event.startswith("image."):
        tags += [f"image:{pk}" for pk in change.ids]
    return tags


@listen
def invalidate(change: ContentChange) -> None:
    bump(*tags_for_change(change), ANY_CHANGE)


def invalidate_everything() -> None:
    """Make every cached response stale, e.g. after a bulk import that sent no content events."""
    bump("visibility", "listing:*", "people", "topics", "sites", ANY_CHANGE)
