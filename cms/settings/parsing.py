"""What `cms/settings/base.py` makes of the values it reads: checks, derived structures, long tables.

base.py stays the one module that reads the environment (DESIGN.md,
"Habits"); nothing here reads it. Each check refuses a bad value at start-up
with the variable's name (ImproperlyConfigured), so it never reaches a request.
base.py is also run on its own by tests (runpy), hence its absolute import of
this module.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# --- Core -------------------------------------------------------------------


def templates(project_templates: Path) -> list[dict]:
    """Django's template engine, with the project's own templates and the context Wagtail's admin needs."""
    return [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [project_templates],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.debug",
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                    "wagtail.contrib.settings.context_processors.settings",
                ],
            },
        },
    ]


# --- Data -------------------------------------------------------------------


def with_connection_options(database: dict, conn_max_age: int) -> dict:
    """`database` (from DATABASE_URL) with persistent connections, and SQLite's locking settings."""
    # Connections persist between requests, on SQLite too: opening one there runs
    # the PRAGMAs below and parses the whole schema, a few ms per request.
    database.setdefault("CONN_MAX_AGE", conn_max_age)
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the task worker write while web requests read; the busy timeout
        # makes concurrent writers wait instead of failing with "database is locked".
        database.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    return database


def redis_caches(redis_url: str, key_prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "cms.redis_cache.SharedClientRedisCache",  # one client per pool: see the module
            "LOCATION": redis_url,
            "KEY_PREFIX": key_prefix,
        }
    }


def disk_caches(cache_dir: Path) -> dict:
    """One machine: a cache on disk that every process of the machine shares.

    Each web worker, the task worker and cron commands share it, so that a page
    published in one invalidates cached answers in all, and rate-limit and
    code-attempt counters count every process's requests. A per-process
    local-memory cache did neither. diskcache rather than Django's own file or
    database caches: its `add` and `incr` are atomic across processes (one
    SQLite transaction each; Django's FileBasedCache and DatabaseCache read,
    add one and write back, and lost 73 % and 25 % of concurrent increments in
    bench/cache_backends.py, letting a racing client past any limit), and a hit
    is one indexed read plus, for a large value, one file read (17 µs, against
    91 µs for FileBasedCache, 229 µs for DatabaseCache and 220 µs for Redis
    over loopback). Values are pickled: the directory must be writable by the
    application's user only. Its SQLite connections stay open between requests
    (cms/disk_cache.py): reopening them after each one was half of a cached
    answer's CPU time.
    """
    return {"default": {"BACKEND": "cms.disk_cache.SharedDiskCache", "LOCATION": str(cache_dir)}}


# --- Background tasks -------------------------------------------------------

TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}


def tasks_setting(backend: str) -> dict:
    """TASKS for the TASKS_BACKEND named `backend`."""
    if backend not in TASK_BACKENDS:
        raise ImproperlyConfigured(f"TASKS_BACKEND={backend!r}: choose one of {', '.join(TASK_BACKENDS)}.")
    return {"default": {"BACKEND": TASK_BACKENDS[backend]}}


# --- Languages --------------------------------------------------------------

LANGUAGE_NAMES = {"en": _("English"), "fr": _("French"), "de": _("German"), "es": _("Spanish")}


def named_languages(codes: list[str]) -> list[tuple[str, str]]:
    """(code, name) for each content language; a language without a known name is named by its code."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in codes]


# --- Wagtail ----------------------------------------------------------------

# Elasticsearch/OpenSearch analysers of /api/v1/search/'s per-language fields (search.models): each
# language's elisions or possessives, case, stop words, then accents folded before the stemmer, so that
# `capacites` and `capacités` stem alike (PostgreSQL's portal_<language> configurations do the same).
PORTAL_SEARCH_ANALYSIS = {
    "filter": {
        "portal_french_elision": {
            "type": "elision",
            "articles_case": True,
            "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu", "presqu"],
        },
        "portal_french_stop": {"type": "stop", "stopwords": "_french_"},
        "portal_french_stemmer": {"type": "stemmer", "language": "light_french"},
        "portal_english_possessive": {"type": "stemmer", "language": "possessive_english"},
        "portal_english_stop": {"type": "stop", "stopwords": "_english_"},
        "portal_english_stemmer": {"type": "stemmer", "language": "english"},
    },
    "analyzer": {
        "portal_french": {
            "tokenizer": "standard",
            "filter": [
                "portal_french_elision",
                "lowercase",
                "portal_french_stop",
                "asciifolding",
                "portal_french_stemmer",
            ],
        },
        "portal_english": {
            "tokenizer": "standard",
            "filter": [
                "portal_english_possessive",
                "lowercase",
                "portal_english_stop",
                "asciifolding",
                "portal_english_stemmer",
            ],
        },
        "portal_folding": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding"]},
    },
}


def search_backends(search_url: str, *, engine: str, index_prefix: str, analysis: dict) -> dict:
    """Wagtail's search backends: "default" on the search server at `search_url`, else the database; "portal"."""
    return {
        "default": (
            {
                "BACKEND": engine,
                "URLS": [search_url],
                "INDEX_PREFIX": index_prefix,
                "INDEX_SETTINGS": {"settings": {"analysis": analysis}},
            }
            if search_url
            else {"BACKEND": "wagtail.search.backends.database"}
        ),
        "portal": {"BACKEND": "search.backend"},
    }


