"""Reads for the OCP pages; the tenant is always explicit."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from wsis_portal.editions.models import Call, Edition, Phase

from .models import MODEL_BY_CALL_KIND, OCP_MODELS, InternalComment, OcpSubmission, ReviewEvent


def ocp_calls(*, edition: Edition) -> list[Call]:
    """The edition's OCP calls with their phases and extensions (three queries)."""
    return list(
        Call.objects.filter(edition=edition, kind__in=list(MODEL_BY_CALL_KIND))
        .select_related("edition")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("opens_at", "position")), "extensions")
    )


def ocp_entries_for_owner(*, tenant, user, edition: Edition) -> dict[int, list[OcpSubmission]]:
    """The user's OCP entries in the edition, by call id, newest change first
    (one query per entry kind)."""
    found: dict[int, list[OcpSubmission]] = {}
    for model in OCP_MODELS:
        entries = model.objects.filter(tenant=tenant, owner=user, call__edition=edition).select_related("tenant")
        for entry in entries.order_by("-updated_at"):
            found.setdefault(entry.call_id, []).append(entry)
    return found


def ocp_entry_for_owner(*, tenant, user, model: type[OcpSubmission], pk: int) -> OcpSubmission:
    """One entry of the user in this tenant, or 404 (another person's or tenant's entry too)."""
    queryset: QuerySet = model.objects.select_related("tenant", "call__edition").prefetch_related(
        "call__phases", "call__extensions"
    )
    return get_object_or_404(queryset, tenant=tenant, owner=user, pk=pk)


def _about(entry: OcpSubmission) -> dict:
    return {
        "tenant_id": entry.tenant_id,
        "content_type": ContentType.objects.get_for_model(type(entry)),
        "object_id": entry.pk,
    }


def entry_internal_comments(*, entry: OcpSubmission) -> list[InternalComment]:
    """The secretariat's comments on ``entry``, oldest first (staff only)."""
    return list(InternalComment.objects.filter(**_about(entry)).select_related("author"))


def entry_review_events(*, entry: OcpSubmission) -> list[ReviewEvent]:
    """The status changes made by the review service on ``entry``, oldest first."""
    return list(ReviewEvent.objects.filter(**_about(entry)).select_related("by"))
