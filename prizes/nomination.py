"""Nomination: reviewers score the submitted entries of their categories
against the contest's criteria, the secretariat nominates up to the contest's
quota per category, and when the nomination phase closes the nominees are told
by email and the list of nominees becomes public.

- Scores: only a reviewer assigned to the entry's category (``CategoryReviewer``)
  scores, during the nomination phase; a manager of the tenant who is assigned
  may also score outside it (corrections). One score per entry, criterion and
  reviewer; writing again replaces it (django-simple-history keeps the old one).
- Nominations: managers only, in bulk, all or nothing. The category row is
  locked (``SELECT ... FOR UPDATE``) while its nominations are counted and
  written, so two secretariat members cannot together exceed the quota.
- The boundary handler runs once per phase event (the engine's ``PhaseEvent``
  row); each nominee's email carries a dedup key, so running it again sends
  nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Avg, Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wsis_portal.editions.engine import on_phase_boundary
from wsis_portal.editions.enums import CallKind, PhaseEventKind, SubmissionStatus
from wsis_portal.editions.models import Phase
from wsis_portal.tenants.rules import is_tenant_manager

from .emails import entry_owner_email
from .enums import PHASE_NOMINATION
from .models import SCORE_MAX, SCORE_MIN, CategoryReviewer, Contest, ContestCategory, Criterion, PrizeEntry, Score


class NominationError(Exception):
    """A write the nomination services refuse; ``message`` is meant for the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_manager(user, tenant) -> bool:
    return bool(user.is_superuser or is_tenant_manager(user, tenant))


def nomination_phase(*, contest: Contest) -> Phase | None:
    """The nomination phase of the contest's prizes call (one query)."""
    return (
        Phase.objects.filter(call__edition_id=contest.edition_id, call__kind=CallKind.PRIZES, key=PHASE_NOMINATION)
        .select_related("call")
        .first()
    )


def nomination_is_open(*, contest: Contest, now: dt.datetime | None = None) -> bool:
    phase = nomination_phase(contest=contest)
    return phase is not None and phase.is_open_at(now or timezone.now())


def is_assigned(*, user, category: ContestCategory) -> bool:
    return CategoryReviewer.objects.filter(category=category, user=user).exists()


# --- scores ----------------------------------------------------------------------


def score_record(
    *, entry: PrizeEntry, criterion: Criterion, by, value: int, comment: str = "", now: dt.datetime | None = None
) -> Score:
    """Store ``by``'s score of ``entry`` against ``criterion`` (replacing an
    earlier one). Refused (``NominationError``) unless ``by`` is assigned to the
    entry's category, the nomination phase is open (managers: any time), the
    entry is submitted, the criterion belongs to the entry's contest and
    ``value`` is a whole number from 0 to 5."""
    now = now or timezone.now()
    if isinstance(value, bool) or not isinstance(value, int) or not SCORE_MIN <= value <= SCORE_MAX:
        raise NominationError(
            _("A score is a whole number from %(min)d to %(max)d.") % {"min": SCORE_MIN, "max": SCORE_MAX}
        )
    category = entry.category
    if category is None or entry.status != SubmissionStatus.SUBMITTED:
        raise NominationError(_("Only submitted entries are scored."))
    if criterion.contest_id != category.contest_id:
        raise NominationError(_("This criterion belongs to another contest."))
    if not is_assigned(user=by, category=category):
        raise NominationError(_("You are not a reviewer of this category."))
    if not _is_manager(by, entry.tenant) and not nomination_is_open(contest=category.contest, now=now):
        raise NominationError(_("Scores can be given during the nomination phase only."))
    score, _created = Score.objects.update_or_create(
        entry=entry,
        criterion=criterion,
        reviewer=by,
        defaults={"value": value, "comment": comment.strip(), "updated_at": now},
    )
    return score


# --- ranking ---------------------------------------------------------------------


def entries_ranked(*, category: ContestCategory) -> list[PrizeEntry]:
    """The category's submitted entries, best average score first, each with
    ``average_score`` (None when unscored) and ``score_count`` (one query)."""
    return list(
        PrizeEntry.objects.filter(category=category, status=SubmissionStatus.SUBMITTED)
        .select_related("organisation")
        .annotate(average_score=Avg("scores__value"), score_count=Count("scores"))
        .order_by(F("average_score").desc(nulls_last=True), "-score_count", "reference", "pk")
    )


# --- nominations -----------------------------------------------------------------


def _entries_by_category(entries: Iterable[PrizeEntry] | QuerySet) -> dict[int | None, list[int]]:
    grouped: dict[int | None, list[int]] = defaultdict(list)
    for entry in entries:
        grouped[entry.category_id].append(entry.pk)
    return grouped


def _check_manager(*, by, entries: list[PrizeEntry]) -> None:
    tenants = {entry.tenant_id: entry.tenant for entry in entries}
    if not all(_is_manager(by, tenant) for tenant in tenants.values()):
        raise NominationError(_("Only managers of the tenant may nominate."))


def _record_history(*, pks: list[int], by, now: dt.datetime, reason: str) -> None:
    # ``update()`` skips django-simple-history's signals: record the change here.
    changed = list(PrizeEntry.objects.filter(pk__in=pks))
    PrizeEntry.history.bulk_history_create(
        changed, update=True, default_user=by, default_change_reason=reason, default_date=now
    )


