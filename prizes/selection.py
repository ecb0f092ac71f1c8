"""Champions, the experts' selection and the announcement of the WSIS Prizes.

- Tally (``tally_run``, and the boundary handler when the voting phase
  closes): per category, the nominees with the most VALID votes become
  Champions, ``champions_per_category`` of them. Entries tied for the last
  place are all kept and flagged ``tie_at_cutoff`` for the experts: the tally
  never breaks a tie. It runs once per contest: the contest row is locked
  while ``ContestResults.tallied_at`` is checked and set, so a second run
  (admin action, a second tick) changes nothing. A nominee without a single
  valid vote is never a Champion.
- Experts (``CategoryExpert``) rank the Champions of their categories
  (``ranking_record``), from the tally until the selection phase closes.
- A manager confirms one Winner per category among its Champions
  (``winner_confirm``; ``Winner.category`` is unique), seeing the experts'
  aggregated ranking (``rankings_aggregate``) and the tie flags.
- When the announcement phase opens (``results_announce``, boundary
  handler): the results page and the Success Stories go public, and each
  Winner and Champion is emailed once (dedup keys ``prizes-winner:<entry>``
  and ``prizes-champion:<entry>``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.editions.engine import on_phase_boundary
from wsis_portal.editions.enums import CallKind, PhaseEventKind, SubmissionStatus
from wsis_portal.editions.models import Phase
from wsis_portal.tenants.rules import is_tenant_manager

from .emails import entry_owner_email
from .enums import PHASE_ANNOUNCEMENT, PHASE_SELECTION, PHASE_VOTING, VoteStatus
from .models import Champion, Contest, ContestCategory, ContestResults, ExpertRanking, PrizeEntry, Winner


class SelectionError(Exception):
    """A write the selection services refuse; ``message`` is meant for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def contest_phase(*, contest: Contest, key: str) -> Phase | None:
    """One phase of the contest's prizes call (one query)."""
    return (
        Phase.objects.filter(call__edition_id=contest.edition_id, call__kind=CallKind.PRIZES, key=key)
        .select_related("call")
        .first()
    )


def _has_closed(phase: Phase | None, now: dt.datetime) -> bool:
    return phase is not None and phase.call.phase_closes_at(phase) <= now


def contest_results(*, contest: Contest) -> ContestResults | None:
    return ContestResults.objects.filter(contest=contest).first()


def is_announced(*, contest: Contest) -> bool:
    return ContestResults.objects.filter(contest=contest, announced_at__isnull=False).exists()


# --- the tally ---------------------------------------------------------------------


def category_champions(*, category: ContestCategory, seats: int) -> list[tuple[PrizeEntry, int, int, bool]]:
    """``(entry, votes, rank, tie_at_cutoff)`` of the category's Champions by
    valid votes (one query). Ranks are shared by equal counts (1, 2, 2, 4);
    when the last seat is shared, every entry tied for it is kept and flagged."""
    nominees = list(
        PrizeEntry.objects.filter(category=category, status=SubmissionStatus.SUBMITTED, nominated_at__isnull=False)
        .annotate(valid_votes=Count("votes", filter=Q(votes__status=VoteStatus.VALID, votes__category=category)))
        .filter(valid_votes__gt=0)
        .order_by("-valid_votes", "pk")
    )
    if not nominees:
        return []
    cutoff = nominees[min(seats, len(nominees)) - 1].valid_votes
    chosen = [entry for entry in nominees if entry.valid_votes >= cutoff]
    tie = len(chosen) > seats
    rows = []
    rank = 0
    for position, entry in enumerate(chosen, start=1):
        if position == 1 or entry.valid_votes != chosen[position - 2].valid_votes:
            rank = position
        rows.append((entry, entry.valid_votes, rank, tie and entry.valid_votes == cutoff))
    return rows


def tally_run(*, contest: Contest, now: dt.datetime | None = None) -> int:
    """Make the Champions of every category of ``contest``; returns how many
    were made now (0 when the tally had already run: it runs once). Refused
    (``SelectionError``) while the voting phase has not closed."""
    now = now or timezone.now()
    if not _has_closed(contest_phase(contest=contest, key=PHASE_VOTING), now):
        raise SelectionError(_("The votes are counted once the public online voting has closed."))
    with transaction.atomic():
        # The contest row is the lock: two tallies at once make one set of Champions.
        contest = Contest.objects.select_for_update(of=("self",)).get(pk=contest.pk)
        results, _created = ContestResults.objects.get_or_create(contest=contest)
        if results.tallied_at is not None:
            return 0
        champions = []
        for category in ContestCategory.objects.filter(contest=contest).order_by("pk"):
            for entry, votes, rank, tie in category_champions(category=category, seats=contest.champions_per_category):
                champions.append(
                    Champion(category=category, entry=entry, rank=rank, votes=votes, tie_at_cutoff=tie, tallied_at=now)
                )
        Champion.objects.bulk_create(champions)
        ContestResults.objects.filter(pk=results.pk).update(tallied_at=now)
    return len(champions)


