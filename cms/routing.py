"""Where a page lives on its front end: `/{language}/{path below the home page}`, and who may see it.

Each site (front end) has one home page per language: the site's root page
and its translations, all children of Wagtail's root. A page's front-end path
is its language code followed by its `url_path` below its home, e.g. the
French article `/portail/actualites/defense/` is `/fr/actualites/defense/`.

The map of homes, the locales and the private sections of the tree are small
and change rarely, so they are read once and kept in the cache (dropped
whenever a home page, a site, a locale or a view restriction changes, see
`content_events`), which keeps hot requests free of these queries.
"""

from dataclasses import dataclass

from django.core.cache import cache
from wagtail.models import Locale, Page, Site

HOMES_CACHE_KEY = "cms:routing:homes:v1"


@dataclass(frozen=True)
class Home:
    page_id: int
    url_path: str  # "/portal/"
    language: str  # "en"
    locale_id: int
    site_id: int
    hostname: str
    root_url: str  # "https://www.example.org", for links from one site to another
    is_live: bool


class HomeDirectory:
    """The home pages of every site and the language of every locale."""

    def __init__(self, homes: list[Home], languages: dict[int, str], restricted_paths: list[str]):
        self.homes = homes
        self.languages = languages  # locale id -> language code
        # Tree paths of pages with view restrictions: they and their descendants are private.
        self.restricted_paths = restricted_paths
        self.locale_ids = {code: pk for pk, code in languages.items()}
        self.by_prefix = {home.url_path: home for home in homes}

    @classmethod
    def load(cls) -> "HomeDirectory":
        cached = cache.get(HOMES_CACHE_KEY)
        if cached is None:
            from wagtail.models import PageViewRestriction

            languages = dict(Locale.all_objects.values_list("id", "language_code"))
            restricted = sorted(set(PageViewRestriction.objects.values_list("page__path", flat=True)))
            cached = (cls._query(languages), languages, restricted)
            cache.set(HOMES_CACHE_KEY, cached, timeout=None)
        return cls(*cached)

    @staticmethod
    def _query(languages: dict[int, str]) -> list[Home]:
        sites = list(Site.objects.select_related("root_page"))
        site_by_key = {site.root_page.translation_key: site for site in sites}
        homes = []
        for page in Page.objects.filter(depth=2).only("id", "url_path", "locale_id", "translation_key", "live"):
            site = site_by_key.get(page.translation_key)
            if site is not None:
                homes.append(
                    Home(
                        page_id=page.pk,
                        url_path=page.url_path,
                        language=languages[page.locale_id],
                        locale_id=page.locale_id,
                        site_id=site.pk,
                        hostname=site.hostname,
                        root_url=site.root_url,
                        is_live=page.live,
                    )
                )
        return homes

    @staticmethod
    def forget() -> None:
        cache.delete(HOMES_CACHE_KEY)

    def home_of(self, url_path: str) -> Home | None:
        segments = url_path.split("/")
        if len(segments) < 3:
            return None
        return self.by_prefix.get(f"/{segments[1]}/")

    def path_of(self, url_path: str) -> str | None:
        """The front-end path of a page from its `url_path`; None when it is in no site."""
        home = self.home_of(url_path)
        if home is None:
            return None
        return f"/{home.language}{url_path[len(home.url_path) - 1 :]}"

    def home_for(self, hostname: str, language: str) -> Home | None:
        for home in self.homes:
            if home.hostname == hostname and home.language == language:
                return home
        return None

    def url_path_for(self, hostname: str, path: str) -> str | None:
        """The inverse of `path_of`: `/fr/actualites/x/` on a host -> Wagtail's `url_path`."""
        segments = path.strip("/").split("/", 1)
        home = self.home_for(hostname, segments[0])
        if home is None:
            return None
        rest = segments[1].strip("/") + "/" if len(segments) > 1 and segments[1].strip("/") else ""
        return home.url_path + rest

    def sites(self) -> dict[int, list[Home]]:
        by_site: dict[int, list[Home]] = {}
        for home in self.homes:
            by_site.setdefault(home.site_id, []).append(home)
        return by_site
