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

`Last-Modified` is when the content of the response last changed: each change
records the time of each tag it bumps, and an entry keeps the latest time of
its tags (or the time from which this cache has tracked changes, for tags that
never changed since): see `_changed_at` and `_respond`.

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
import math
import time
from urllib.parse import unquote_plus

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe

from .content_events import ContentChange, listen

_collector: contextvars.ContextVar[set | None] = contextvars.ContextVar("cms_cache_tags", default=None)
# Tags whose current versions a part of the response already knows (`depends_on_fresh`), and its latest change.
_known: contextvars.ContextVar[dict | None] = contextvars.ContextVar("cms_cache_known", default=None)

# v2: entries keep the time their content changed (`changed_at`) rather than a rendered date.
# v3: and the name of their operation's gates (`gates`), for answers before the middleware (cms.early_answers).
ENTRY_PREFIX = "api:resp:v3:"
TAG_PREFIX = "api:tag:"
# The time (seconds since the epoch, a float) each tag was last bumped.
TAG_TIME_PREFIX = "api:tagtime:"
# The time from which this cache has seen every change: the last change of a tag never bumped since.
TRACKED_SINCE_KEY = "api:tracked-since"
ANY_CHANGE = "*"
# The epoch: the version of the tag every change bumps, last.
EPOCH_KEY = TAG_PREFIX + ANY_CHANGE


def depends_on(*tags: str) -> None:
    """Record that the response being rendered depends on `tags`."""
    collected = _collector.get()
    if collected is not None:
        collected.update(tags)


def depends_on_fresh(versions: dict[str, int], changed_at: float) -> None:
    """Like `depends_on`, for a part just found fresh in a cache: `versions` are current, `changed_at` its date.

    The response then reads neither again (a listing of cached items would
    read the versions and times of every tag of every item). They are as
    current as the epoch the part was checked at, which is no earlier than
    the response's own: a response is kept only if the epoch has not moved
    since, so they are still current then.
    """
    depends_on(*versions)
    known = _known.get()
    if known is not None:
        known["versions"].update(versions)
        known["changed_at"] = max(known["changed_at"], changed_at)


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


def _versions_and_change_time(tags) -> tuple[dict[str, int], float]:
    """The current version of each tag, and when the latest of them changed (one cache read).

    A tag with no recorded time has not changed since this cache began
    tracking (`TRACKED_SINCE_KEY`, set on first use, e.g. after the cache
    was emptied), so that moment is the latest its content can have changed.
    """
    keys = [TAG_PREFIX + tag for tag in tags] + [TAG_TIME_PREFIX + tag for tag in tags] + [TRACKED_SINCE_KEY]
    stored = cache.get_many(keys)
    since = stored.get(TRACKED_SINCE_KEY)
    if since is None:
        now = time.time()
        since = now if cache.add(TRACKED_SINCE_KEY, now, timeout=None) else cache.get(TRACKED_SINCE_KEY, now)
    changed_at = max([since, *(stored.get(TAG_TIME_PREFIX + tag, 0) for tag in tags)])
    return {tag: stored.get(TAG_PREFIX + tag, 0) for tag in tags}, changed_at


def current_versions(tags) -> dict[str, int]:
    """The current version of each tag (0 for a tag never bumped): for caches of parts of responses."""
    return _current_versions(tags)


def versions_and_change_time(tags) -> tuple[dict[str, int], float]:
    """The current version of each tag, and when the latest of them changed: for caches of parts of responses."""
    return _versions_and_change_time(tags)


def entry_timeout() -> int:
    return _entry_timeout()


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
    now = time.time()
    if _not_modified(request, entry, now):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(entry["body"], status=status, content_type="application/json")
    response["ETag"] = entry["etag"]
    # An HTTP date has whole seconds: rounded up, so that a date a client sends
    # back is later than the change only if it really is. A change within the
    # current second cannot be dated in the future (RFC 9110 8.8.2.1): the
    # response is dated now, which an `If-Modified-Since` then never matches.
    response["Last-Modified"] = http_date(min(math.ceil(entry["changed_at"]), math.floor(now)))
    response["Cache-Control"] = cache_control(private=bool(variant))
    response["Vary"] = CALLER_HEADERS
    return response


