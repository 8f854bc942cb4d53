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
from .api_contract import ContractAPI
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
