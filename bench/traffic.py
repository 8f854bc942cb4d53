"""The traffic bench/run.py sends: URL lists that look like readers, for the project and for stock Wagtail.

Three scenarios, the same for both sites, each site over its own content:

- `hot`: one URL asked again and again (the news listing's first page): the
  best case, a single cache entry;
- `offsets`: the news listing (`fields=*`, 20 items) at every offset from 0
  to the last full page, in a random order: each request a different URL,
  as many readers paging and jumping through an archive ask for it;
- `mix`: 12,000 requests drawn from a Zipf distribution (s = 1) over every
  page of both languages: 45 % details, 25 % finds by front-end path, 20 %
  listing pages (three types, two languages, every page of 20, first
  pages the most popular) and 10 % searches (the typical queries of
  bench/search.py, in their language). A few URLs take most requests, and
  the long tail still gets some, as on a real portal.

Lists are drawn from a fixed seed, so two runs send the same requests.
Each line of a list file is `path<TAB>etag`; the ETags (for the 304 cases)
are those the cached server gave while the cache was warmed (`warm`).
"""

import json
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

from procs import http_get

SEED = 16
MIX_REQUESTS = 12_000
ZIPF_S = 1.0
MIX_SHARES = {"detail": 0.45, "find": 0.25, "listing": 0.20, "search": 0.10}
LIMIT = 20

# (query, locale): what readers of the portal typically type (None: every language); bench/search.py times them.
SEARCHES = [
    ("défense intelligente", "fr"),
    ("capacités de défense", "fr"),
    ("ministres", "fr"),
    ("l'OTAN cyberdéfense", "fr"),
    ("defence capabilities", "en"),
    ("NATO Secretary General", "en"),
    ("maritime security", "en"),
    ("Claire Martin", None),
    ("cyber defence", None),
]

PROJECT_TYPES = ["news.NewsArticlePage", "interviews.InterviewPage", "videos.VideoPage"]
STOCK_TYPES = ["bench_site.NewsArticlePage", "bench_site.InterviewPage", "bench_site.VideoPage"]
LOCALES = ["en", "fr"]


