"""How a tenant-owned model reaches its tenant.

Every tenant-owned model declares ``tenant_path`` (``"tenant"`` when it has the
foreign key itself, ``"call__edition__tenant"`` when it reaches it through
others) and ``objects = ScopedManager(tenant=tenant_path)``. The admin, the
selectors and the isolation tests read the path from here.
"""

from __future__ import annotations

from django.db import models

from .models import Tenant


def tenant_path_of(model: type[models.Model]) -> str | None:
    if model is Tenant or (isinstance(model, type) and issubclass(model, Tenant)):
        return "pk"
    return getattr(model, "tenant_path", None)


def is_tenant_owned(model: type[models.Model]) -> bool:
    return tenant_path_of(model) not in (None, "pk")


def tenant_filter(model: type[models.Model], tenant_ids) -> dict:
    """Filter keyword arguments restricting ``model`` to ``tenant_ids``."""
    path = tenant_path_of(model)
    if path is None:
        raise ValueError(f"{model.__name__} is not tenant-owned")
    lookup = "pk__in" if path == "pk" else f"{path}__in"
    return {lookup: list(tenant_ids)}


def tenant_id_of(obj: models.Model) -> int | None:
    """Follow ``tenant_path`` from an instance to its tenant's id."""
    path = tenant_path_of(type(obj))
    if path == "pk":
        return obj.pk
    if path is None:
        return None
    *hops, last = path.split("__")
    current = obj
    for hop in hops:
        current = getattr(current, hop, None)
        if current is None:
            return None
    return getattr(current, f"{last}_id", None)
