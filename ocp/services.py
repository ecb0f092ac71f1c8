"""Writes on OCP entries: start a draft, save what was typed, submit, withdraw.

Every write checks, with the clock, that the call still takes submissions for
the entry's organisation; a submitted entry may be changed until the deadline
and stays submitted (django-simple-history keeps what changed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.editions.models import Call
from wsis_portal.editions.services import (
    SubmissionError,
    call_check_open,
    submission_submit,
    submission_withdraw,
)

from . import facilitators
from .enums import EDITABLE_AFTER_DEADLINE, EDITABLE_STATUSES, OcpStatus
from .models import HltfNomination, OcpSubmission, ReviewEvent, Speaker, WorkshopRequest

SPEAKER_FIELDS = ["name", "title", "organisation", "country", "gender", "participation"]


def _lock_for_change(*, entry: OcpSubmission, by, now: dt.datetime) -> OcpSubmission:
    """The entry's row, locked for this transaction, once the owner, the state
    and the clock allow a change."""
    if entry.owner_id != by.pk:
        raise SubmissionError(_("Only the owner can change this."))
    # Lock the entry's row only, not the call, edition and tenant joined to it.
    locked = type(entry).objects.select_for_update(of=("self",)).select_related("call__edition").get(pk=entry.pk)
    if locked.status not in EDITABLE_STATUSES:
        raise SubmissionError(
            _("This can no longer be changed (%(status)s).") % {"status": locked.get_status_display()}
        )
    if locked.status not in EDITABLE_AFTER_DEADLINE:
        call_check_open(call=locked.call, organisation_id=locked.organisation_id, now=now)
    # The history names who changed it, with or without a request around (a task, a shell).
    locked._history_user = by
    return locked


def entry_start(*, model: type[OcpSubmission], call: Call, by, now: dt.datetime | None = None) -> OcpSubmission:
    """A new, empty draft of ``model`` answering ``call``, owned by ``by`` for their organisation."""
    now = now or timezone.now()
    if call.kind != model.call_kind:
        raise SubmissionError(_("This call does not take this kind of entry."))
    if not by.profile_is_complete:
        raise SubmissionError(_("Please complete your profile and organisation first."))
    call_check_open(call=call, organisation_id=by.organisation_id, now=now)
    if model is HltfNomination:
        # Only members of a recognised coordination mechanism nominate facilitators.
        facilitators.check_may_nominate(tenant_id=call.edition.tenant_id, organisation_id=by.organisation_id)
    return model.objects.create(tenant=call.edition.tenant, call=call, owner=by, organisation=by.organisation)


def entry_save(*, entry: OcpSubmission, by, changes: dict[str, Any], now: dt.datetime | None = None) -> OcpSubmission:
    """Store ``changes`` (field name to cleaned value, many-to-many values as
    iterables of objects) on a draft, or on a submitted entry before the
    deadline. Only the given fields are written, so the status and fields
    changed meanwhile elsewhere are left alone. Returns the saved entry."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_for_change(entry=entry, by=by, now=now)
        many: dict[str, Any] = {}
        columns = []
        for name, value in changes.items():
            field = locked._meta.get_field(name)
            if field.many_to_many:
                many[name] = value
                continue
            field.save_form_data(locked, value)
            columns.append(field.attname)
        locked.updated_at = now
        locked.save(update_fields=[*columns, "updated_at"])
        for name, value in many.items():
            getattr(locked, name).set(value)
    return locked


def workshop_speakers_save(
    *, workshop: WorkshopRequest, by, speakers: list[dict[str, Any]], now: dt.datetime | None = None
) -> WorkshopRequest:
    """Create, change and delete the workshop's speakers. Each item carries the
    speaker's fields, ``id`` (``None`` for a new speaker) and ``delete``."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_for_change(entry=workshop, by=by, now=now)
        existing = {speaker.pk: speaker for speaker in locked.speakers.all()}
        for position, item in enumerate(speakers):
            speaker = existing.get(item.get("id")) if item.get("id") else None
            if speaker is not None:
                speaker._history_user = by
            if item.get("delete"):
                if speaker is not None:
                    speaker.delete()
                continue
            if speaker is None:
                speaker = Speaker(workshop=locked)
                speaker._history_user = by
            for name in SPEAKER_FIELDS:
                if name in item:
                    setattr(speaker, name, item[name] if item[name] is not None else "")
            speaker.position = position
            speaker.save()
        locked.updated_at = now
        locked.save(update_fields=["updated_at"])
    return locked


def entry_submit(*, entry: OcpSubmission, by, now: dt.datetime | None = None) -> OcpSubmission:
    """Submit a complete draft before the deadline (reference number and receipt
    email), or submit again an entry the secretariat asked to change. An HLTF
    nomination is submitted only on behalf of a mechanism its organisation
    belongs to."""
    if isinstance(entry, HltfNomination) and entry.owner_id == by.pk:
        facilitators.check_nomination_may_be_submitted(entry)
    if entry.status == OcpStatus.CHANGES_REQUESTED:
        return entry_resubmit(entry=entry, by=by, now=now)
    return submission_submit(submission=entry, by=by, now=now)


def entry_resubmit(*, entry: OcpSubmission, by, now: dt.datetime | None = None) -> OcpSubmission:
    """The owner submits again, complete, an entry in "changes requested"; it
    keeps its reference and goes back to the secretariat (also after the
    deadline, since the secretariat asked). Recorded like a review move."""
    from django.contrib.contenttypes.models import ContentType

    now = now or timezone.now()
    if entry.owner_id != by.pk:
        raise SubmissionError(_("Only the owner can submit this."))
    missing = entry.missing_for_submission()
    if missing:
        raise SubmissionError(_("Please complete the following before submitting."), missing=missing)
    model = type(entry)
    with transaction.atomic():
        updated = model.objects.filter(pk=entry.pk, status=OcpStatus.CHANGES_REQUESTED).update(
            status=OcpStatus.SUBMITTED, updated_at=now
        )
        if not updated:
            raise SubmissionError(_("This entry changed in another window; reload the page and try again."))
        entry.status, entry.updated_at = OcpStatus.SUBMITTED, now
        model.history.bulk_history_create([entry], update=True, default_user=by, default_date=now)
        ReviewEvent.objects.create(
            tenant_id=entry.tenant_id,
            content_type=ContentType.objects.get_for_model(model),
            object_id=entry.pk,
            from_status=OcpStatus.CHANGES_REQUESTED,
            to_status=OcpStatus.SUBMITTED,
            by=by,
            created_at=now,
        )
    return entry


def entry_withdraw(*, entry: OcpSubmission, by, now: dt.datetime | None = None) -> OcpSubmission:
    """Withdraw a submitted entry before the deadline."""
    return submission_withdraw(submission=entry, by=by, now=now)
