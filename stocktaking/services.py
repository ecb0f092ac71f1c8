"""Every write on stocktaking entries: the owner creates, edits and submits;
the secretariat publishes, rejects (the reason is emailed) and archives.

Status moves are checked against ``enums.TRANSITIONS`` and written with a
compare-and-set, so two moderators never overwrite each other. An edit of a
published entry goes to its revision (an ``Entry`` with ``revision_of``), which
is moderated like a new entry while the published text stays public;
publishing the revision copies it onto the published entry and deletes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.notifications.services import email_enqueue_template
from wsis_portal.reference.models import Region

from .enums import OWNER_EDITABLE, TRANSITIONS, EntryStatus
from .models import CONTENT_FIELDS, CONTENT_M2M_FIELDS, Entry, EntryCountry
from .search import entry_refresh_search


class ModerationError(Exception):
    """A write the service refuses; ``message`` is meant for the person acting."""

    def __init__(self, message: str, *, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


class ModerationConflict(ModerationError):
    """The entry's status changed between reading it and writing it."""


def _country_codes(entry: Entry) -> set[str]:
    return {getattr(country, "code", country) for country in entry.countries}


def entry_sync_places(*, entry: Entry) -> None:
    """Keep the country rows and the derived regions in step with ``entry.countries``."""
    codes = _country_codes(entry)
    rows = EntryCountry.objects.filter(entry=entry)
    rows.exclude(country__in=codes).delete()
    existing = set(rows.values_list("country", flat=True))
    EntryCountry.objects.bulk_create([EntryCountry(entry=entry, country=code) for code in sorted(codes - existing)])
    entry.regions.set(regions_for(codes))


def region_countries(regions: list[Region]) -> list[tuple[int, set[str]]]:
    """``(region id, its country codes)`` for bulk writers that derive the
    regions of many entries (``region_ids_for``) without re-reading them."""
    return [(region.pk, {getattr(c, "code", c) for c in region.countries}) for region in regions]


def region_ids_for(codes: set[str], index: list[tuple[int, set[str]]]) -> list[int]:
    return [pk for pk, countries in index if codes & countries]


def regions_for(codes: set[str], regions: list[Region] | None = None) -> list[Region]:
    """The regions whose country list holds one of ``codes``."""
    regions = regions if regions is not None else list(Region.objects.all())
    return [region for region in regions if codes & {getattr(c, "code", c) for c in region.countries}]


def _write_content(entry: Entry, *, data: dict[str, Any], many: dict[str, Any]) -> None:
    for name, value in data.items():
        if name not in CONTENT_FIELDS:
            raise ValueError(f"{name} is not an owner's field")
        entry._meta.get_field(name).save_form_data(entry, value)
    if entry.organisation_id and not entry.organisation_name:
        entry.organisation_name = entry.organisation.name
    entry.save()
    for name, value in many.items():
        if name not in {"action_lines", "sdgs"}:
            raise ValueError(f"{name} is not an owner's field")
        getattr(entry, name).set(value)
    entry_sync_places(entry=entry)
    entry_refresh_search(entry_ids=[entry.pk])


def entry_create(*, tenant, by, data: dict[str, Any], many: dict[str, Any] | None = None) -> Entry:
    """A new draft of ``by`` in ``tenant``; ``data`` maps content fields to
    cleaned values, ``many`` the Action Lines and SDGs to iterables."""
    entry = Entry(
        tenant=tenant,
        owner=by,
        organisation_id=getattr(by, "organisation_id", None),
        stakeholder_type_id=getattr(by, "stakeholder_type_id", None),
    )
    with transaction.atomic():
        _write_content(entry, data=data, many=many or {})
    return entry


def entry_for_editing(*, entry: Entry, by) -> Entry:
    """The row the owner's form writes to: the entry itself while it is a
    draft or rejected; for a published entry its revision (created on the
    first edit, a copy of the published content). Refuses anything else."""
    if entry.owner_id != by.pk:
        raise ModerationError(_("Only the owner can change this entry."))
    if entry.status in OWNER_EDITABLE:
        return entry
    if entry.status == EntryStatus.PUBLISHED and not entry.is_revision:
        revision = entry.revisions.first()
        if revision is None:
            return _start_revision(entry)
        if revision.status in OWNER_EDITABLE:
            return revision
        raise ModerationError(_("Your changes to this entry are waiting for moderation."))
    raise ModerationError(_("This entry cannot be changed now (%(status)s).") % {"status": entry.get_status_display()})


def _start_revision(entry: Entry) -> Entry:
    with transaction.atomic():
        revision = Entry(tenant_id=entry.tenant_id, owner_id=entry.owner_id, revision_of=entry)
        for name in CONTENT_FIELDS:
            setattr(revision, name, getattr(entry, name))
        revision.save()
        for name in CONTENT_M2M_FIELDS:
            getattr(revision, name).set(getattr(entry, name).all())
        entry_sync_places(entry=revision)
    return revision


def entry_update(*, entry: Entry, by, data: dict[str, Any], many: dict[str, Any] | None = None) -> Entry:
    """Save the owner's changes; returns the row written (the revision for a published entry)."""
    with transaction.atomic():
        target = entry_for_editing(entry=entry, by=by)
        locked = Entry.objects.select_for_update(of=("self",)).get(pk=target.pk)
        if locked.status not in OWNER_EDITABLE:
            raise ModerationConflict(_("This entry changed in another window; reload the page and try again."))
        _write_content(locked, data=data, many=many or {})
    return locked


