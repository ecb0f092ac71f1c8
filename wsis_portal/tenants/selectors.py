from __future__ import annotations

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
