"""Settings for Counterpart, read from environment variables.

Every value an operator may need to change comes from the environment; see docs/deployment.md.
Without any variable set, Counterpart runs in development mode on SQLite under ``var/``.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("COUNTERPART_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("COUNTERPART_DEBUG", default=False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    # Without SECRET_KEY, a key is made on first start and kept in var/ (never in the repository).
    # Production sets SECRET_KEY so that every worker and every host shares it.
    key_file = VAR_DIR / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_countries",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "counterpart.common",
    "counterpart.audit",
    "counterpart.accounts",
    "counterpart.organisations",
    "counterpart.partnerships",
    "counterpart.frameworks",
    "counterpart.assessments",
    "counterpart.insights",
    "counterpart.notifications",
    "counterpart.commitments",
    "counterpart.concerns",
    "counterpart.funding",
    "counterpart.reports",
    "counterpart.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "counterpart.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "counterpart.common.ratelimit.RateLimitMiddleware",
    # Last, so that every middleware above adds its headers to the 413 page; it still runs
    # before any view or CSRF check reads the body.
    "counterpart.common.body_limit.BodyLimitMiddleware",
]

# Pages reached without an account take short text only: a larger request body is refused
# with 413 before it is read (common/body_limit.py). Files go to other pages, signed in.
REQUEST_BODY_LIMITS = {
    "/respond/": 1024 * 1024,
    "/concerns/to/": 1024 * 1024,
    "/concerns/track/": 1024 * 1024,
}

ROOT_URLCONF = "counterpart.urls"
WSGI_APPLICATION = "counterpart.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "counterpart.common.context_processors.site",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "counterpart.common.sqlite",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "counterpart.sqlite3")),
            # Django's SQLite backend, with the writing threads of one process taking turns
            # (counterpart/common/sqlite). WAL: readers never wait for a writer. IMMEDIATE: a
            # transaction takes the write lock when it begins, so it waits its turn instead of
            # failing half way. timeout: a writer waits up to 20 seconds for the lock (imports
            # write in short batches).
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Login throttling: after 5 failures the account and address pair waits an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Behind reverse proxies, the visitor's address is the one the nearest proxy saw. Set the number
# of proxies in front of Counterpart so that throttling counts real addresses, not the proxy's.
PROXY_COUNT = int(os.environ.get("COUNTERPART_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "counterpart.common.client_address.client_address"

# The cache holds the counters of the rate limits below and of the API's throttle. By default
# it is each process's own memory, which is right for one process on one host. With several
# gunicorn workers or hosts, point every one of them at one Redis server
# (COUNTERPART_CACHE_URL=redis://host:6379/0, rediss:// for TLS, or unix:///path/to/socket), so
# that a limit counts every request, whichever worker answers it.
CACHE_URL = os.environ.get("COUNTERPART_CACHE_URL", "").strip()
if CACHE_URL:
    if CACHE_URL.partition("://")[0] not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            "COUNTERPART_CACHE_URL must name a Redis server: redis://, rediss:// or unix://."
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "counterpart",
            # A cache that does not answer must not hold a page for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Limits that make cheap attacks dear (see common/ratelimit.py), as "count/period" with a period
# of second, minute, hour or day: registrations per address, invitations an organisation sends,
# concerns raised through a public link per address. Counted in Django's default cache (above):
# never in the database, which must keep nothing about a visitor's address.
RATE_LIMITS = {
    "signup": os.environ.get("COUNTERPART_RATE_SIGNUP", "5/hour"),
    "invitation": os.environ.get("COUNTERPART_RATE_INVITATION", "30/day"),
    "concern": os.environ.get("COUNTERPART_RATE_CONCERN", "10/hour"),
    # Looking up a partner by name, IATI identifier or email address, per person.
    "partner_lookup": os.environ.get("COUNTERPART_RATE_PARTNER_LOOKUP", "30/hour"),
}

# A registration waits this many hours for its email address to be confirmed.
SIGNUP_CONFIRM_HOURS = int(os.environ.get("COUNTERPART_SIGNUP_CONFIRM_HOURS", "48"))

# Invitations to join an organisation expire after this many days.
INVITATION_MAX_AGE_DAYS = int(os.environ.get("INVITATION_MAX_AGE_DAYS", "14"))
# Days before a round closes when those who have not answered are reminded, once.
ROUND_REMINDER_DAYS = int(os.environ.get("ROUND_REMINDER_DAYS", "3"))

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_COOKIE_NAME = "counterpart_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (evidence, files waiting for their import) go through Django's storage API
# only, so that every host can read what another received. By default, a folder on this host
# (COUNTERPART_MEDIA_DIR, which several hosts may share over the network); with
# COUNTERPART_STORAGE=s3, a bucket (kept private) of an S3-compatible object store, through
# django-storages: its credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the
# machine's role), as boto3 finds them.
MEDIA_DIR = Path(os.environ.get("COUNTERPART_MEDIA_DIR", VAR_DIR / "media"))
STORAGE = os.environ.get("COUNTERPART_STORAGE", "filesystem").strip().lower() or "filesystem"
if STORAGE == "s3":
    S3_SETTINGS = {
        "bucket_name": "AWS_STORAGE_BUCKET_NAME",
        "endpoint_url": "AWS_S3_ENDPOINT_URL",
        "region_name": "AWS_S3_REGION_NAME",
        "location": "AWS_LOCATION",
        "addressing_style": "AWS_S3_ADDRESSING_STYLE",
    }
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip():
        raise ImproperlyConfigured("COUNTERPART_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **{
                option: os.environ[name].strip()
                for option, name in S3_SETTINGS.items()
                if os.environ.get(name, "").strip()
            },
            # Names are random, but never replace a file that is already there.
            "file_overwrite": False,
            # A large file being read (a funding import) waits in the local temporary folder
            # rather than in memory.
            "max_memory_size": 10 * 1024 * 1024,
        },
    }
elif STORAGE == "filesystem":
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_DIR)},
    }
else:
    raise ImproperlyConfigured(
        f"COUNTERPART_STORAGE is {STORAGE!r}; it may be 'filesystem' (the default) or 's3'."
    )
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("COUNTERPART_MANIFEST_STATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Mail: the console by default; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Counterpart <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background work: run at once by default; the database queue and `manage.py db_worker`
# in production (COUNTERPART_TASKS=database).
if os.environ.get("COUNTERPART_TASKS", "immediate") == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The health page (/healthz) fails when a queued task waits longer than this past the time it
# could run, and warns when the worker has started no task for the second length of time
# (`rounds_due` queues a small task every hour).
TASK_WORKER_MAX_WAIT_MINUTES = int(os.environ.get("COUNTERPART_WORKER_MAX_WAIT_MINUTES", "15"))
TASK_WORKER_SEEN_MINUTES = int(os.environ.get("COUNTERPART_WORKER_SEEN_MINUTES", "120"))

# Security headers. Behind a TLS-terminating proxy set COUNTERPART_HTTPS=1.
HTTPS = env_bool("COUNTERPART_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("COUNTERPART_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [NONE],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

MESSAGE_TAGS = {40: "error"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint reports each step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# The organisation kinds, stages and other choices live in the apps; these are the labels
# shown for the site itself.
SITE_NAME = _("Counterpart")

# Anyone may register a person and their organisation unless this is turned off; invited people
# can always join.
OPEN_REGISTRATION = env_bool("COUNTERPART_OPEN_REGISTRATION", default=True)

# The largest funding file (IATI or CSV) a person may upload, in megabytes.
FUNDING_IMPORT_MAX_MB = int(os.environ.get("COUNTERPART_FUNDING_IMPORT_MAX_MB", "500"))

# The REST API: personal tokens (or the signed-in session), organisation-scoped like the pages,
# paged, filtered, throttled, and with errors as JSON in the reader's language.
API_RATE = os.environ.get("COUNTERPART_API_RATE", "3000/hour")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "counterpart.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "counterpart.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["counterpart.api.throttling.PersonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": API_RATE},
    "EXCEPTION_HANDLER": "counterpart.api.errors.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Counterpart API",
    "DESCRIPTION": (
        "Organisations, partnerships, assessment rounds and their results, commitments, "
        "concerns, funding flows and localisation metrics, and framework downloads. Sign in "
        "with a personal token (Authorization: Bearer ...), made on the site's 'API tokens' "
        "page. You see exactly what you see on the site."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SideEnum": "counterpart.partnerships.models.Side.choices",
        "RoundKindEnum": "counterpart.assessments.models.RoundKind.choices",
        "FlowKindEnum": "counterpart.funding.models.FlowKind.choices",
        "OrganisationKindEnum": "counterpart.organisations.models.OrganisationKind.choices",
    },
}