def _get_json(base: str, path: str):
    status, _headers, body = http_get(base + path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
    return json.loads(body)


# --- what each site holds ---------------------------------------------------------------------------------


def project_content(base: str) -> dict:
    """Every page of the project's three types in both languages: {type: {locale: [(id, site, path)]}}."""
    sites = _get_json(base, "/api/v1/sites/")
    default_site = sites[0]["hostname"] if sites else "localhost"
    content = {}
    for page_type in PROJECT_TYPES:
        for locale in LOCALES:
            pages, offset = [], 0
            while True:
                params = {"type": page_type, "locale": locale, "fields": "title", "limit": 100, "offset": offset}
                query = urlencode(params)
                listing = _get_json(base, f"/api/v1/pages/?{query}")
                for item in listing["items"]:
                    pages.append((item["id"], item.get("site") or default_site, _path_of(item["url"])))
                offset += 100
                if offset >= listing["count"] or not listing["items"]:
                    break
            content.setdefault(page_type, {})[locale] = pages
    return content


def stock_content(base: str) -> dict:
    """The same for stock Wagtail's API v2 (its listings stop at 20 items per request)."""
    content = {}
    for page_type in STOCK_TYPES:
        for locale in LOCALES:
            pages, offset = [], 0
            while True:
                query = urlencode({"type": page_type, "locale": locale, "limit": LIMIT, "offset": offset})
                listing = _get_json(base, f"/api/v2/pages/?{query}")
                for item in listing["items"]:
                    pages.append((item["id"], "", item["meta"].get("html_url")))
                offset += LIMIT
                if offset >= listing["meta"]["total_count"] or not listing["items"]:
                    break
            content.setdefault(page_type, {})[locale] = pages
    return content


def _path_of(url: str) -> str:
    return urlsplit(url).path if "://" in url else url


# --- the URLs of each site ----------------------------------------------------------------------------------


def project_urls(content: dict) -> dict[str, list[str]]:
    """Every URL of each kind the mix draws from, most popular first where popularity is known."""
    listing_pages = []
    for page_type in PROJECT_TYPES:
        for locale in LOCALES:
            count = len(content[page_type][locale])
            listing_pages += [(offset, page_type, locale) for offset in range(0, max(count, 1), LIMIT)]
    pages = [page for by_locale in content.values() for by_type in by_locale.values() for page in by_type]
    searches = [{"q": q, **({"locale": locale} if locale else {})} for q, locale in SEARCHES]
    return {
        "listing": [
            "/api/v1/pages/?"
            + urlencode({"type": t, "locale": loc, "fields": "*", "limit": LIMIT, "offset": off}, safe="*")
            for off, t, loc in sorted(listing_pages)
        ],
        "detail": [f"/api/v1/pages/{page_id}/" for page_id, _site, _path in pages],
        "find": [f"/api/v1/pages/find/?site={quote(site)}&path={quote(path)}" for _id, site, path in pages],
        "search": [f"/api/v1/search/?{urlencode(params)}" for params in searches],
    }


def stock_urls(content: dict) -> dict[str, list[str]]:
    """The stock counterparts: API v2 listings, details, `find/?html_path=` and `?search=`."""
    listing_pages = []
    for page_type in STOCK_TYPES:
        for locale in LOCALES:
            count = len(content[page_type][locale])
            listing_pages += [(offset, page_type, locale) for offset in range(0, max(count, 1), LIMIT)]
    pages = [page for by_locale in content.values() for by_type in by_locale.values() for page in by_type]
    searches = [{"search": q, **({"locale": locale} if locale else {})} for q, locale in SEARCHES]
    return {
        "listing": [
            "/api/v2/pages/?"
            + urlencode({"type": t, "fields": "*", "limit": LIMIT, "locale": loc, "offset": off}, safe="*")
            for off, t, loc in sorted(listing_pages)
        ],
        "detail": [f"/api/v2/pages/{page_id}/" for page_id, _site, _path in pages],
        # The stock seed puts its pages under no site (`html_url` is null), so its
        # `find/?html_path=` finds none of them; where it finds one it answers a
        # redirect to the page's detail. A stock client's find is that detail,
        # without the redirect's round trip: the cheaper side of the comparison.
        "find": [
            f"/api/v2/pages/find/?{urlencode({'html_path': _path_of(path)})}" if path else f"/api/v2/pages/{page_id}/"
            for page_id, _site, path in pages
        ],
        "search": [f"/api/v2/pages/?{urlencode(params)}" for params in searches],
    }


def offsets_list(listing_path: str, count: int) -> list[str]:
    """The news listing at every offset of a full page, shuffled."""
    urls = [f"{listing_path}&offset={offset}" for offset in range(0, max(count - LIMIT, 0) + 1)]
    random.Random(SEED).shuffle(urls)  # noqa: S311  (a benchmark's draw, not a secret)
    return urls


def mix_list(urls: dict[str, list[str]], requests: int = MIX_REQUESTS) -> list[str]:
    """`requests` URLs: each kind drawn by its share, each URL of a kind by Zipf over its rank.

    Listings keep their order (first pages first, the most asked); the other
    kinds are ranked at random, so that popularity does not follow page ids.
    """
    rng = random.Random(SEED)  # noqa: S311  (a benchmark's draw, not a secret)
    ranked = {}
    for kind, kind_urls in urls.items():
        order = list(kind_urls)
        if kind != "listing":
            rng.shuffle(order)
        ranked[kind] = order
    kinds = [kind for kind in MIX_SHARES if ranked.get(kind)]
    kind_draws = rng.choices(kinds, weights=[MIX_SHARES[k] for k in kinds], k=requests)
    weights = {kind: [1 / (rank**ZIPF_S) for rank in range(1, len(ranked[kind]) + 1)] for kind in kinds}
    drawn = {
        kind: iter(rng.choices(ranked[kind], weights=weights[kind], k=n)) for kind, n in Counter(kind_draws).items()
    }
    return [next(drawn[kind]) for kind in kind_draws]


def describe(paths: list[str]) -> dict:
    """How many requests and distinct URLs a list holds, and the share of the 1 % most asked."""
    counts = Counter(paths)
    top = sorted(counts.values(), reverse=True)[: max(1, len(counts) // 100)]
    return {"requests": len(paths), "distinct": len(counts), "top_1pct_share": round(sum(top) / len(paths), 3)}


# --- files and warm-up ---------------------------------------------------------------------------------------


def warm(base: str, paths: list[str], *, threads: int = 4) -> tuple[dict[str, str], Counter]:
    """Ask once for every distinct URL of `paths` (the cache is then warm); their ETags and the statuses."""
    distinct = list(dict.fromkeys(paths))

    def fetch(path):
        status, headers, _body = http_get(base + path)
        return path, status, {k.lower(): v for k, v in headers.items()}.get("etag", "")

    etags, statuses = {}, Counter()
    with ThreadPoolExecutor(threads) as pool:
        for path, status, etag in pool.map(fetch, distinct):
            statuses[status] += 1
            if etag:
                etags[path] = etag
    return etags, statuses


def write_list(path: Path, paths: list[str], etags: dict[str, str] | None = None) -> Path:
    etags = etags or {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{p}\t{etags.get(p, '')}\n" for p in paths))
    return path
