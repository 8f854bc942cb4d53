"""The one public API, `/api/v1/`: a django-ninja `NinjaAPI` assembled from each app's router.

The conventions the routers follow are in `cms.apikit`. Only `cms.urls`
imports this module: it imports every app, so an app importing it would make
an import circle.
"""

from home.api import page_types as home_page_types
from interviews.api import page_types as interview_page_types
from news.api import page_types as news_page_types
from videos.api import page_types as video_page_types

from .api_access import RATE_LIMITS, READ_ACCESS, install_access_handlers
from .api_contract import ContractAPI, Link
from .apikit import install_problem_handlers
from .content_types import page_types

# Page types register before the routers are imported: the pages endpoint's
# rendering (cms.page_rendering, which search and previews use too) derives
# its response schemas (a union discriminated by `type`) from them.
page_types.register(*home_page_types, *news_page_types, *interview_page_types, *video_page_types)

from accounts.api import router as accounts_router  # noqa: E402
from downloads.api import router as downloads_router  # noqa: E402
from search.api import router as search_router  # noqa: E402
from taxonomy.api import router as taxonomy_router  # noqa: E402

from .pages_api import router as pages_router  # noqa: E402
from .preview_api import router as preview_router  # noqa: E402

FIRST_ITEM_ID = "$response.body#/items/0/id"
# Where an answer's values are used next: declared here, where every app's operations are known.
LINKS = (
    Link("cms_pages_api_list_pages", "cms_pages_api_get_page", {"page_id": FIRST_ITEM_ID}, description="An item."),
    Link(
        "cms_pages_api_list_pages", "cms_pages_api_list_pages", {"child_of": FIRST_ITEM_ID}, description="Its children."
    ),
    Link("search_api_search", "cms_pages_api_get_page", {"page_id": FIRST_ITEM_ID}, description="A result."),
    Link("cms_pages_api_find_page", "cms_pages_api_get_page", {"page_id": "$response.body#/id"}, description="Itself."),
    Link("cms_pages_api_list_sites", "cms_pages_api_list_pages", {"site": "$response.body#/0/hostname"}),
    Link("taxonomy_api_list_people", "taxonomy_api_get_person", {"person_id": FIRST_ITEM_ID}, description="A person."),
    Link("taxonomy_api_list_people", "cms_pages_api_list_pages", {"person": FIRST_ITEM_ID}, description="Their pages."),
    Link("taxonomy_api_list_topics", "taxonomy_api_get_topic", {"topic_id": FIRST_ITEM_ID}, description="A topic."),
    Link("taxonomy_api_list_topics", "cms_pages_api_list_pages", {"topic": FIRST_ITEM_ID}, description="Its pages."),
    Link(
        "cms_pages_api_get_page",
        "videos_downloads_api_request_download",
        {"video_id": "$response.body#/video/id"},
        description="A video page's video, to download.",
    ),
    Link(
        "videos_downloads_api_request_download",
        "videos_downloads_api_clip_job",
        {"job_id": "$response.body#/job_id"},
        status=202,
        description="The clip being cut.",
    ),
)

api = ContractAPI(
    title="Media portal API",
    version="1.0",
    description=(
        "Content of the media portal (news, interviews, videos) in every language, "
        "and the accounts of media professionals. Errors are `application/problem+json`."
    ),
    urls_namespace="api_v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    links=LINKS,
)
install_problem_handlers(api)
install_access_handlers(api)

# Content is public: anonymous reads are allowed at a lower rate; a key that
# is sent must be valid, and raises the rate to the key's own limit.
api.add_router("", pages_router, auth=READ_ACCESS, throttle=RATE_LIMITS)
api.add_router("", taxonomy_router, auth=READ_ACCESS, throttle=RATE_LIMITS)
api.add_router("", preview_router, throttle=RATE_LIMITS)
api.add_router("", accounts_router)
api.add_router("", search_router, auth=READ_ACCESS, throttle=RATE_LIMITS)
# People, not front ends, download: these endpoints authenticate accounts (see accounts.api.member_auth).
api.add_router("", downloads_router)
