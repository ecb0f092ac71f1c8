"""Writes on the contest and its entries: set up a contest, start a draft,
save what was typed, submit, withdraw.

Every write on an entry checks, with the clock, that the prizes call still
takes submissions for the entry's organisation; a submitted entry may be
changed until the deadline and stays submitted (django-simple-history keeps
what changed). The one-entry-per-category-per-organisation rule is a database
constraint; the services turn its violation into a readable refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.editions.enums import CallKind, SubmissionStatus
from wsis_portal.editions.models import Call, Edition
from wsis_portal.editions.services import (
    SubmissionError,
    call_check_open,
    submission_submit,
    submission_withdraw,
)
from wsis_portal.reference.models import PrizeCategory

from .enums import EDITABLE_STATUSES, CompletionStatus
from .models import Contest, ContestCategory, Criterion, PrizeEntry

#: The nomination criteria of 2026 (shared/reference/WSIS_FACTS.md).
CRITERIA_2026 = [
    ("Relevance to the Action Line", "How closely the project serves the WSIS Action Line of its category."),
    ("Results and impact", "Measurable results and their economic, social or environmental impact."),
    ("Community empowerment", "How the project strengthens the people and communities it serves."),
    ("Relevance to the SDGs", "Its contribution to the Sustainable Development Goals."),
    ("Potential for replication", "Whether others could adopt the project elsewhere."),
    ("Sustainability", "Whether the project lasts beyond its initial funding."),
    ("Partnerships", "The partners it brings together across stakeholder types."),
    ("Promotion of WSIS values", "Inclusion, openness and a people-centred information society."),
]

QUOTA_MESSAGE = _(
    "Your organisation already has an entry in this category: each organisation may enter one project "
    "per category. Choose another category, or withdraw the other entry first."
)


def quota_message() -> str:
    return str(QUOTA_MESSAGE)


# --- contest -------------------------------------------------------------------


def contest_ensure(*, edition: Edition, with_reference_categories: bool = True) -> Contest:
    """The edition's contest, created with the 18 reference categories and the
    2026 criteria if it does not exist yet (safe to call again)."""
    with transaction.atomic():
        contest, created = Contest.objects.get_or_create(edition=edition)
        if created and with_reference_categories:
            categories_seed_from_reference(contest=contest)
        if created:
            criteria_seed(contest=contest)
    return contest


def categories_seed_from_reference(*, contest: Contest) -> int:
    """Add every reference prize category the contest lacks; returns how many were added."""
    present = set(contest.categories.exclude(prize_category=None).values_list("prize_category_id", flat=True))
    new = [
        ContestCategory(contest=contest, prize_category=category, position=category.number)
        for category in PrizeCategory.objects.order_by("number")
        if category.pk not in present
    ]
    ContestCategory.objects.bulk_create(new)
    return len(new)


def special_prize_add(*, contest: Contest, name: str, description: str = "") -> ContestCategory:
    """A special prize after the reference categories, e.g. “Healthy Ageing Innovation”."""
    last = contest.categories.order_by("-position").values_list("position", flat=True).first() or 0
    category, _created = ContestCategory.objects.get_or_create(
        contest=contest, special_name=name, defaults={"description": description, "position": last + 1}
    )
    return category


def criteria_seed(*, contest: Contest, criteria: list[tuple[str, str]] | None = None) -> int:
    """Add the 2026 criteria (or ``criteria``) the contest lacks, by name; returns how many were added."""
    present = set(contest.criteria.values_list("name", flat=True))
    new = [
        Criterion(contest=contest, name=name, description=description, position=position)
        for position, (name, description) in enumerate(criteria or CRITERIA_2026, start=1)
        if name not in present
    ]
    Criterion.objects.bulk_create(new)
    return len(new)


# --- entries -------------------------------------------------------------------


def category_taken(*, organisation_id: int | None, category_id: int | None, exclude_pk: int | None = None) -> bool:
    """Whether the organisation already has a (not withdrawn) entry in the category."""
    if organisation_id is None or category_id is None:
        return False
    return (
        PrizeEntry.objects.filter(organisation_id=organisation_id, category_id=category_id)
        .exclude(status=SubmissionStatus.WITHDRAWN)
        .exclude(pk=exclude_pk)
        .exists()
    )


def same_project_elsewhere(*, entry: PrizeEntry, title: str, category_id: int | None) -> PrizeEntry | None:
    """Another (not withdrawn) entry of the organisation in the same contest
    with this title in another category: a project is entered in one category only."""
    if not title or entry.organisation_id is None:
        return None
    return (
        PrizeEntry.objects.filter(
            organisation_id=entry.organisation_id, call_id=entry.call_id, title__iexact=title.strip()
        )
        .exclude(status=SubmissionStatus.WITHDRAWN)
        .exclude(pk=entry.pk)
        .exclude(category_id=category_id)
        .select_related("category__prize_category__action_line")
        .first()
    )


def entry_start(
    *,
    contest: Contest,
    by,
    category: ContestCategory | None = None,
    prefill: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> PrizeEntry:
    """A new draft owned by ``by`` for their organisation, in ``category`` if
    given, with ``prefill`` values (see :func:`prize_entry_prefill_from`)."""
    now = now or timezone.now()
    if not by.profile_is_complete:
        raise SubmissionError(_("Please complete your profile and organisation first."))
    call = (
        Call.objects.select_related("edition__tenant")
        .prefetch_related("phases", "extensions")
        .filter(edition_id=contest.edition_id, kind=CallKind.PRIZES)
        .first()
    )
    if call is None:
        raise SubmissionError(_("The WSIS Prizes do not take submissions."))
    call_check_open(call=call, organisation_id=by.organisation_id, now=now)
    if category is not None and (category.contest_id != contest.pk or not category.active):
        raise SubmissionError(_("This category does not take entries."))
    if category is not None and category_taken(organisation_id=by.organisation_id, category_id=category.pk):
        raise SubmissionError(quota_message())
    values = dict(prefill or {})
    sdgs = values.pop("sdgs", None)
    organisation = by.organisation
    values.setdefault("stakeholder_type_id", organisation.stakeholder_type_id)
    values.setdefault("country", organisation.country)
    values.setdefault("website", organisation.website)
    try:
        with transaction.atomic():
            entry = PrizeEntry.objects.create(
                tenant=call.edition.tenant,
                call=call,
                owner=by,
                organisation=organisation,
                category=category,
                **values,
            )
            if sdgs:
                entry.sdgs.set(sdgs)
    except IntegrityError:
        raise SubmissionError(quota_message()) from None
    return entry


def _lock_for_change(*, entry: PrizeEntry, by, now: dt.datetime) -> PrizeEntry:
    if entry.owner_id != by.pk:
        raise SubmissionError(_("Only the owner can change this."))
    locked = PrizeEntry.objects.select_for_update(of=("self",)).select_related("call__edition").get(pk=entry.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise SubmissionError(
            _("This can no longer be changed (%(status)s).") % {"status": locked.get_status_display()}
        )
    call_check_open(call=locked.call, organisation_id=locked.organisation_id, now=now)
    return locked


def entry_save(*, entry: PrizeEntry, by, changes: dict[str, Any], now: dt.datetime | None = None) -> PrizeEntry:
    """Store ``changes`` (field name to cleaned value, many-to-many values as
    iterables) on a draft, or on a submitted entry before the deadline. Only
    the given fields are written. A category the organisation already uses is
    refused with the quota message and nothing is saved."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            locked = _lock_for_change(entry=entry, by=by, now=now)
            many: dict[str, Any] = {}
            columns = []
            for name, value in changes.items():
                field = locked._meta.get_field(name)
                if field.many_to_many:
                    many[name] = value
                    continue
                if name == "category" and value is not None and value.contest.edition_id != locked.call.edition_id:
                    raise SubmissionError(_("This category does not take entries."))
                field.save_form_data(locked, value)
                columns.append(field.attname)
            locked.updated_at = now
            locked.save(update_fields=[*columns, "updated_at"])
            for name, value in many.items():
                getattr(locked, name).set(value)
    except IntegrityError:
        raise SubmissionError(quota_message()) from None
    return locked


