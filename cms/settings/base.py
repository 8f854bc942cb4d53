"""Settings shared by every environment.

This is the one place that reads the environment (DESIGN.md, "Habits"): the
other settings modules only override what their environment needs. Every
variable read here is documented in README.md and `.env.example`.
"""

from pathlib import Path

import environ

from cms.settings import parsing

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

env = environ.Env()
# A `.env` file beside manage.py is a convenience for one machine; real
# deployments set the variables in the process environment, which wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# --- Core -------------------------------------------------------------------

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "accounts.csrf.csrf_failure"  # JSON refusals for allauth's browser client

INSTALLED_APPS = [
    "cms",
    "accounts",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "taxonomy",
    "home",
    "news",
    "interviews",
    "videos",
    "downloads",
    "search",
    "wagtail_headless_preview",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "corsheaders",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    # First, so that every response it lets through, preflight answers and
    # redirects included, carries the CORS headers browsers need to read it.
    "corsheaders.middleware.CorsMiddleware",
    # Outside everything that writes a body; public JSON answers of /api/ only (see the module for BREACH).
    "cms.compression.PublicApiGZipMiddleware",
    # Next, so that every error answer of /api/ written inside it becomes a problem document (see the module).
    "cms.api_errors.ApiProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "cms.early_answers.EarlyAnswerMiddleware",  # anonymous API cache hits, with the same gates (see the module)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = parsing.templates(PROJECT_DIR / "templates")

# --- Data -------------------------------------------------------------------

# SQLite file beside manage.py on one machine; PostgreSQL through DATABASE_URL.
# Connections persist (a new SQLite one parses the whole schema); SQLite runs in WAL mode.
DATABASES = {
    "default": parsing.with_connection_options(
        env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        env.int("DATABASE_CONN_MAX_AGE", default=60),
    ),
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env.str("REDIS_URL", default="")
# The shared cache of one machine when there is no Redis (below).
DEFAULT_CACHE_DIR = BASE_DIR / "var" / "cache"
CACHE_DIR = Path(env.str("CACHE_DIR", default=str(DEFAULT_CACHE_DIR)))
if REDIS_URL:
    CACHES = parsing.redis_caches(REDIS_URL, env.str("CACHE_KEY_PREFIX", default="cms"))
    # Sessions survive a Redis flush because the database keeps the record.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # One machine: a cache on disk that all its processes share (why diskcache: parsing.disk_caches).
    CACHES = parsing.disk_caches(CACHE_DIR)
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Background tasks -------------------------------------------------------

# Wagtail 8 already queues its own work (reference index, image renditions)
# through django_tasks; the videos app adds posters and proxies.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")  # "database" or "immediate"
TASKS = parsing.tasks_setting(TASKS_BACKEND)

# --- Files ------------------------------------------------------------------

MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static")
STATIC_URL = "/static/"

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    # Credentials come from the standard AWS variables (or an instance role),
    # which boto3 reads itself; only the bucket's location is configured here.
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    # "path" for S3-compatible stores that serve buckets below the endpoint's
    # path rather than as sub-domains; boto3 chooses by default.
    AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default=None)
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default=None)
    # Links on the custom domain (CloudFront) are signed with this key pair;
    # without it they would be plain URLs, which downloads/checks.py refuses. The
    # PEM key may be given on one line with "\n" for its line breaks.
    AWS_CLOUDFRONT_KEY_ID = env.str("AWS_CLOUDFRONT_KEY_ID", default=None)
    AWS_CLOUDFRONT_KEY = env.str("AWS_CLOUDFRONT_KEY", default="", multiline=True) or None
    AWS_LOCATION = env.str("AWS_LOCATION", default="")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    DEFAULT_FILE_STORAGE_BACKEND = "storages.backends.s3.S3Storage"
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"

STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploads above this stay on disk while Django reads them, so large masters never sit in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail -----------------------------------------------------------------

# EMAIL_URL=smtp+tls://user:pass@host:587 (STARTTLS), smtp+ssl://…:465; console when unset.
# django-environ turns the URL into EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS/SSL.
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Media portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages --------------------------------------------------------------

# The languages content is written in. Adding a locale is configuration only:
# add its code here (CONTENT_LANGUAGES=en,fr,de) and run `manage.py sync_locales`.
LANGUAGE_CODE = "en"
CONTENT_LANGUAGES = env.list("CONTENT_LANGUAGES", default=["en", "fr"])
LANGUAGES = WAGTAIL_CONTENT_LANGUAGES = parsing.named_languages(CONTENT_LANGUAGES)
WAGTAILADMIN_PERMITTED_LANGUAGES = [("en", "English"), ("fr", "Français")]
WAGTAIL_I18N_ENABLED = True
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
LOCALE_PATHS = [PROJECT_DIR / "locale"]