@on_phase_boundary(event=PhaseEventKind.CLOSED, call_kind=CallKind.PRIZES, phase_key=PHASE_VOTING)
def voting_closed(*, phase: Phase, event: str, now: dt.datetime) -> None:
    """The public online voting closed: count the votes, make the Champions."""
    contest = Contest.objects.filter(edition_id=phase.call.edition_id).first()
    if contest is not None:
        tally_run(contest=contest, now=now)


# --- the experts' ranking -----------------------------------------------------------


def is_expert_of(*, user, category: ContestCategory) -> bool:
    return category.experts.filter(user=user).exists()


def selection_is_open(*, contest: Contest, now: dt.datetime) -> bool:
    """Rankings may change from the tally until the selection phase closes."""
    phase = contest_phase(contest=contest, key=PHASE_SELECTION)
    tallied = ContestResults.objects.filter(contest=contest, tallied_at__isnull=False).exists()
    return tallied and phase is not None and now < phase.call.phase_closes_at(phase)


def ranking_record(
    *, category: ContestCategory, by, ranked_entry_ids: list[int], comment: str = "", now: dt.datetime | None = None
) -> ExpertRanking:
    """Store ``by``'s ranking of the category's Champions (best first),
    replacing an earlier one. Refused unless ``by`` is an expert of the
    category, the selection is open and every Champion is ranked once."""
    now = now or timezone.now()
    if not is_expert_of(user=by, category=category):
        raise SelectionError(_("You are not an expert of this category."))
    if not selection_is_open(contest=category.contest, now=now):
        raise SelectionError(_("Rankings can be given after the tally and until the selection phase closes."))
    champions = set(Champion.objects.filter(category=category).values_list("entry_id", flat=True))
    if len(ranked_entry_ids) != len(set(ranked_entry_ids)) or set(ranked_entry_ids) != champions:
        raise SelectionError(_("Give every Champion of the category a different place."))
    ranking, _created = ExpertRanking.objects.update_or_create(
        category=category,
        expert=by,
        defaults={"ranked_entries": list(ranked_entry_ids), "comment": comment.strip(), "updated_at": now},
    )
    return ranking


@dataclass(frozen=True)
class RankedChampion:
    champion: Champion
    points: int  # Borda count: first of n gets n points, last gets 1
    average_place: float | None
    rankings: int


def rankings_aggregate(*, category: ContestCategory, champions: list[Champion] | None = None) -> list[RankedChampion]:
    """The category's Champions ordered by the experts' Borda points (then by
    votes); two queries, or one when ``champions`` is given."""
    if champions is None:
        champions = list(Champion.objects.filter(category=category).select_related("entry__organisation"))
    rankings = [ranking.ranked_entries for ranking in category.expert_rankings.all()]
    return _aggregate(champions, rankings)


def _aggregate(champions: list[Champion], rankings: list[list[int]]) -> list[RankedChampion]:
    places: dict[int, list[int]] = {champion.entry_id: [] for champion in champions}
    points = dict.fromkeys(places, 0)
    for ranked in rankings:
        for place, entry_id in enumerate(ranked, start=1):
            if entry_id in places:
                places[entry_id].append(place)
                points[entry_id] += len(ranked) - place + 1
    rows = [
        RankedChampion(
            champion=champion,
            points=points[champion.entry_id],
            average_place=(sum(places[champion.entry_id]) / len(places[champion.entry_id]))
            if places[champion.entry_id]
            else None,
            rankings=len(places[champion.entry_id]),
        )
        for champion in champions
    ]
    return sorted(rows, key=lambda row: (-row.points, row.champion.rank, row.champion.entry_id))


# --- the Winner ------------------------------------------------------------------