def entry_submit(*, entry: PrizeEntry, by, now: dt.datetime | None = None) -> PrizeEntry:
    """Submit a complete draft before the deadline (reference number and receipt email)."""
    return submission_submit(submission=entry, by=by, now=now)


def entry_withdraw(*, entry: PrizeEntry, by, now: dt.datetime | None = None) -> PrizeEntry:
    """Withdraw a submitted entry before the deadline; its category is free again."""
    return submission_withdraw(submission=entry, by=by, now=now)


# --- the seam to the stocktaking database --------------------------------------

_PROJECT_STATUS = {"completed": CompletionStatus.COMPLETED, "ongoing": CompletionStatus.ONGOING}


def prize_entry_prefill_from(source: Any) -> dict[str, Any]:
    """Values for :func:`entry_start` (``prefill=``) taken from a project
    described elsewhere, typically a stocktaking entry: a mapping or an object
    with the attributes ``title``, ``description``, ``stakeholder_type_id``,
    ``countries`` (the first one is used), ``sdgs`` (ids or objects; a related
    manager is read with ``.all()``), ``website``, ``partners`` and
    ``project_status`` ("ongoing" or "completed"). Missing attributes are
    skipped; nothing is written here. The short description is left to the
    person: voters read it, and it has its own length."""

    def read(name: str) -> Any:
        if isinstance(source, Mapping):
            return source.get(name)
        return getattr(source, name, None)

    values: dict[str, Any] = {}
    if read("title"):
        values["title"] = str(read("title"))[:255]
    if read("description"):
        values["full_description"] = str(read("description"))
    if read("stakeholder_type_id"):
        values["stakeholder_type_id"] = read("stakeholder_type_id")
    countries = read("countries")
    if countries:
        first = list(countries)[0]
        values["country"] = getattr(first, "code", first)
    if read("website"):
        values["website"] = str(read("website"))
    if read("partners"):
        values["partnerships"] = str(read("partners"))
    status = _PROJECT_STATUS.get(str(read("project_status") or ""))
    if status:
        values["completion_status"] = status
    sdgs = read("sdgs")
    if sdgs is not None and hasattr(sdgs, "all"):
        sdgs = sdgs.all()
    if sdgs:
        values["sdgs"] = [getattr(sdg, "pk", sdg) for sdg in sdgs]
    return values