def _move(*, entry: Entry, to_status: str, by, now: dt.datetime, reason: str = "", **columns) -> Entry:
    """Compare-and-set ``entry`` from its status to ``to_status`` and record history."""
    old_status = entry.status
    if to_status not in TRANSITIONS.get(old_status, set()):
        raise ModerationError(
            _("“%(title)s” cannot go from “%(old)s” to “%(new)s”.")
            % {"title": entry.title, "old": EntryStatus(old_status).label, "new": EntryStatus(to_status).label}
        )
    updated = Entry.objects.filter(pk=entry.pk, status=old_status).update(status=to_status, updated_at=now, **columns)
    if not updated:
        raise ModerationConflict(
            _("“%(title)s” changed meanwhile; reload the page to see its current status.") % {"title": entry.title}
        )
    entry.status, entry.updated_at = to_status, now
    for name, value in columns.items():
        setattr(entry, name, value)
    # ``update()`` skips django-simple-history's signals: record the change here.
    Entry.history.bulk_history_create(
        [entry], update=True, default_user=by, default_change_reason=reason[:100], default_date=now
    )
    return entry


def _check_moderator(entry: Entry, by) -> None:
    if not by.has_perm("stocktaking.moderate_entry", entry):
        raise ModerationError(_("You may not moderate “%(title)s”.") % {"title": entry.title})


def entry_submit(*, entry: Entry, by, now: dt.datetime | None = None) -> Entry:
    """The owner sends a complete draft (or a rejected entry, or a revision) to moderation."""
    now = now or timezone.now()
    if entry.owner_id != by.pk:
        raise ModerationError(_("Only the owner can submit this entry."))
    missing = entry.missing_for_submission()
    if missing:
        raise ModerationError(_("Please complete the following before submitting."), missing=missing)
    with transaction.atomic():
        return _move(entry=entry, to_status=EntryStatus.PENDING, by=by, now=now, submitted_at=now)


def entry_publish(*, entry: Entry, by, now: dt.datetime | None = None) -> Entry:
    """Publish a pending entry, or apply a pending revision to its published
    entry (returned) and delete the revision. The owner is told by email."""
    now = now or timezone.now()
    _check_moderator(entry, by)
    with transaction.atomic():
        if entry.is_revision and entry.status == EntryStatus.PENDING:
            published = _apply_revision(revision=entry, by=by, now=now)
            _notify(entry=published, template="entry_published", now=now)
            return published
        first_time = entry.published_at is None
        columns = {"rejection_reason": ""}
        if first_time:
            # Publishing is the first confirmation (see ``updates``).
            columns.update(published_at=now, confirmed_at=now)
        _move(entry=entry, to_status=EntryStatus.PUBLISHED, by=by, now=now, **columns)
        if entry.status == EntryStatus.PUBLISHED and first_time:
            _notify(entry=entry, template="entry_published", now=now)
    return entry


def _apply_revision(*, revision: Entry, by, now: dt.datetime) -> Entry:
    claimed = Entry.objects.filter(pk=revision.pk, status=EntryStatus.PENDING).update(
        status=EntryStatus.PUBLISHED, updated_at=now
    )
    if not claimed:
        raise ModerationConflict(
            _("“%(title)s” changed meanwhile; reload the page to see its current status.") % {"title": revision.title}
        )
    published = Entry.objects.select_for_update(of=("self",)).get(pk=revision.revision_of_id)
    for name in CONTENT_FIELDS:
        setattr(published, name, getattr(revision, name))
    published.updated_at = now
    # A published change counts as the owner's confirmation (see ``updates``).
    published.confirmed_at = now
    published._history_user = by
    published.save()
    for name in CONTENT_M2M_FIELDS:
        getattr(published, name).set(getattr(revision, name).all())
    entry_sync_places(entry=published)
    entry_refresh_search(entry_ids=[published.pk])
    revision._history_user = by
    revision.delete()
    return published


def entry_reject(*, entry: Entry, by, reason: str, now: dt.datetime | None = None) -> Entry:
    """Reject a pending entry or revision; ``reason`` is kept and emailed to the owner."""
    now = now or timezone.now()
    reason = reason.strip()
    _check_moderator(entry, by)
    if not reason:
        raise ModerationError(_("Please give the reason of the rejection; the owner receives it."))
    with transaction.atomic():
        _move(entry=entry, to_status=EntryStatus.REJECTED, by=by, now=now, reason=reason, rejection_reason=reason)
        _notify(entry=entry, template="entry_rejected", now=now)
    return entry


def entry_archive(*, entry: Entry, by, now: dt.datetime | None = None) -> Entry:
    """Take a published entry off the public database (it can be published again)."""
    now = now or timezone.now()
    _check_moderator(entry, by)
    with transaction.atomic():
        return _move(entry=entry, to_status=EntryStatus.ARCHIVED, by=by, now=now)


def _notify(*, entry: Entry, template: str, now: dt.datetime) -> None:
    owner = entry.owner
    if owner is None or not owner.email:
        return  # the owner deleted their account: nobody to tell
    published = entry.status == EntryStatus.PUBLISHED
    email_enqueue_template(
        template=f"emails/stocktaking/{template}",
        context={
            "entry": entry,
            "tenant": entry.tenant,
            "user": owner,
            "reason": entry.rejection_reason,
            "is_revision": entry.is_revision,
            "url": settings.SITE_URL + (entry.get_absolute_url() if published else _my_entries_url(entry)),
        },
        recipient=owner.email,
        user=owner,
        language=owner.preferred_language,
        tenant=entry.tenant,
        dedup_key=f"stocktaking:{template}:{entry.pk}:{now.isoformat()}",
    )


def _my_entries_url(entry: Entry) -> str:
    return reverse("stocktaking:mine", kwargs={"tenant_slug": entry.tenant.slug})
