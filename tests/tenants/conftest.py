"""Objects of two tenants for the admin isolation tests.

``tenant`` (A) is the staff member's own tenant; ``other_tenant`` (B) is the
one whose data must never show. Everything of B carries ``SECRET`` in its
text, so a page that mentions it has leaked something of B.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import models

from tests.tenants.admin_map import TENANT_OWNED

OWN_TEXT = "wsis-own"
SECRET = "regional-secret"


@dataclass(frozen=True)
class TenantPair:
    ours: models.Model
    theirs: models.Model


@pytest.fixture
def secret_other_tenant(other_tenant):
    other_tenant.name = f"Regional Forum {SECRET}"
    other_tenant.save()
    return other_tenant


@pytest.fixture
def tenant_objects(tenant, secret_other_tenant, manager, other_manager) -> dict[str, TenantPair]:
    """One object of each tenant-owned model in A and one in B, by model label."""
    return {
        label: TenantPair(ours=make(tenant, OWN_TEXT), theirs=make(secret_other_tenant, SECRET))
        for label, make in TENANT_OWNED.items()
    }


@pytest.fixture
def leak_markers(other_manager) -> list[str]:
    """Strings that only appear in data of tenant B."""
    return [SECRET, other_manager.email]


@pytest.fixture
def manager_client(admin_client_for, manager):
    return admin_client_for(manager)