def machine_translator(deepl_auth_key: str) -> dict:
    """DeepL when a key is configured, else wagtail-localize's dummy translator (it reverses words).

    So the button and its workflow are always there to try.
    """
    if deepl_auth_key:
        return {
            "CLASS": "wagtail_localize.machine_translators.deepl.DeepLTranslator",
            "OPTIONS": {"AUTH_KEY": deepl_auth_key},
        }
    return {"CLASS": "wagtail_localize.machine_translators.dummy.DummyTranslator"}


# --- Videos and downloads ---------------------------------------------------


def require_non_negative(values: dict[str, int]) -> None:
    """Refuse a negative limit ({variable: value}): it would refuse every download (or grant none a moment)."""
    for variable, value in values.items():
        if value < 0:
            raise ImproperlyConfigured(f"{variable}={value}: expected 0 or more.")


def require_positive(values: dict[str, int]) -> None:
    """Refuse 0 or less ({variable: value}): a zero chunk, lifetime or attempt count would stop every upload."""
    for variable, value in values.items():
        if value <= 0:
            raise ImproperlyConfigured(f"{variable}={value}: expected 1 or more.")


def check_extensions(variable: str, extensions: list[str]) -> None:
    """File name extensions as `.mp4`: a missing dot would match the end of any name (`xmp4`)."""
    wrong = [ext for ext in extensions if not (ext.startswith(".") and len(ext) > 1 and "/" not in ext)]
    if wrong or not extensions:
        raise ImproperlyConfigured(f"{variable}: expected extensions such as .mov,.mxf, got {','.join(wrong)!r}.")


def check_accel_redirect(prefix: str) -> None:
    """DOWNLOAD_ACCEL_REDIRECT: empty, or the path of an nginx location."""
    if prefix and not (prefix.startswith("/") and prefix.endswith("/")):
        raise ImproperlyConfigured(
            f"DOWNLOAD_ACCEL_REDIRECT={prefix!r}: expected the path of an nginx location, "
            "starting and ending with a slash, e.g. /protected-media/."
        )


# --- Accounts (django-allauth headless) -------------------------------------

# The portal's mandated policy: 12+ characters, no whitespace, upper- and
# lower-case letters, digits and symbols (see docs/security.md for why this
# deviates from NIST SP 800-63B / ASVS), plus Django's own checks.
PASSWORD_VALIDATORS = [
    {"NAME": "accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.password_validation.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "accounts.password_validation.NoWhitespaceValidator"},
    {"NAME": "accounts.password_validation.CharacterClassesValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "first_name", "last_name", "organisation")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# allauth's own rate limits of its account actions.
ACCOUNT_ACTION_RATES = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,4/30m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    # Off: allauth answers 429 to a sign-up only when the address just had a code mail, which tells that
    # someone just signed up with it; the portal keeps that cooldown itself (ACCOUNTS_CODE_MAIL_COOLDOWN,
    # accounts/limits.py, docs/security.md).
    "confirm_email": None,
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}


def headless_frontend_urls(frontend_url: str) -> dict[str, str]:
    """The front end's pages that allauth's e-mails and redirects link to."""
    return {
        "account_signup": f"{frontend_url}/account/signup",
        "account_reset_password": f"{frontend_url}/account/password/reset",
        "account_confirm_email": f"{frontend_url}/account/verify-email/{{key}}",
        "account_reset_password_from_key": f"{frontend_url}/account/password/reset/key/{{key}}",
        "socialaccount_login_error": f"{frontend_url}/account/provider/callback",
    }


# --- API access -------------------------------------------------------------

RATE_PERIODS = {"s", "sec", "m", "min", "h", "hour", "d", "day"}


def check_rate(variable: str, rate: str) -> None:
    """A number of requests per period, as ninja's throttles read it: 120/min, 10/s, 5000/hour, 20000/day."""
    count, _slash, period = rate.partition("/")
    if not (count.isdigit() and period.lstrip("0123456789") in RATE_PERIODS):
        raise ImproperlyConfigured(
            f"{variable}={rate!r}: expected a number of requests per period, "
            "e.g. 120/min, 10/s, 5000/hour or 20000/day."
        )
