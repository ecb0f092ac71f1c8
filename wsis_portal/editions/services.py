"""Writes on submissions shared by every programme app."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.notifications.services import email_enqueue_template

from .enums import SubmissionStatus
from .formatting import format_deadline
from .models import Call, ReferenceCounter, Submission


class SubmissionError(Exception):
    """A submission was refused; ``message`` is shown to the stakeholder as it is."""

    def __init__(self, message: str, *, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


def allocate_reference(*, tenant, prefix: str, year: int) -> str:
    """The next ``PREFIX-YEAR-00042`` for the tenant; safe under concurrent submits."""
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
            tenant=tenant, prefix=prefix, year=year
        )
        ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        counter.refresh_from_db(fields=["last_number"])
    return f"{prefix}-{year}-{counter.last_number:05d}"


def call_check_open(*, call: Call, organisation_id: int | None, now: dt.datetime) -> None:
    """Raises ``SubmissionError`` unless ``call`` takes new entries and changes
    to entries now (the organisation's extension counted): what the programme
    apps check before starting or changing a draft."""
    if call.accepts_submissions_at(now, organisation_id):
        return
    phase = call.submission_phase
    if phase is not None and now < phase.opens_at:
        raise SubmissionError(
            _("This call opens on %(when)s.") % {"when": format_deadline(phase.opens_at, call.edition.zone)}
        )
    deadline = call.deadline_for(organisation_id)
    if deadline is None:
        raise SubmissionError(_("This call does not take submissions."))
    raise SubmissionError(
        _("The deadline passed on %(when)s; nothing can be changed any more.")
        % {"when": format_deadline(deadline, call.edition.zone)}
    )


def _check_deadline(*, submission: Submission, now: dt.datetime) -> None:
    call = submission.call
    phase = call.submission_phase
    if phase is None:
        raise SubmissionError(_("This call does not take submissions."))
    if now < phase.opens_at:
        raise SubmissionError(
            _("This call opens on %(when)s; your draft is saved.")
            % {"when": format_deadline(phase.opens_at, call.edition.zone)}
        )
    deadline = call.deadline_for(submission.organisation_id)
    if now >= deadline:
        raise SubmissionError(
            _("The deadline passed on %(when)s; your draft is kept but can no longer be submitted.")
            % {"when": format_deadline(deadline, call.edition.zone)}
        )


def submission_submit(*, submission: Submission, by, now: dt.datetime | None = None) -> Submission:
    """Submit a draft before its deadline: assigns the reference number and
    queues the receipt email. Refuses (``SubmissionError``) after the deadline,
    when something is missing, or if the draft changed state meanwhile; the
    draft itself is never altered by a refusal."""
    now = now or timezone.now()
    if submission.owner_id != by.pk:
        raise SubmissionError(_("Only the owner of this draft can submit it."))
    if submission.status != SubmissionStatus.DRAFT:
        raise SubmissionError(_("This has already been submitted."))
    _check_deadline(submission=submission, now=now)
    missing = submission.missing_for_submission()
    if missing:
        raise SubmissionError(_("Please complete the following before submitting."), missing=missing)

    model = type(submission)
    with transaction.atomic():
        reference = submission.reference or allocate_reference(
            tenant=submission.tenant, prefix=submission.reference_prefix, year=submission.call.edition.year
        )
        updated = model.objects.filter(pk=submission.pk, status=SubmissionStatus.DRAFT).update(
            status=SubmissionStatus.SUBMITTED, reference=reference, submitted_at=now, updated_at=now
        )
        if not updated:
            raise SubmissionError(_("This draft changed in another window; reload the page and try again."))
        submission.refresh_from_db()
        _send_receipt(submission=submission, by=by)
    return submission


def submission_withdraw(*, submission: Submission, by, now: dt.datetime | None = None) -> Submission:
    """Withdraw a submitted entry while its call still accepts submissions."""
    now = now or timezone.now()
    if submission.owner_id != by.pk:
        raise SubmissionError(_("Only the owner can withdraw this."))
    _check_deadline(submission=submission, now=now)
    updated = (
        type(submission)
        .objects.filter(pk=submission.pk, status=SubmissionStatus.SUBMITTED)
        .update(status=SubmissionStatus.WITHDRAWN, updated_at=now)
    )
    if not updated:
        raise SubmissionError(_("Only a submitted entry can be withdrawn."))
    submission.refresh_from_db()
    return submission


def _send_receipt(*, submission: Submission, by) -> None:
    call = submission.call
    email_enqueue_template(
        template="emails/editions/receipt",
        context={
            "submission": submission,
            "call": call,
            "edition": call.edition,
            "tenant": submission.tenant,
            "user": by,
            # Formatted by the template, inside the recipient's language.
            "submitted_at": submission.submitted_at,
            "kind": submission._meta.verbose_name,
        },
        recipient=by.email,
        user=by,
        language=by.preferred_language,
        tenant=submission.tenant,
        dedup_key=f"receipt:{submission._meta.label_lower}:{submission.pk}:{submission.submitted_at.isoformat()}",
    )
