"""Who may do what with stocktaking entries (the object is the entry).

The tenant's managers (and platform operators) moderate; the owner changes
and submits their own entries."""

import rules

from wsis_portal.tenants.rules import is_platform_operator, is_tenant_manager


@rules.predicate
def manages_entry_tenant(user, entry) -> bool:
    return entry is not None and is_tenant_manager(user, entry.tenant)


@rules.predicate
def owns_entry(user, entry) -> bool:
    return entry is not None and user.is_authenticated and entry.owner_id == user.pk


rules.add_perm("stocktaking.moderate_entry", is_platform_operator | manages_entry_tenant)
rules.add_perm("stocktaking.edit_entry", owns_entry)
