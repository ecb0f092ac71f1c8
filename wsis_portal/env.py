"""Small helpers that read settings from the environment and fail loudly.

A malformed value stops start-up with ``ImproperlyConfigured`` naming the
variable, so a typo in production never becomes a silent default.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """A string; ``NAME_FILE`` (a path to a file holding the value) wins, for secrets."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path!r}: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true/false, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}: must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_url(name: str, value: str, schemes: set[str]):
    """Split a URL setting, refusing a scheme we do not know."""
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(f"{name}: scheme {parts.scheme!r} is not one of {sorted(schemes)} in {value!r}")
    return parts


def email_settings_from_url(name: str, value: str) -> dict:
    """``smtp://user:password@host:587?tls=true`` (or ``smtps://`` for implicit TLS),
    ``file:///path/to/folder`` or ``console://`` -> the delivery backend's settings."""
    parts = parse_url(name, value, {"smtp", "smtps", "file", "console"})
    if parts.scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name}: file:// needs a folder path, got {value!r}")
        return {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "FILE_PATH": parts.path}
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: bad port in {value!r}") from exc
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name}: no host in {value!r}")
    for flag in ("tls", "ssl"):
        if query.get(flag, "false").lower() not in _TRUE | _FALSE:
            raise ImproperlyConfigured(f"{name}: {flag}= must be true or false in {value!r}")
    use_ssl = parts.scheme == "smtps" or query.get("ssl", "false").lower() in _TRUE
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "HOST": parts.hostname,
        "PORT": port or (465 if use_ssl else 25),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "USE_TLS": query.get("tls", "false").lower() in _TRUE,
        "USE_SSL": use_ssl,
        "TIMEOUT": 30,
    }
