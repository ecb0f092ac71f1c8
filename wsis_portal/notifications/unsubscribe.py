"""Signed one-click unsubscribe links (RFC 8058) and news preferences."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .enums import DEFAULT_SUBSCRIBED, NewsKind
from .models import AddressNewsRefusal, NewsPreference

SALT = "notifications.unsubscribe"


def token_signer() -> signing.TimestampSigner:
    """The signer ``signing.dumps`` makes for each token: a reminder chunk makes
    one and signs its thousand tokens with it."""
    return signing.TimestampSigner(salt=SALT)


def unsubscribe_token(*, user_id: int, tenant_id: int, kind: str, signer: signing.TimestampSigner | None = None) -> str:
    # No expiry: a link in an old email must still work. What
    # signing.dumps(..., salt=SALT, compress=True) gives.
    return (signer or token_signer()).sign_object({"u": user_id, "t": tenant_id, "k": kind}, compress=True)


def address_unsubscribe_token(*, email: str, tenant_id: int, kind: str) -> str:
    """The token of someone reached by address only (a nominee without an account)."""
    return signing.dumps({"e": email.lower(), "t": tenant_id, "k": kind}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int | None, str | None, int, str]:
    """``(user_id, email, tenant_id, kind)``, one of the first two set; raises
    ``signing.BadSignature`` if tampered with."""
    payload = signing.loads(token, salt=SALT)
    if not isinstance(payload, dict) or payload.get("k") not in NewsKind.values:
        raise signing.BadSignature("unknown kind of news")
    try:
        if "e" in payload:
            return None, str(payload["e"]), int(payload["t"]), payload["k"]
        return int(payload["u"]), None, int(payload["t"]), payload["k"]
    except (KeyError, TypeError, ValueError) as error:
        raise signing.BadSignature("incomplete token") from error


def read_unsubscribe_token(token: str) -> tuple[int, int, str]:
    """``(user_id, tenant_id, kind)`` of an account's token; raises ``signing.BadSignature``
    if tampered with (or if it is an address's token)."""
    user_id, _email, tenant_id, kind = read_token(token)
    if user_id is None:
        raise signing.BadSignature("not an account's token")
    return user_id, tenant_id, kind


def unsubscribe_url(*, user_id: int, tenant_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, tenant_id=tenant_id, kind=kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def unsubscribe_headers(*, user_id: int, tenant_id: int, kind: str) -> dict[str, str]:
    """The headers every non-transactional email carries (RFC 2369 and 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id=user_id, tenant_id=tenant_id, kind=kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def news_preference_set(*, user, tenant, kind: str, subscribed: bool) -> NewsPreference:
    preference, _created = NewsPreference.objects.update_or_create(
        user=user, tenant=tenant, kind=kind, defaults={"subscribed": subscribed}
    )
    return preference


def news_preferences_of(*, user, tenant) -> dict[str, bool]:
    """Every kind of news with whether ``user`` receives it from ``tenant``."""
    stored = dict(NewsPreference.objects.filter(user=user, tenant=tenant).values_list("kind", "subscribed"))
    return {kind: stored.get(kind, kind in DEFAULT_SUBSCRIBED) for kind in NewsKind.values}


def address_news_refuse(*, email: str, tenant, kind: str) -> AddressNewsRefusal:
    """Record that ``email`` (reached without an account) wants no more of ``kind`` from ``tenant``."""
    refusal, _created = AddressNewsRefusal.objects.get_or_create(email=email.lower(), tenant=tenant, kind=kind)
    return refusal
