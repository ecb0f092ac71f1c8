"""Role predicates. ``tenant`` is the object a permission is checked against
(django-rules passes it as the second argument)."""

import rules
from django_scopes import scopes_disabled

from .enums import Role
from .models import Membership


def _has_role(user, tenant, roles) -> bool:
    if tenant is None or not user.is_authenticated or not user.is_active:
        return False
    cache = user.__dict__.setdefault("_tenant_roles", {})
    if tenant.pk not in cache:
        with scopes_disabled():
            cache[tenant.pk] = (
                Membership.objects.filter(user=user, tenant=tenant).values_list("role", flat=True).first()
            )
    return cache[tenant.pk] in roles


@rules.predicate
def is_tenant_manager(user, tenant) -> bool:
    return _has_role(user, tenant, {Role.MANAGER})


@rules.predicate
def is_tenant_reviewer(user, tenant) -> bool:
    return _has_role(user, tenant, {Role.REVIEWER})


@rules.predicate
def is_tenant_expert(user, tenant) -> bool:
    return _has_role(user, tenant, {Role.EXPERT})


@rules.predicate
def is_tenant_staff(user, tenant) -> bool:
    return _has_role(user, tenant, set(Role.values))


is_platform_operator = rules.is_superuser

rules.add_perm("tenants.manage_tenant", is_platform_operator | is_tenant_manager)
rules.add_perm("tenants.review_in_tenant", is_platform_operator | is_tenant_manager | is_tenant_reviewer)
rules.add_perm("tenants.assess_in_tenant", is_platform_operator | is_tenant_manager | is_tenant_expert)
rules.add_perm("tenants.view_tenant_data", is_platform_operator | is_tenant_staff)
