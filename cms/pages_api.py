"""`/api/v1/pages/`: every published page of every site, typed, localized, in a fixed number of queries.

The router builds one queryset per request from the filters, takes the page
of results and the total count, then renders them through `RenderContext`,
which loads all their references in bulk. See `content_types` for how page
types declare fields.

The querysets are in `cms.page_queries` (see there how a listing of one
type and one of several are read), the rendering in `cms.page_rendering`.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Schema
from pydantic import Field
from wagtail.models import Page, Site

from .api_contract import Id
from .api_keys import APIClient
from .apikit import StrictRouter, answered_from_cache
from .caching import cached_json, depends_on, vary_by_caller
from .content_types import page_types
from .item_cache import render_items
from .page_queries import (
    DetailQuery,
    FindQuery,
    PageListQuery,
    fallback_version,
    falls_back,
    live_specific,
    load_pages,
    locale_filter,
    matching_pages,
    page_of_one_type,
    page_of_several_types,
    resolve_locale,
    row_of,
    visible_pages,
)
from .page_rendering import PageItem, PageList, as_json, page_item_adapter, selected_fields
from .routing import HomeDirectory

router = StrictRouter(tags=["pages"])


@router.get("/pages/", response=PageList, exclude_unset=True, summary="List published pages")
@answered_from_cache
def list_pages(request, query: Query[PageListQuery]):
    return cached_json(request, lambda: as_json(PageList, _list_pages(request, query)))


def _list_pages(request, query: PageListQuery):
    depends_on(*(f"listing:{label}" for label in query.type) if query.type else ["listing:*"])
    types = [page_types.get(label) for label in query.type] if query.type else list(page_types)
    selection = selected_fields(query.fields, types)

    matches = locale_filter(matching_pages(query, types), query)
    if len(types) == 1:
        rows, count = page_of_one_type(matches, query, types[0])
    else:
        rows, count = page_of_several_types(matches, query, types)

    fallback_ids = set()
    if falls_back(query):
        requested = resolve_locale(query.locale)
        fallback_ids = {row.pk for row in rows if row.locale_id != requested}
    return {
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        # Items other responses rendered come from their cache; only the others are loaded and rendered.
        "items": render_items(request, rows, selection, load_pages(types), fallback_ids=fallback_ids),
    }


def _detail(request, page: Page, fields: str, *, is_fallback=False):
    page_type = page_types.for_model(type(page))
    if page_type is None:
        raise Http404(_("This page is not available through the API."))
    selection = selected_fields(fields, [page_type])
    items = render_items(
        request,
        [row_of(page, page_type.label)],
        selection,
        lambda _ids: {page.pk: page},
        fallback_ids={page.pk} if is_fallback else (),
    )
    return items[0]


def _fallback_detail(request, page_ids, query, not_found: Http404):
    """The `fallback` version of pages that are not live (`page_ids`: a queryset of ids), or `not_found`."""
    fallback_id = fallback_version(page_ids, query.fallback) if query.fallback else None
    if fallback_id is None:
        raise not_found
    depends_on(f"page:{fallback_id}")
    return _detail(request, live_specific(fallback_id), query.fields, is_fallback=True)


@vary_by_caller
def _key_site(request) -> str:
    """`/pages/find/` without `site` answers for the site of the caller's key: the key's site joins the cache key."""
    if not request.path.endswith("/pages/find/") or "site" in request.GET:
        return ""
    client = getattr(request, "auth", None)
    site_id = client.site_id if isinstance(client, APIClient) else None
    return f"site:{site_id}" if site_id else ""


def _site_hostname(request, query: FindQuery) -> str:
    """`site`, else the site of the caller's key, else the default site (as Wagtail serves unknown hosts)."""
    if query.site:
        return query.site
    client = getattr(request, "auth", None)
    site_id = client.site_id if isinstance(client, APIClient) else None
    if site_id is not None:
        hostname = next((home.hostname for home in HomeDirectory.load().homes if home.site_id == site_id), None)
        return hostname or Site.objects.filter(pk=site_id).values_list("hostname", flat=True).first() or ""
    depends_on("sites")  # another default site answers differently
    hostname = Site.objects.filter(is_default_site=True).values_list("hostname", flat=True).first()
    if hostname is None:
        raise Http404(_("No default site: give the host name of the site in `site`."))
    return hostname


@router.get("/pages/find/", response=PageItem, exclude_unset=True, summary="Find the page at a front-end path")
@answered_from_cache
def find_page(request, query: Query[FindQuery]):
    return cached_json(request, lambda: as_json(page_item_adapter, _find_page(request, query)))


def _find_page(request, query: FindQuery):
    # Whatever is published at this path later (a new page, a move) is a listing change.
    depends_on("listing:*")
    site = _site_hostname(request, query)
    url_path = HomeDirectory.load().url_path_for(site, query.path)
    if url_path is None:
        raise Http404(_("No site “%(site)s” with that language.") % {"site": site})
    page_id = visible_pages().filter(url_path=url_path).values_list("pk", flat=True).first()
    if page_id is None:
        not_found = Http404(_("Nothing is published at %(path)s.") % {"path": query.path})
        return _fallback_detail(request, Page.objects.filter(url_path=url_path).values("pk"), query, not_found)
    return _detail(request, live_specific(page_id), query.fields)


@router.get("/pages/{page_id}/", response=PageItem, exclude_unset=True, summary="One published page")
@answered_from_cache
def get_page(request, page_id: Id, query: Query[DetailQuery]):
    def render():
        depends_on(f"page:{page_id}")
        try:
            page = live_specific(page_id)
        except Http404 as not_found:
            item = _fallback_detail(request, Page.objects.filter(pk=page_id).values("pk"), query, not_found)
        else:
            item = _detail(request, page, query.fields)
        return as_json(page_item_adapter, item)

    return cached_json(request, render)


# --- sites -------------------------------------------------------------------------------------


class SiteHome(Schema):
    locale: str
    page_id: int
    url: str


class SiteOut(Schema):
    id: int
    hostname: str
    port: int
    name: str
    is_default: bool
    locales: list[str]
    homes: list[SiteHome] = Field(description="The home page of the site in each language.")


@router.get("/sites/", response=list[SiteOut], tags=["sites"], summary="Sites (front ends) and their homes")
@answered_from_cache
def list_sites(request):
    return cached_json(request, lambda: as_json(list[SiteOut], _sites()))


def _sites():
    depends_on("sites")
    homes = HomeDirectory.load()
    by_site = homes.sites()
    return [
        {
            "id": site.pk,
            "hostname": site.hostname,
            "port": site.port,
            "name": site.site_name or site.hostname,
            "is_default": site.is_default_site,
            "locales": [home.language for home in by_site.get(site.pk, []) if home.is_live],
            "homes": [
                {"locale": home.language, "page_id": home.page_id, "url": f"/{home.language}/"}
                for home in by_site.get(site.pk, [])
                if home.is_live
            ],
        }
        for site in Site.objects.order_by("hostname", "port")
    ]
