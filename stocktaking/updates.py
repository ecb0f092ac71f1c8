"""The yearly call for update: while the edition's ``stocktaking_update`` call
is open, owners confirm that their published entries are still accurate, or
update them (through the revision mechanism of ``services``).

``Entry.confirmed_at`` records the last confirmation; publishing an entry or a
revision of it also sets it. An entry not confirmed for
``settings.STOCKTAKING_STALE_AFTER_YEARS`` years is *stale*: the search marks
it and can filter on it. Every confirmation writes a history record.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.editions.enums import CallKind, EditionStatus
from wsis_portal.editions.models import Call, Phase
from wsis_portal.editions.services import SubmissionError, call_check_open

from .enums import EntryStatus
from .models import Entry
from .services import ModerationConflict, ModerationError

FRESH = "fresh"
STALE = "stale"


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    """Entries confirmed before this moment are stale (years of 365 days).
    Rounded down to midnight UTC: the same all day, so that the search's
    cached facet counts (keyed by the query and its parameters) are reused."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - dt.timedelta(days=365 * settings.STOCKTAKING_STALE_AFTER_YEARS)


def stale_q(now: dt.datetime | None = None) -> Q:
    return Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=stale_before(now))


def filter_freshness(queryset: QuerySet[Entry], freshness: str, *, now: dt.datetime | None = None) -> QuerySet[Entry]:
    """Only the stale entries (``"stale"``), only the up-to-date ones
    (``"fresh"``), or all (anything else)."""
    if freshness == STALE:
        return queryset.filter(stale_q(now))
    if freshness == FRESH:
        return queryset.filter(confirmed_at__gte=stale_before(now))
    return queryset


def update_calls(*, tenant) -> QuerySet[Call]:
    """The call-for-update calls of the tenant's published editions, latest
    edition first, with their phases and extensions (three queries)."""
    return (
        Call.objects.filter(
            edition__tenant=tenant, edition__status=EditionStatus.PUBLISHED, kind=CallKind.STOCKTAKING_UPDATE
        )
        .select_related("edition")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("opens_at", "position")), "extensions")
        .order_by("-edition__year")
    )


def open_update_call(
    *, tenant, now: dt.datetime, organisation_id: int | None = None, calls: list[Call] | None = None
) -> Call | None:
    """The call for update taking answers at ``now`` (extensions counted), if
    any, among ``calls`` (the tenant's ``update_calls`` when not given)."""
    if calls is None:
        calls = update_calls(tenant=tenant)
    return next((call for call in calls if call.accepts_submissions_at(now, organisation_id)), None)


def confirmed_in_call(entry: Entry, call: Call) -> bool:
    """Whether ``entry`` was confirmed (or its change published) since ``call`` opened."""
    phase = call.submission_phase
    return bool(phase and entry.confirmed_at and entry.confirmed_at >= phase.opens_at)


def awaiting_update(*, tenant, user, call: Call) -> list[Entry]:
    """The user's published entries not confirmed since ``call`` opened, with
    their open revision (prefetched), oldest confirmation first (two queries)."""
    phase = call.submission_phase
    if phase is None:
        return []
    entries = (
        Entry.objects.filter(tenant=tenant, owner=user, status=EntryStatus.PUBLISHED, revision_of__isnull=True)
        .filter(Q(confirmed_at__isnull=True) | Q(confirmed_at__lt=phase.opens_at))
        .prefetch_related("revisions")
        .order_by("confirmed_at", "title", "pk")
    )
    return list(entries)


def entry_confirm(*, entry: Entry, by, now: dt.datetime | None = None) -> Entry:
    """The owner says their published entry is still accurate: sets
    ``confirmed_at``. Only while a call for update is open (to the second,
    the organisation's extension counted); refuses an entry already
    confirmed in this call, or another person's."""
    now = now or timezone.now()
    if entry.owner_id != by.pk:
        raise ModerationError(_("Only the owner can confirm this entry."))
    if entry.status != EntryStatus.PUBLISHED or entry.is_revision:
        raise ModerationError(_("Only a published entry can be confirmed."))
    organisation_id = getattr(by, "organisation_id", None)
    calls = list(update_calls(tenant=entry.tenant))
    call = calls[0] if calls else None
    open_call = open_update_call(tenant=entry.tenant, now=now, organisation_id=organisation_id, calls=calls)
    if open_call is None:
        if call is None:
            raise ModerationError(_("There is no call for update at the moment."))
        try:
            call_check_open(call=call, organisation_id=organisation_id, now=now)
        except SubmissionError as error:
            raise ModerationError(error.message) from error
        raise ModerationError(_("There is no call for update at the moment."))  # pragma: no cover
    if confirmed_in_call(entry, open_call):
        raise ModerationError(_("“%(title)s” is already confirmed for this call.") % {"title": entry.title})
    with transaction.atomic():
        updated = Entry.objects.filter(
            pk=entry.pk, status=EntryStatus.PUBLISHED, confirmed_at=entry.confirmed_at
        ).update(confirmed_at=now)
        if not updated:
            raise ModerationConflict(
                _("“%(title)s” changed meanwhile; reload the page to see its current status.") % {"title": entry.title}
            )
        entry.confirmed_at = now
        Entry.history.bulk_history_create(
            [entry], update=True, default_user=by, default_change_reason="confirmed", default_date=now
        )
    return entry