def entries_nominate(*, entries: Iterable[PrizeEntry], by, now: dt.datetime | None = None) -> int:
    """Nominate the given entries; returns how many became nominated (those
    already nominated are left as they are). All or nothing: a non-submitted
    entry, a published list or a category whose quota would be exceeded refuses
    the whole request with a message and changes nothing."""
    now = now or timezone.now()
    entries = list(entries)
    if not entries:
        return 0
    _check_manager(by=by, entries=entries)
    grouped = _entries_by_category(entries)
    if None in grouped:
        raise NominationError(_("An entry without a category cannot be nominated."))
    nominated = 0
    with transaction.atomic():
        # Lock the categories in a fixed order (no deadlock between two bulk actions).
        categories = list(
            ContestCategory.objects.select_for_update(of=("self",))
            .select_related("contest__edition")
            .filter(pk__in=grouped)
            .order_by("pk")
        )
        for category in categories:
            if category.contest.nominees_published_at is not None:
                raise NominationError(
                    _("The nominees of %(category)s are already public; nominations can no longer change.")
                    % {"category": category}
                )
            pks = grouped[category.pk]
            candidates = PrizeEntry.objects.filter(pk__in=pks, category=category)
            if candidates.exclude(status=SubmissionStatus.SUBMITTED).exists():
                raise NominationError(_("Only submitted entries can be nominated."))
            new = list(candidates.filter(nominated_at__isnull=True).values_list("pk", flat=True))
            already = PrizeEntry.objects.filter(
                category=category, status=SubmissionStatus.SUBMITTED, nominated_at__isnull=False
            ).count()
            quota = category.contest.nomination_quota
            if already + len(new) > quota:
                raise NominationError(
                    ngettext(
                        "%(category)s may have %(quota)d nominee; it has %(already)d and you selected "
                        "%(new)d more. Un-nominate some first or select fewer.",
                        "%(category)s may have %(quota)d nominees; it has %(already)d and you selected "
                        "%(new)d more. Un-nominate some first or select fewer.",
                        quota,
                    )
                    % {"category": category, "quota": quota, "already": already, "new": len(new)}
                )
            updated = PrizeEntry.objects.filter(pk__in=new, nominated_at__isnull=True).update(
                nominated_at=now, updated_at=now
            )
            _record_history(pks=new, by=by, now=now, reason="nominated")
            nominated += updated
    return nominated


def entries_unnominate(*, entries: Iterable[PrizeEntry], by, now: dt.datetime | None = None) -> int:
    """Withdraw the nomination of the given entries; returns how many changed.
    Refused once the category's nominees are public."""
    now = now or timezone.now()
    entries = list(entries)
    if not entries:
        return 0
    _check_manager(by=by, entries=entries)
    grouped = _entries_by_category(entries)
    changed = 0
    with transaction.atomic():
        categories = list(
            ContestCategory.objects.select_for_update(of=("self",))
            .select_related("contest")
            .filter(pk__in=[pk for pk in grouped if pk is not None])
            .order_by("pk")
        )
        for category in categories:
            if category.contest.nominees_published_at is not None:
                raise NominationError(
                    _("The nominees of %(category)s are already public; nominations can no longer change.")
                    % {"category": category}
                )
            pks = list(
                PrizeEntry.objects.filter(
                    pk__in=grouped[category.pk], category=category, nominated_at__isnull=False
                ).values_list("pk", flat=True)
            )
            changed += PrizeEntry.objects.filter(pk__in=pks).update(nominated_at=None, updated_at=now)
            _record_history(pks=pks, by=by, now=now, reason="nomination withdrawn")
    return changed


# --- the end of the nomination phase ------------------------------------------------


def nominees_publish(*, contest: Contest, now: dt.datetime | None = None) -> int:
    """Make the contest's nominees public and queue one email to each
    nominee's owner; returns how many emails were queued now (safe to repeat:
    the dedup key is per entry)."""
    now = now or timezone.now()
    Contest.objects.filter(pk=contest.pk, nominees_published_at__isnull=True).update(nominees_published_at=now)
    edition = contest.edition
    nominees = (
        PrizeEntry.objects.filter(
            category__contest=contest, status=SubmissionStatus.SUBMITTED, nominated_at__isnull=False
        )
        .select_related("owner", "category__prize_category__action_line")
        .order_by("pk")
    )
    queued = 0
    for entry in nominees:
        queued += entry_owner_email(
            entry,
            template="emails/prizes/nominated",
            dedup_key=f"prizes-nominated:{entry.pk}",
            edition=edition,
            category=entry.category,
        )
    return queued


@on_phase_boundary(event=PhaseEventKind.CLOSED, call_kind=CallKind.PRIZES, phase_key=PHASE_NOMINATION)
def nomination_closed(*, phase: Phase, event: str, now: dt.datetime) -> None:
    """The nomination phase closed: email the nominees, publish the list."""
    contest = Contest.objects.filter(edition_id=phase.call.edition_id).select_related("edition__tenant").first()
    if contest is not None:
        nominees_publish(contest=contest, now=now)
