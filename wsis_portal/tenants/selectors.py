from __future__ import annotations

import copy
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

from .enums import Role
from .models import Membership, Tenant


def tenant_ids_for_staff(*, user, roles: set[str] | None = None) -> list[int]:
    """The tenants where ``user`` holds one of ``roles`` (any role by default).

    Read unscoped on purpose: it is what decides which scope to open.
    """
    if not user.is_authenticated or not user.is_active:
        return []
    with scopes_disabled():
        memberships = Membership.objects.filter(user=user, tenant__is_active=True)
        if roles:
            memberships = memberships.filter(role__in=roles)
        return sorted(memberships.values_list("tenant_id", flat=True))


def managed_tenant_ids(*, user) -> list[int]:
    return tenant_ids_for_staff(user=user, roles={Role.MANAGER})


def active_tenants():
    return Tenant.objects.filter(is_active=True)


# slug -> (expires at, on the monotonic clock; the active tenant)
_TENANTS: dict[str, tuple[float, Tenant]] = {}


def tenant_by_slug(slug: str) -> Tenant | None:
    """The active tenant of ``slug``, kept in this process for
    ``WSIS_TENANT_CACHE_SECONDS`` (every request under ``/<slug>/`` needs it;
    the row rarely changes). Saving or deleting a tenant empties this
    process's copy at once; other processes see the change within that time.
    Unknown slugs are never kept."""
    lifetime = settings.WSIS_TENANT_CACHE_SECONDS
    now = time.monotonic()
    kept = _TENANTS.get(slug)
    if kept is not None and kept[0] > now:
        return copy.copy(kept[1])
    tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
    if tenant is not None and lifetime > 0:
        _TENANTS[slug] = (now + lifetime, copy.copy(tenant))
    return tenant


def _forget_tenants(**kwargs) -> None:
    _TENANTS.clear()


post_save.connect(_forget_tenants, sender=Tenant, dispatch_uid="tenants-forget-cached")
post_delete.connect(_forget_tenants, sender=Tenant, dispatch_uid="tenants-forget-cached-delete")