# --- Wagtail ----------------------------------------------------------------

WAGTAIL_SITE_NAME = env.str("WAGTAIL_SITE_NAME", default="Media portal")
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://localhost:8000")
# Wagtail's own search (admin, API v2 `?search=`): the database backend, or Elasticsearch/OpenSearch
# when WAGTAILSEARCH_URL is set (WAGTAILSEARCH_ENGINE: the modelsearch backend module, e.g.
# modelsearch.backends.opensearch2). "portal" keeps /api/v1/search/'s per-language index up to date.
WAGTAILSEARCH_URL = env.str("WAGTAILSEARCH_URL", default="")
# The search server's analysers of /api/v1/search/'s per-language fields (search.models).
WAGTAILSEARCH_PORTAL_ANALYSIS = parsing.PORTAL_SEARCH_ANALYSIS
WAGTAILSEARCH_BACKENDS = parsing.search_backends(
    WAGTAILSEARCH_URL,
    engine=env.str("WAGTAILSEARCH_ENGINE", default="modelsearch.backends.elasticsearch8"),
    index_prefix=env.str("WAGTAILSEARCH_INDEX_PREFIX", default="cms_"),
    analysis=WAGTAILSEARCH_PORTAL_ANALYSIS,
)
# What answers /api/v1/search/: "portal", its own per-language index in the database, or the name of a
# WAGTAILSEARCH_BACKENDS entry ("default": Elasticsearch/OpenSearch when WAGTAILSEARCH_URL is set).
SEARCH_API_BACKEND = env.str("SEARCH_API_BACKEND", default="portal")
# A mild freshness boost for news in /api/v1/search/ on PostgreSQL (search.ranking): a news article's score is
# multiplied by up to 1 + boost, halving every half-life. 0 (the default) leaves ranking to relevance alone.
SEARCH_NEWS_FRESHNESS_BOOST = env.float("SEARCH_NEWS_FRESHNESS_BOOST", default=0.0)
SEARCH_NEWS_FRESHNESS_HALF_LIFE_DAYS = env.float("SEARCH_NEWS_FRESHNESS_HALF_LIFE_DAYS", default=30.0)
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "vtt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 30 * 1024 * 1024

# Machine translation for translators: DeepL when a key is configured, else a dummy translator.
DEEPL_AUTH_KEY = env.str("DEEPL_AUTH_KEY", default="")
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = parsing.machine_translator(DEEPL_AUTH_KEY)

# --- Videos and downloads ---------------------------------------------------

# In their own module to keep this one readable; it reads the same environment (and `.env`, read above).
from cms.settings.videos import *  # noqa: E402, F403

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Accounts (django-allauth headless) -------------------------------------

# Media professionals sign up and log in through allauth's headless API at
# /_allauth/{browser,app}/v1/ (docs/security.md explains each guarantee).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# The portal's password policy (docs/security.md), plus Django's own checks.
AUTH_PASSWORD_VALIDATORS = parsing.PASSWORD_VALIDATORS

HEADLESS_ONLY = True
HEADLESS_CLIENTS = ("browser", "app")
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_ADAPTER = "accounts.adapter.HeadlessAdapter"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.MediaAccountSignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = 30 * 60
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = 3  # new codes per verification (same expiry, same attempts)
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 30 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # "return to the page you were on and log in"
ACCOUNT_EMAIL_NOTIFICATIONS = True  # "your password was changed" mails
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{WAGTAIL_SITE_NAME}] "
ACCOUNT_RATE_LIMITS = parsing.ACCOUNT_ACTION_RATES
# Wrong or repeated code submissions, counted atomically in the cache on top of allauth's (accounts/throttle.py).
ACCOUNTS_CODE_SUBMISSIONS_PER_ADDRESS = 10  # per address and 30-minute window, across sessions
ACCOUNTS_ADMIN_LOGIN_RATE = {"ip": (20, 5 * 60), "key": (5, 5 * 60)}  # failed attempts, seconds
# Seconds between attempts to hand an account e-mail to the SMTP server.
ACCOUNTS_EMAIL_RETRY_DELAYS = (15, 60, 300, 900)
# The terms of use a sign-up accepts; bump the version when they change.
ACCOUNTS_TERMS_VERSION = env.str("ACCOUNTS_TERMS_VERSION", default="2025-01")
# Account e-mails link to the front end the request came from if registered (cms.FrontEnd), else to this one.
ACCOUNTS_FRONTEND_URL = env.str("ACCOUNTS_FRONTEND_URL", default="http://localhost:3000").rstrip("/")
HEADLESS_FRONTEND_URLS = parsing.headless_frontend_urls(ACCOUNTS_FRONTEND_URL)
# The portal load_demo_content registers at ACCOUNTS_FRONTEND_URL (home/demo/portal.py): secret, preview key.
DEMO_PORTAL_WEBHOOK_SECRET = env.str("DEMO_PORTAL_WEBHOOK_SECRET", default="")
DEMO_PORTAL_API_KEY = env.str("DEMO_PORTAL_API_KEY", default="")
# X-Forwarded-For is ignored unless this many proxies in front append to it; or the one header a proxy sets.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.RateLimitedAdminLoginForm"


