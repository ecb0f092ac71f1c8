"""Reads for the prizes pages; the tenant is always explicit."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from wsis_portal.editions.enums import CallKind, SubmissionStatus
from wsis_portal.editions.models import Call, Edition, Phase

from .models import Contest, ContestCategory, PrizeEntry, Score


def contest_for_edition(*, edition: Edition) -> Contest | None:
    return Contest.objects.filter(edition=edition).select_related("edition__tenant").first()


def prize_call(*, edition: Edition) -> Call | None:
    """The edition's prizes call with its phases and extensions (three queries)."""
    return (
        Call.objects.filter(edition=edition, kind=CallKind.PRIZES)
        .select_related("edition")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("opens_at", "position")), "extensions")
        .first()
    )


def contest_categories(*, contest: Contest, active_only: bool = True) -> list[ContestCategory]:
    """The contest's categories with their reference data (one query)."""
    categories = ContestCategory.objects.filter(contest=contest).select_related("prize_category__action_line")
    if active_only:
        categories = categories.filter(active=True)
    return list(categories)


def entries_for_owner(*, tenant, user, contest: Contest) -> list[PrizeEntry]:
    """The user's entries in the contest, newest change first (one query)."""
    return list(
        PrizeEntry.objects.filter(tenant=tenant, owner=user, call__edition_id=contest.edition_id)
        .select_related("category__prize_category__action_line")
        .order_by("-updated_at")
    )


def categories_used_by_organisation(*, tenant, organisation_id: int | None, contest: Contest) -> set[int]:
    """The categories where the organisation already has a (not withdrawn) entry (one query)."""
    if organisation_id is None:
        return set()
    return set(
        PrizeEntry.objects.filter(
            tenant=tenant, organisation_id=organisation_id, call__edition_id=contest.edition_id, category__isnull=False
        )
        .exclude(status=SubmissionStatus.WITHDRAWN)
        .values_list("category_id", flat=True)
    )


def entry_for_owner(*, tenant, user, pk: int) -> PrizeEntry:
    """One entry of the user in this tenant, or 404 (another person's or tenant's entry too)."""
    queryset = PrizeEntry.objects.select_related(
        "call__edition", "category__prize_category__action_line", "stakeholder_type"
    ).prefetch_related("call__phases", "call__extensions")
    return get_object_or_404(queryset, tenant=tenant, owner=user, pk=pk)


# --- nomination ------------------------------------------------------------------


def categories_for_reviewer(*, tenant, user, contest: Contest) -> list[ContestCategory]:
    """The contest's categories ``user`` is assigned to review (one query)."""
    return list(
        ContestCategory.objects.filter(
            contest=contest, contest__edition__tenant=tenant, reviewers__user=user
        ).select_related("prize_category__action_line")
    )


def category_for_reviewer(*, tenant, user, contest: Contest, pk: int) -> ContestCategory:
    """One category ``user`` reviews, or 404 (another category or tenant too)."""
    queryset = ContestCategory.objects.select_related("prize_category__action_line", "contest__edition")
    return get_object_or_404(queryset, pk=pk, contest=contest, contest__edition__tenant=tenant, reviewers__user=user)


def entries_to_score(*, category: ContestCategory) -> list[PrizeEntry]:
    """The category's submitted entries in reference order (one query)."""
    return list(
        PrizeEntry.objects.filter(category=category, status=SubmissionStatus.SUBMITTED)
        .select_related("organisation")
        .order_by("reference", "pk")
    )


def scores_of_reviewer(*, category: ContestCategory, user) -> dict[int, dict[int, Score]]:
    """``{entry id: {criterion id: score}}`` of ``user`` in the category (one query)."""
    scores: dict[int, dict[int, Score]] = {}
    for score in Score.objects.filter(entry__category=category, reviewer=user):
        scores.setdefault(score.entry_id, {})[score.criterion_id] = score
    return scores


def nominees(*, contest: Contest) -> list[PrizeEntry]:
    """The contest's nominated entries in category order (one query)."""
    return list(
        PrizeEntry.objects.filter(
            category__contest=contest, status=SubmissionStatus.SUBMITTED, nominated_at__isnull=False
        )
        .select_related("organisation", "category__prize_category__action_line")
        .order_by("category__position", "category_id", "title", "pk")
    )
