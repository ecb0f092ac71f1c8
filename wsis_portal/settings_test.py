"""Test settings: PostgreSQL and Redis when they answer, SQLite and local
memory otherwise (``WSIS_TEST_REQUIRE_SERVICES=true`` makes their absence an
error, as in CI). The pytest header says which were used."""

import os
import socket
from urllib.parse import urlsplit

os.environ.setdefault("WSIS_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from wsis_portal.env import email_settings_from_url, env_bool, env_str  # noqa: E402
from wsis_portal.settings import *  # noqa: E402,F401,F403
from wsis_portal.settings import BASE_DIR, INSTALLED_APPS  # noqa: E402


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 0), timeout=0.5):
            return True
    except OSError:
        return False


REQUIRE_SERVICES = env_bool("WSIS_TEST_REQUIRE_SERVICES", False)
TEST_DATABASE_URL = env_str("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wsis_portal")
TEST_REDIS_URL = env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

USING_POSTGRES = _reachable(TEST_DATABASE_URL)
USING_REDIS = _reachable(TEST_REDIS_URL)
if REQUIRE_SERVICES and not (USING_POSTGRES and USING_REDIS):
    raise RuntimeError(f"WSIS_TEST_REQUIRE_SERVICES: PostgreSQL up={USING_POSTGRES}, Redis up={USING_REDIS}")

if USING_POSTGRES:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(TEST_DATABASE_URL, conn_max_age=0)}
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "var" / "test" / "db.sqlite3")}
    }

# A real Celery worker and beat started by a test (tests/integration/celery_processes.py)
# must use that test's database (pytest-django renames it, e.g. test_wsis_portal_gw0),
# broker and SMTP server: these WSIS_TEST_* variables say which. Unset, nothing changes.
_test_database_name = env_str("WSIS_TEST_DATABASE_NAME")
if _test_database_name:
    DATABASES["default"]["NAME"] = _test_database_name

# Tests create and drop tenants constantly: no tenant kept between requests
# (tests/tenants/test_tenant_cache.py turns it on).
WSIS_TENANT_CACHE_SECONDS = 0

if USING_REDIS:
    CACHES = {"default": {"BACKEND": "wsis_portal.cache.RedisCache", "LOCATION": TEST_REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tests that need a worker start a real one (see tests/integration/celery_processes.py); the
# rest run tasks inline so that a test sees their effect.
CELERY_TASK_ALWAYS_EAGER = env_bool("WSIS_TEST_CELERY_EAGER", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env_str("WSIS_TEST_BROKER_URL") or (TEST_REDIS_URL if USING_REDIS else "memory://")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INSTALLED_APPS = [*INSTALLED_APPS, "tests.sampleapp"]
# Rate limits stay on (their own tests check them) but are generous enough for suites.
# Rate limits would trip over a suite that logs in hundreds of times; their own test turns them back on.
ACCOUNT_RATE_LIMITS = False
# Delivered mail lands in django.core.mail.outbox, unless a test points the
# worker it starts at a real SMTP server.
_test_email_url = env_str("WSIS_TEST_EMAIL_URL")
EMAIL_URL = _test_email_url or "console://"
OUTBOX_DELIVERY = (
    email_settings_from_url("WSIS_TEST_EMAIL_URL", _test_email_url)
    if _test_email_url
    else {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