# --- Content API: caching and previews ---------------------------------------

# Responses, and page items one by one (cms/item_cache.py: even with API_CACHE_ENABLED off, for benchmarks), are
# cached and dropped precisely on change (cms/caching.py); anonymous hits skip middleware (cms/early_answers.py).
CMS_API_CACHE_ENABLED = env.bool("API_CACHE_ENABLED", default=True)
CMS_API_EARLY_ANSWERS = env.bool("API_EARLY_ANSWERS", default=True)
CMS_API_ITEM_CACHE_ENABLED = env.bool("API_ITEM_CACHE_ENABLED", default=True)
# Browsers and CDNs are told: fresh for max-age, then served stale while they revalidate (a cheap 304 here).
CMS_API_CACHE_MAX_AGE = env.int("API_CACHE_MAX_AGE", default=60)
CMS_API_CACHE_STALE_WHILE_REVALIDATE = env.int("API_CACHE_STALE_WHILE_REVALIDATE", default=300)
# Responses are checked against their published schema when DEBUG or this is on (tests): a cost in production.
CMS_API_VALIDATE_RESPONSES = env.bool("API_VALIDATE_RESPONSES", default=False)
# A CDN or reverse proxy in front of the API is purged on content changes
# (cms/cdn.py) when both are set: the API's public base URL, and a purge
# endpoint for Varnish-style PURGE requests. Other CDNs (Cloudflare,
# CloudFront): configure WAGTAILFRONTENDCACHE in a settings module.
CMS_API_PUBLIC_URL = env.str("API_PUBLIC_URL", default="")
FRONTEND_CACHE_PURGE_URL = env.str("FRONTEND_CACHE_PURGE_URL", default="")
if FRONTEND_CACHE_PURGE_URL:
    WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_PURGE_URL,
        }
    }
    # API URLs carry their language in parameters, not in a /{lang}/ prefix.
    WAGTAILFRONTENDCACHE_LANGUAGES = []
# How long an editor's preview link works on a front end, in seconds.
CMS_PREVIEW_TOKEN_MAX_AGE = env.int("PREVIEW_TOKEN_MAX_AGE", default=3600)
# Webhook deliveries (cms/webhooks.py): how long to wait for a receiver, how
# many attempts before a delivery is marked failed, and the retry delay, which
# doubles after each failure up to the cap. All in seconds but the attempts.
CMS_WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=10)
CMS_WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
CMS_WEBHOOK_RETRY_DELAY = env.int("WEBHOOK_RETRY_DELAY", default=30)
CMS_WEBHOOK_MAX_RETRY_DELAY = env.int("WEBHOOK_MAX_RETRY_DELAY", default=3600)

# --- API access: CORS, keys, rate limits ------------------------------------

# Browsers may call the API and allauth's endpoints only from the origins of
# active front ends in the registry (cms/cors.py answers django-cors-headers'
# check_request_enabled signal); nothing is allowed statically.
CORS_ALLOWED_ORIGINS = []
CORS_URLS_REGEX = r"^/(api|_allauth)/"
# allauth's browser flow keeps its session in a cookie. Credentials are safe
# to allow because the origins are an explicit list, never "*".
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_HEADERS = ["authorization", "x-api-key", "x-session-token", "content-type", "if-none-match", "x-csrftoken"]
# Browsers only accept exact names here when credentials are allowed, hence
# each rate-limit header rather than "x-ratelimit-*".
CORS_EXPOSE_HEADERS = [
    "etag",
    "last-modified",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
]

# Requests per client IP (IPv6: per /64) without an API key: N/s, N/min,
# N/hour or N/day. Each key carries its own rate, set in the admin.
API_ANONYMOUS_RATE_LIMIT = env.str("API_ANONYMOUS_RATE_LIMIT", default="120/min")
parsing.check_rate("API_ANONYMOUS_RATE_LIMIT", API_ANONYMOUS_RATE_LIMIT)
# The client IP is found as allauth finds it (TRUSTED_PROXY_COUNT,
# TRUSTED_CLIENT_IP_HEADER): one answer for rate limits across the site.
API_TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT
API_TRUSTED_CLIENT_IP_HEADER = ALLAUTH_TRUSTED_CLIENT_IP_HEADER
