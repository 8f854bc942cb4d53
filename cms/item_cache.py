"""Rendered page items, cached one by one: a listing at a new offset reuses the items other responses rendered.

The whole-response cache (`cms.caching`) keys a response by its URL, so every
offset of a listing is rendered from scratch, though its items were rendered
by the neighbouring offsets, by other filters and by the details. Here each
item is kept on its own, under a key naming everything its JSON is made of:

- the page's id, its type, its `url_path` and its live revision, read from
  the database by the listing's id query: a publish (a new revision) or a
  move (the page's or an ancestor's, which changes the path) gives the item
  a new key, whatever events were sent;
- the names of the fields rendered for its type;
- `CMS_API_ITEM_CACHE_VERSION` (default empty: a new value starts afresh; the
  tests give each test its own, as their database is rolled back under the
  shared cache), the caller's origin (rendition and document URLs are absolute), the
  caller variant (`vary_by_caller`), the active language, and the site
  directory (homes, their host names and languages);

and validated, as a response is, by the versions of the tags its rendering
recorded (its own `page:` tag, every page key, image, person, topic and video
it showed or linked to, and `visibility`, which `invalidate_everything` bumps):
a change that bumps one of them makes it stale. Apart from the `page:` tag,
the tags are those of the batch rendered together (the missing items of one
response, which share their bulk loads), so an item may be dropped by a change
to its neighbour, never kept past a change of its own. The same epoch as the
response cache spares the tag reads while nothing changed, and an item
rendered while a change committed is not kept. A response made of cached items
depends on their tags as if it had rendered them (`depends_on_fresh`, with the
versions and date just checked), so its own entry, ETag and `Last-Modified`
are as before.

Previews never come here (drafts are rendered from revisions by
`cms.preview_api`); `is_fallback` is the listing's and is set on the way out.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from .caching import (
    EPOCH_KEY,
    caller_variant,
    collecting_tags,
    current_versions,
    depends_on_fresh,
    entry_timeout,
    versions_and_change_time,
)
from .content_types import page_types
from .page_queries import ItemRow
from .page_rendering import render_pages
from .routing import HomeDirectory

# v1: {"item": dict, "tags": {tag: version}, "changed_at": float, "epoch": int}
ITEM_PREFIX = "api:item:v1:"


def enabled() -> bool:
    return getattr(settings, "CMS_API_ITEM_CACHE_ENABLED", True)


def _request_part(request, homes: HomeDirectory) -> str:
    """What, about the request and the site directory, every item of its response depends on."""
    return "|".join(
        [
            str(getattr(settings, "CMS_API_ITEM_CACHE_VERSION", "")),
            request.build_absolute_uri("/"),
            caller_variant(request),
            translation.get_language() or "",
            repr((homes.homes, sorted(homes.languages.items()))),
        ]
    )


def _fields_part(label: str, selection) -> str:
    """The names of the fields rendered, not `*`: a release that adds a field renders its items again."""
    return ",".join(api_field.name for api_field in page_types.get(label).fields_for(selection.get(label)))


def _key(request_part: str, fields_part: str, row: ItemRow) -> str:
    raw = f"{request_part}|{row.label}|{fields_part}|{row.pk}|{row.revision}|{row.url_path}"
    return ITEM_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def render_items(request, rows: list[ItemRow], selection, load, *, fallback_ids=()) -> list[dict]:
    """The items of `rows`, in their order: from the cache where fresh, else loaded and rendered.

    `load({label: [ids]})` returns {id: specific page} for the missing items
    (one query per type); a page gone since the id query is left out.
    """
    if not enabled():
        pages = load(_ids_by_label(rows))
        return render_pages(request, [pages[r.pk] for r in rows if r.pk in pages], selection, fallback_ids=fallback_ids)

    request_part = _request_part(request, HomeDirectory.load())
    fields = {label: _fields_part(label, selection) for label in {row.label for row in rows}}
    keys = {row.pk: _key(request_part, fields[row.label], row) for row in rows}
    found = cache.get_many([*keys.values(), EPOCH_KEY])
    epoch = found.get(EPOCH_KEY, 0)
    fresh = _fresh({pk: found[key] for pk, key in keys.items() if key in found}, keys, epoch)
    for entry in fresh.values():
        depends_on_fresh(entry["tags"], entry["changed_at"])

    items = {pk: entry["item"] for pk, entry in fresh.items()}
    missing = [row for row in rows if row.pk not in fresh]
    if missing:
        items.update(_render_and_keep(request, missing, selection, load, keys, epoch))
    return [{**items[row.pk], "is_fallback": row.pk in fallback_ids} for row in rows if row.pk in items]


def _fresh(entries: dict[int, dict], keys: dict[int, str], epoch: int) -> dict[int, dict]:
    """The entries still valid: stamped at the current epoch, or whose tags have not moved since."""
    fresh = {pk: entry for pk, entry in entries.items() if entry.get("epoch") == epoch}
    to_check = {pk: entry for pk, entry in entries.items() if pk not in fresh}
    if not to_check:
        return fresh
    versions = current_versions({tag for entry in to_check.values() for tag in entry["tags"]})
    stamped = {}
    for pk, entry in to_check.items():
        if all(versions[tag] == version for tag, version in entry["tags"].items()):
            fresh[pk] = stamped[keys[pk]] = {**entry, "epoch": epoch}
    if stamped:
        # Still fresh after other changes: the next reads skip the tag versions again.
        cache.set_many(stamped, timeout=entry_timeout())
    return fresh


def _render_and_keep(request, rows: list[ItemRow], selection, load, keys: dict[int, str], epoch: int) -> dict:
    pages = load(_ids_by_label(rows))
    present = [pages[row.pk] for row in rows if row.pk in pages]
    # "visibility" is bumped by `invalidate_everything` too (a bulk change that sent no events).
    rendered, tags = collecting_tags(lambda: render_pages(request, present, selection), {"visibility"})
    own = {item["id"]: f"page:{item['id']}" for item in rendered}
    # Read after rendering, as for a response: a change made meanwhile leaves newer versions or a newer epoch.
    versions, changed_at = versions_and_change_time(tags | set(own.values()))
    common = {tag: version for tag, version in versions.items() if tag in tags}
    entries = {
        pk: {"item": item, "tags": {**common, own[pk]: versions[own[pk]]}, "changed_at": changed_at, "epoch": epoch}
        for pk, item in ((item["id"], item) for item in rendered)
    }
    for entry in entries.values():
        depends_on_fresh(entry["tags"], changed_at)
    if cache.get(EPOCH_KEY, 0) == epoch:
        cache.set_many({keys[pk]: entry for pk, entry in entries.items()}, timeout=entry_timeout())
    return {pk: entry["item"] for pk, entry in entries.items()}


def _ids_by_label(rows: list[ItemRow]) -> dict[str, list[int]]:
    ids: dict[str, list[int]] = {}
    for row in rows:
        ids.setdefault(row.label, []).append(row.pk)
    return ids
