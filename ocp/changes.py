"""What a stakeholder changed in an entry after first submitting it.

Until the deadline the owner may edit a submitted entry; the secretariat reads
the edits on the entry's admin page, from the entry's history (and, for a
workshop request, its speakers' history). Status moves are not edits: the
review's own record (``ReviewEvent``) lists them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from wsis_portal.editions.enums import SubmissionStatus

from .models import OcpSubmission, Speaker, WorkshopRequest

# Bookkeeping the submit and review services write; not the stakeholder's edits.
NOT_EDITS = {"id", "tenant", "call", "owner", "status", "reference", "created_at", "updated_at", "submitted_at"}
SHOWN_CHARACTERS = 160


@dataclass
class EntryEdit:
    at: dt.datetime
    by: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (what, before, after)


def _shown(model_field: models.Field, value) -> str:
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    return Truncator(str(value)).chars(SHOWN_CHARACTERS)


def _who(record) -> str:
    user = record.history_user
    return user.email if user is not None else _("not recorded")


def _first_submission(records: list) -> int | None:
    """The position of the first record that shows the entry submitted (or
    later in its review)."""
    for position, record in enumerate(records):
        if record.status != SubmissionStatus.DRAFT:
            return position
    return None


def _entry_edits(records: list) -> list[EntryEdit]:
    model = records[0].instance_type
    edits = []
    for previous, record in zip(records, records[1:], strict=False):
        delta = record.diff_against(previous)
        changes = []
        for change in delta.changes:
            if change.field in NOT_EDITS:
                continue
            model_field = model._meta.get_field(change.field)
            before, after = _shown(model_field, change.old), _shown(model_field, change.new)
            changes.append((str(model_field.verbose_name), before, after))
        if changes:
            edits.append(EntryEdit(at=record.history_date, by=_who(record), changes=changes))
    return edits


def _speaker_edits(workshop: WorkshopRequest, *, since: dt.datetime) -> list[EntryEdit]:
    records = (
        Speaker.history.filter(workshop_id=workshop.pk, history_date__gt=since)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    labels = {"+": _("speaker added"), "~": _("speaker changed"), "-": _("speaker removed")}
    return [
        EntryEdit(
            at=record.history_date,
            by=_who(record),
            changes=[(str(labels[record.history_type]), "", Truncator(record.name).chars(SHOWN_CHARACTERS))],
        )
        for record in records
    ]


def entry_edits_after_submission(entry: OcpSubmission) -> list[EntryEdit]:
    """The owner's edits since the entry was first submitted, oldest first
    (two or three queries, whatever the number of edits)."""
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    submitted = _first_submission(records)
    if submitted is None:
        return []
    # Submitting changes the status with an update that writes no history: the
    # first record showing the entry submitted is already the first edit after
    # it, to be compared with the last draft.
    edits = _entry_edits(records[max(submitted - 1, 0) :])
    if isinstance(entry, WorkshopRequest):
        edits += _speaker_edits(entry, since=entry.submitted_at or records[submitted].history_date)
    return sorted(edits, key=lambda edit: edit.at)
