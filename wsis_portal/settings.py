"""Settings for the WSIS Forum Portal, driven by environment variables.

Defaults are the embedded ones (SQLite, a file-system Celery broker, a file
cache, email written to a folder) so that ``make run`` needs no server.
Production sets ``DJANGO_PRODUCTION=true`` and the URLs; every variable is
listed in README.md.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from wsis_portal.env import (
    email_settings_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("WSIS_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("DJANGO_PRODUCTION", False)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required in production")
    SECRET_KEY = "embedded-development-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("WSIS_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
parse_url("WSIS_SITE_URL", SITE_URL, {"http", "https"})

INSTALLED_APPS = [
    "wsis_portal.tenants.admin_apps.PortalAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_celery_beat",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    # Platform apps.
    "wsis_portal.reference",
    "wsis_portal.accounts",
    "wsis_portal.tenants",
    "wsis_portal.editions",
    "wsis_portal.notifications",
    # Programme apps.
    "ocp",
    "prizes",
    "stocktaking",
    "photocontest",
    "partners",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wsis_portal.accounts.middleware.PreferredLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "wsis_portal.tenants.middleware.TenantMiddleware",
    "wsis_portal.accounts.middleware.StaffSecondFactorMiddleware",
]

ROOT_URLCONF = "wsis_portal.urls"
WSGI_APPLICATION = "wsis_portal.wsgi.application"

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
                "wsis_portal.tenants.context_processors.tenant",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'wsis_portal.sqlite3'}")
try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0))
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: wait for the writer instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions --------------------------------------------------------
# How long a process keeps a tenant's row (every /<tenant>/ request needs it).
WSIS_TENANT_CACHE_SECONDS = env_int("WSIS_TENANT_CACHE_SECONDS", 30, minimum=0)
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    parse_url("REDIS_URL", REDIS_URL, {"redis", "rediss", "unix"})
    CACHES = {"default": {"BACKEND": "wsis_portal.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by every process on the machine, which allauth's
    # rate limits need (local memory would give each process its own counts).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Voters stay logged in for the whole voting period (45 days by default).
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 45 * 24 * 3600, minimum=300)

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    # kombu's file-system transport needs its folders to exist.
    _queue_dir.mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
WSIS_TICK_SECONDS = env_int("WSIS_TICK_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "editions-tick": {"task": "editions.tick", "schedule": float(WSIS_TICK_SECONDS)},
    "notifications-send-outbox": {"task": "notifications.send_outbox", "schedule": float(WSIS_TICK_SECONDS)},
    "notifications-reminders-tick": {"task": "notifications.reminders_tick", "schedule": float(WSIS_TICK_SECONDS)},
}

# --- Email ------------------------------------------------------------------
# Every email is written to the outbox first (EMAIL_BACKEND); the sender task
# delivers it through OUTBOX_DELIVERY (EMAIL_URL).
EMAIL_BACKEND = "wsis_portal.notifications.backends.OutboxBackend"
EMAIL_URL = env_str("EMAIL_URL", f"file://{VAR_DIR / 'sent-mail'}")
OUTBOX_DELIVERY = email_settings_from_url("EMAIL_URL", EMAIL_URL)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8, minimum=1)
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 400, minimum=1)
# A row left "sending" this long (its worker died) is claimed again.
OUTBOX_CLAIM_TIMEOUT_SECONDS = env_int("OUTBOX_CLAIM_TIMEOUT_SECONDS", 600, minimum=1)
# The first retry after a transient failure; each next one waits twice as long.
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30, minimum=1)
# A large batch is sent over up to this many SMTP connections at once (one
# thread each): a sender mostly waits for the server's answers.
OUTBOX_SMTP_CONNECTIONS = env_int("OUTBOX_SMTP_CONNECTIONS", 16, minimum=1)
# Recipients written per reminder chunk task, and how long a queued chunk may
# stay undone before the tick queues it again (its message was lost).
REMINDER_CHUNK_SIZE = env_int("WSIS_REMINDER_CHUNK_SIZE", 1000, minimum=1)
REMINDER_LEASE_SECONDS = env_int("WSIS_REMINDER_LEASE_SECONDS", 120, minimum=10)
# Published stocktaking entries not confirmed by their owner for this many
# years are marked stale in the search.
STOCKTAKING_STALE_AFTER_YEARS = env_int("WSIS_STOCKTAKING_STALE_AFTER_YEARS", 2, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "WSIS Forum <no-reply@wsis.example.org>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Accounts (django-allauth) -----------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's and allauth's backends, reading the signed-in user with one plain statement.
    "wsis_portal.accounts.backends.ModelBackend",
    "wsis_portal.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_ADAPTER = "wsis_portal.accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[WSIS] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_email": "1/m/user",
    "manage_email": "10/m/user",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# Voters log in with a code sent by email (no password hash to check).
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "WSIS Forum Portal"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("ru", "Русский"),
    ("zh-hans", "中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
WSIS_DEFAULT_TIMEZONE = "Europe/Zurich"

# --- Static and media --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Outside production, WhiteNoise looks files up on each request (no collectstatic needed).
WHITENOISE_AUTOREFRESH = not PRODUCTION
WHITENOISE_USE_FINDERS = not PRODUCTION

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must not be true when DJANGO_PRODUCTION is true")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required in production")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# The public, read-only open data API (/api/v1/, see docs/stocktaking.md).
# JSON only; no authentication (public data, so no session and no CSRF);
# every client is throttled by address through the cache.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env_str("WSIS_API_ANON_RATE", "120/minute")},
    # Proxies in front of the portal (0: the client is REMOTE_ADDR; never trust
    # a client's own X-Forwarded-For).
    "NUM_PROXIES": env_int("WSIS_API_NUM_PROXIES", 0, minimum=0),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# WSIS Prizes public voting: vote requests per account and per client address
# (the address as the API reads it, through WSIS_API_NUM_PROXIES), counted in
# the cache in fixed windows: "N/s", "N/m", "N/h" or "N/d".
PRIZES_VOTE_RATE_ACCOUNT = env_str("WSIS_VOTE_RATE_ACCOUNT", "30/h")
PRIZES_VOTE_RATE_ADDRESS = env_str("WSIS_VOTE_RATE_ADDRESS", "300/h")
for _name, _rate in (
    ("WSIS_VOTE_RATE_ACCOUNT", PRIZES_VOTE_RATE_ACCOUNT),
    ("WSIS_VOTE_RATE_ADDRESS", PRIZES_VOTE_RATE_ADDRESS),
):
    _count, _slash, _period = _rate.partition("/")
    if not (_count.isdigit() and _period[:1] in ("s", "m", "h", "d")):
        raise ImproperlyConfigured(f"{_name}: expected a rate like 30/h, got {_rate!r}")
SPECTACULAR_SETTINGS = {
    "TITLE": "WSIS Forum Portal open data API",
    "DESCRIPTION": "Read-only access to the published WSIS Stocktaking entries of each forum.",
    "VERSION": "1.0.0",
    # OpenAPI 3.1 schemas are JSON Schema, so responses validate with jsonschema.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# Silence the nag about the file-system broker's result files etc.
SILENCED_SYSTEM_CHECKS: list[str] = []

PORTAL_NAME = _("WSIS Forum Portal")