def winner_confirm(*, category: ContestCategory, entry: PrizeEntry, by, now: dt.datetime | None = None) -> Winner:
    """Confirm ``entry`` as the Winner of ``category``. Managers only, among
    the category's Champions, one Winner per category (a second, different
    one is refused; confirming the same one again returns it), before the
    results are announced."""
    now = now or timezone.now()
    tenant = category.contest.edition.tenant
    if not (by.is_superuser or is_tenant_manager(by, tenant)):
        raise SelectionError(_("Only managers of the tenant may confirm a Winner."))
    champion = Champion.objects.filter(category=category, entry=entry).first()
    if champion is None:
        raise SelectionError(_("The Winner is chosen among the Champions of the category."))
    if is_announced(contest=category.contest):
        raise SelectionError(_("The results are announced; the Winners can no longer change."))
    existing = Winner.objects.filter(category=category).select_related("champion__entry").first()
    if existing is not None:
        if existing.champion_id == champion.pk:
            return existing
        raise SelectionError(
            _("%(category)s already has a Winner: %(title)s.")
            % {"category": category, "title": existing.champion.entry.title}
        )
    try:
        with transaction.atomic():
            return Winner.objects.create(category=category, champion=champion, confirmed_by=by, confirmed_at=now)
    except IntegrityError:
        raise SelectionError(
            _("Somebody else confirmed a Winner of %(category)s first.") % {"category": category}
        ) from None


# --- the announcement ---------------------------------------------------------------


def results_announce(*, contest: Contest, now: dt.datetime | None = None) -> int:
    """Make the results and the Success Stories public and queue one email
    to each Winner's and Champion's owner; returns how many emails were
    queued now (safe to repeat: the dedup keys are per entry)."""
    now = now or timezone.now()
    results, _created = ContestResults.objects.get_or_create(contest=contest)
    ContestResults.objects.filter(pk=results.pk, announced_at__isnull=True).update(announced_at=now)
    edition = contest.edition
    champions = (
        Champion.objects.filter(category__contest=contest)
        .select_related("entry__owner", "entry__tenant", "category__prize_category__action_line", "winner")
        .order_by("pk")
    )
    queued = 0
    for champion in champions:
        won = getattr(champion, "winner", None) is not None
        kind = "winner" if won else "champion"
        queued += entry_owner_email(
            champion.entry,
            template=f"emails/prizes/{kind}",
            dedup_key=f"prizes-{kind}:{champion.entry_id}",
            edition=edition,
            category=champion.category,
        )
    return queued


@on_phase_boundary(event=PhaseEventKind.OPENED, call_kind=CallKind.PRIZES, phase_key=PHASE_ANNOUNCEMENT)
def announcement_opened(*, phase: Phase, event: str, now: dt.datetime) -> None:
    """The announcement phase opened: publish the results, email Winners and Champions."""
    contest = Contest.objects.filter(edition_id=phase.call.edition_id).select_related("edition__tenant").first()
    if contest is not None:
        results_announce(contest=contest, now=now)


# --- reads -------------------------------------------------------------------------


def categories_for_expert(*, tenant, user, contest: Contest) -> list[ContestCategory]:
    """The contest's categories ``user`` is an expert of, with their
    Champions (two queries)."""
    return list(
        ContestCategory.objects.filter(contest=contest, contest__edition__tenant=tenant, experts__user=user)
        .select_related("prize_category__action_line")
        .prefetch_related(Prefetch("champions", queryset=Champion.objects.select_related("entry__organisation")))
        .distinct()
    )


def category_for_expert(*, tenant, user, contest: Contest, pk: int) -> ContestCategory:
    """One category ``user`` is an expert of, or 404 (another category or tenant too)."""
    queryset = ContestCategory.objects.select_related("prize_category__action_line", "contest__edition")
    return get_object_or_404(queryset, pk=pk, contest=contest, contest__edition__tenant=tenant, experts__user=user)


def results_by_category(*, contest: Contest) -> list[tuple[ContestCategory, Winner | None, list[Champion]]]:
    """``(category, winner, champions)`` for every category with Champions,
    reference categories first, then the special prizes (two queries)."""
    champions = list(
        Champion.objects.filter(category__contest=contest)
        .select_related("entry__organisation", "category__prize_category__action_line", "winner")
        .order_by("category__position", "category_id", "rank", "entry__title", "pk")
    )
    grouped: dict[int, tuple[ContestCategory, list[Champion]]] = {}
    for champion in champions:
        grouped.setdefault(champion.category_id, (champion.category, []))[1].append(champion)
    rows = []
    for category, members in grouped.values():
        winner = next((champion.winner for champion in members if getattr(champion, "winner", None)), None)
        rows.append((category, winner, members))
    return sorted(rows, key=lambda row: row[0].is_special)


def success_stories(*, contest: Contest) -> list[Winner]:
    """The contest's Winners with their projects, in category order (two queries)."""
    return list(
        Winner.objects.filter(category__contest=contest)
        .select_related(
            "category__prize_category__action_line",
            "champion__entry__organisation",
            "champion__entry__stakeholder_type",
        )
        .prefetch_related("champion__entry__sdgs")
        .order_by("category__position", "category_id")
    )
