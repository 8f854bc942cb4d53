"""Purging API responses from a CDN or reverse proxy when content changes.

Uses Wagtail's frontend cache backends (`wagtail.contrib.frontend_cache`:
Varnish/HTTP PURGE, Cloudflare, CloudFront, Azure) as configured in
`WAGTAILFRONTENDCACHE`, through its background task. Wagtail's own page
purging is about pages Wagtail serves; here the cached things are API URLs.

What can be purged by URL: the detail of each changed page, the `find`
lookups of its front-end paths, the first page of the listings, and the
changed people/topics. A CDN cannot be asked for "every listing URL with any
query string", so listings with parameters rely on the short `max-age` the
API sends (see CMS_API_CACHE_MAX_AGE) — keep it short when a CDN is in front.
"""

from urllib.parse import urlencode

from django.conf import settings

from .content_events import ContentChange, listen


def api_urls_for(change: ContentChange, base: str, hostnames: dict[int, str]) -> list[str]:
    api = f"{base.rstrip('/')}/api/v1"
    urls = []
    if change.event.startswith("page."):
        urls += [f"{api}/pages/{pk}/" for pk in change.ids]
        for site_id in change.site_ids:
            for path in change.paths:
                # Parameters in the order front ends are told to send them (sorted), as the cache keys them.
                urls.append(
                    f"{api}/pages/find/?{urlencode(sorted({'path': path, 'site': hostnames[site_id]}.items()))}"
                )
        urls += [f"{api}/pages/", f"{api}/sites/"]
    elif change.model == "taxonomy.Person":
        urls += [f"{api}/people/{pk}/" for pk in change.ids] + [f"{api}/people/"]
    elif change.model == "taxonomy.Topic":
        urls += [f"{api}/topics/{pk}/" for pk in change.ids] + [f"{api}/topics/"]
    return urls


@listen
def purge_cdn(change: ContentChange) -> None:
    base = getattr(settings, "CMS_API_PUBLIC_URL", "")
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None) or not base:
        return
    from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task
    from wagtail.models import Site

    hostnames = dict(Site.objects.filter(pk__in=change.site_ids).values_list("pk", "hostname"))
    urls = api_urls_for(change, base, hostnames)
    if urls:
        purge_urls_from_cache_task.enqueue(urls)