def _not_modified(request, entry, now: float) -> bool:
    """Whether the caller's copy is current (RFC 9110 13.2.2: If-None-Match, when sent, decides alone)."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        candidates = _parse_etags(if_none_match)
        return entry["etag"] in candidates or "*" in candidates
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    # A date in the future is no date the server gave (RFC 9110 13.1.3): ignored.
    return since is not None and entry["changed_at"] <= since <= now


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


def fresh_entry(request) -> tuple[str, dict | None]:
    """(caller variant, fresh entry or None) for `request`, looked up once per request whoever asks first."""
    _cache_key, variant, entry, _epoch = _probe(request)
    return variant, entry


def entry_response(request, entry: dict, variant: str = "") -> HttpResponse:
    """The answer to `request` from a fresh entry: the content, or 304 when the caller's copy is current."""
    return _respond(request, entry, variant=variant)


def cached_response(request) -> HttpResponse | None:
    """What `cached_json` would answer `request` without rendering: a fresh entry's response, or None."""
    if not getattr(settings, "CMS_API_CACHE_ENABLED", True):
        return None
    _cache_key, variant, entry, _epoch = _probe(request)
    return None if entry is None else _respond(request, entry, variant=variant)


def cached_json(request, render) -> HttpResponse:
    """Serve `render()` (which returns JSON bytes) through the tagged cache, with ETag/304."""
    if not getattr(settings, "CMS_API_CACHE_ENABLED", True):
        # Still conditional, but every request renders: for benchmarks and debugging.
        variant = caller_variant(request)
        body, _versions, changed_at = _render_collecting_tags(render)
        return _respond(request, {"body": body, "etag": _etag(body), "changed_at": changed_at}, variant=variant)
    key, variant, entry, epoch_before = _probe(request)
    if entry is not None:
        return _respond(request, entry, variant=variant)

    body, versions, changed_at = _render_collecting_tags(render)
    entry = {
        "body": body,
        "etag": _etag(body),
        "changed_at": changed_at,
        "tags": versions,
        "epoch": epoch_before,
        # Which gates a hit must pass (set by cms.apikit.CacheFirstOperation; None: only the full path answers).
        "gates": getattr(request, "_cms_gates", None),
    }
    # A change committed while this rendered may not be in the body, yet its
    # new tag versions were just read: such an entry is served but not kept.
    if cache.get(EPOCH_KEY, 0) == epoch_before:
        cache.set(key, entry, timeout=_entry_timeout())
    return _respond(request, entry, variant=variant)


def collecting_tags(render, tags: set[str] | None = None):
    """(`render()`, the tags it depended on): `tags` and what it records, kept apart from the outer collector."""
    tags = set() if tags is None else tags
    token = _collector.set(tags)
    try:
        result = render()
    finally:
        _collector.reset(token)
    return result, tags


def _render_collecting_tags(render) -> tuple[bytes, dict[str, int], float]:
    known = {"versions": {}, "changed_at": 0.0}
    token = _known.set(known)
    try:
        body, tags = collecting_tags(render)
    finally:
        _known.reset(token)
    # Read after rendering: a change made meanwhile is then dated in (or makes the entry stale).
    versions, changed_at = _versions_and_change_time(tags.difference(known["versions"]))
    return body, {**versions, **known["versions"]}, max(changed_at, known["changed_at"])


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def bump(*tags: str) -> None:
    # The times first: a response rendered between the two writes then has a
    # date at least as late as the change, or the old version and so is stale.
    now = time.time()
    cache.set_many({TAG_TIME_PREFIX + tag: now for tag in tags}, timeout=None)
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
    elif change.model == "videos.Video":
        tags += [f"video:{pk}" for pk in change.ids]
    elif change.event.startswith("image."):
        tags += [f"image:{pk}" for pk in change.ids]
    return tags


@listen
def invalidate(change: ContentChange) -> None:
    bump(*tags_for_change(change), ANY_CHANGE)


def invalidate_everything() -> None:
    """Make every cached response stale, e.g. after a bulk import that sent no content events."""
    # What changed is not known: every tag may have changed now.
    cache.set(TRACKED_SINCE_KEY, time.time(), timeout=None)
    bump("visibility", "listing:*", "people", "topics", "sites", ANY_CHANGE)
