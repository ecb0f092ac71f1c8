"""Settings come from the environment; a malformed value stops start-up naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from wsis_portal.env import email_settings_from_url, env_bool, env_int


def _clean_environment(**environment) -> dict:
    """This process's environment without the portal's own variables, plus ``environment``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "WSIS_", "EMAIL_", "CELERY_", "OUTBOX_"))
    }
    env.update(environment)
    return env


def _start(**environment):
    """Import the production settings in a fresh interpreter with ``environment``."""
    env = _clean_environment(**environment)
    return subprocess.run(
        [sys.executable, "-c", "import wsis_portal.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG: expected true/false, got 'maybe'"),
        ("OUTBOX_MAX_ATTEMPTS", "many", "OUTBOX_MAX_ATTEMPTS: expected a whole number, got 'many'"),
        ("EMAIL_URL", "smtp://mail.example.org:notaport", "EMAIL_URL: bad port in 'smtp://mail.example.org:notaport'"),
        ("REDIS_URL", "http://cache:6379", "REDIS_URL: scheme 'http' is not one of"),
        ("WSIS_TICK_SECONDS", "0", "WSIS_TICK_SECONDS: must be at least 1, got 0"),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(variable, value, message):
    result = _start(**{variable: value})
    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_requires_a_secret_key():
    result = _start(DJANGO_PRODUCTION="true", DJANGO_ALLOWED_HOSTS="portal.example.org")
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required in production" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60 + "\n")
    result = subprocess.run(
        [sys.executable, "-c", "from wsis_portal import settings; print(settings.SECRET_KEY, settings.DEBUG)"],
        cwd=settings.BASE_DIR,
        env=_clean_environment(
            DJANGO_PRODUCTION="true", DJANGO_ALLOWED_HOSTS="portal.example.org", DJANGO_SECRET_KEY_FILE=str(secret)
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["s" * 60, "False"]


def test_check_deploy_reports_nothing_in_production_mode(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=_clean_environment(
            DJANGO_SETTINGS_MODULE="wsis_portal.settings",
            DJANGO_PRODUCTION="true",
            DJANGO_ALLOWED_HOSTS="portal.example.org",
            DJANGO_SECRET_KEY="a-production-secret-" + "x" * 50,
            DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
            WSIS_VAR_DIR=str(tmp_path / "var"),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_email_url_forms():
    assert email_settings_from_url("EMAIL_URL", "smtp://user%40x:p%2Fw@mail.example.org:587?tls=true") == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "HOST": "mail.example.org",
        "PORT": 587,
        "USER": "user@x",
        "PASSWORD": "p/w",
        "USE_TLS": True,
        "USE_SSL": False,
        "TIMEOUT": 30,
    }
    assert email_settings_from_url("EMAIL_URL", "smtps://mail.example.org")["PORT"] == 465
    assert email_settings_from_url("EMAIL_URL", "file:///tmp/mail") == {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "FILE_PATH": "/tmp/mail",
    }
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL: tls= must be true or false"):
        email_settings_from_url("EMAIL_URL", "smtp://mail.example.org?tls=perhaps")


def test_env_helpers_defaults(monkeypatch):
    monkeypatch.delenv("WSIS_SOMETHING", raising=False)
    assert env_bool("WSIS_SOMETHING", True) is True
    assert env_int("WSIS_SOMETHING", 7) == 7
    monkeypatch.setenv("WSIS_SOMETHING", "off")
    assert env_bool("WSIS_SOMETHING", True) is False
