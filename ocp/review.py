"""The secretariat's review of OCP entries: one service moves an entry's status.

Every move is checked against ``REVIEW_TRANSITIONS`` and the mover's role
(``ocp/rules.py``), written with a compare-and-set so that two reviewers never
overwrite each other, recorded (a ``ReviewEvent`` row and a history record),
and a decision is told to the owner by email through the outbox.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wsis_portal.notifications.services import email_enqueue, email_enqueue_template

from .enums import DECISION_STATUSES, REVIEW_TRANSITIONS, REVIEWER_TARGETS, OcpStatus
from .models import DecisionEmailTemplate, InternalComment, OcpSubmission, ReviewEvent


class ReviewError(Exception):
    """A move the service refuses; ``message`` is meant for the staff member."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ReviewConflict(ReviewError):
    """The entry's status changed between reading it and writing it."""


def allowed_review_targets(*, status: str) -> set[str]:
    """The statuses the secretariat may move an entry to from ``status``."""
    # changes_requested -> submitted is the owner's resubmission.
    return {target for target in REVIEW_TRANSITIONS.get(status, set()) if target != OcpStatus.SUBMITTED}


def permission_for(to_status: str) -> str:
    return "ocp.review_entry" if to_status in REVIEWER_TARGETS else "ocp.decide_entry"


def entry_transition(
    *, entry: OcpSubmission, to_status: str, by, note: str = "", now: dt.datetime | None = None
) -> OcpSubmission:
    """Move ``entry`` to ``to_status`` for staff member ``by``.

    Refuses (``ReviewError``) a move that ``REVIEW_TRANSITIONS`` does not allow
    or that ``by``'s role does not permit; raises ``ReviewConflict`` when the
    entry's status changed meanwhile (nothing is overwritten). ``note`` is kept
    with the event and, for a decision, quoted in the owner's email. The email
    is queued in the same transaction and leaves after the commit."""
    now = now or timezone.now()
    old_status = entry.status
    to_status = OcpStatus(to_status)
    if to_status not in allowed_review_targets(status=old_status):
        raise ReviewError(
            _("%(reference)s cannot go from “%(old)s” to “%(new)s”.")
            % {"reference": entry, "old": OcpStatus(old_status).label, "new": to_status.label}
        )
    if not by.has_perm(permission_for(to_status), entry):
        raise ReviewError(
            _("You may not move %(reference)s to “%(new)s”.") % {"reference": entry, "new": to_status.label}
        )

    model = type(entry)
    with transaction.atomic():
        updated = model.objects.filter(pk=entry.pk, status=old_status).update(status=to_status, updated_at=now)
        if not updated:
            raise ReviewConflict(
                _("%(reference)s changed meanwhile; reload the page to see its current status.") % {"reference": entry}
            )
        entry.status = to_status
        entry.updated_at = now
        # ``update()`` skips django-simple-history's signals: record the change here.
        model.history.bulk_history_create(
            [entry], update=True, default_user=by, default_change_reason=note[:100], default_date=now
        )
        ReviewEvent.objects.create(
            tenant_id=entry.tenant_id,
            content_type=ContentType.objects.get_for_model(model),
            object_id=entry.pk,
            from_status=old_status,
            to_status=to_status,
            by=by,
            note=note,
            created_at=now,
        )
        if to_status in DECISION_STATUSES:
            _send_decision(entry=entry, note=note, now=now)
    return entry


def _send_decision(*, entry: OcpSubmission, note: str, now: dt.datetime) -> None:
    owner = entry.owner
    if owner is None or not owner.email:
        return  # the owner deleted their account: nobody to tell
    call = entry.call
    dedup_key = f"ocp-decision:{entry._meta.label_lower}:{entry.pk}:{entry.status}:{now.isoformat()}"
    custom = decision_template_for(tenant=entry.tenant, decision=entry.status, language=owner.preferred_language)
    if custom is not None:
        subject, body = custom.render(decision_placeholders(entry=entry, note=note))
        email_enqueue(
            recipient=owner.email,
            subject=subject,
            body_text=body,
            dedup_key=dedup_key,
            user=owner,
            language=owner.preferred_language,
            tenant=entry.tenant,
        )
        return
    email_enqueue_template(
        template=f"emails/ocp/decision_{entry.status}",
        context={
            "entry": entry,
            "call": call,
            "edition": call.edition,
            "tenant": entry.tenant,
            "user": owner,
            "kind": entry._meta.verbose_name,
            "title": entry.title_for_owner,
            "note": note,
        },
        recipient=owner.email,
        user=owner,
        language=owner.preferred_language,
        tenant=entry.tenant,
        dedup_key=dedup_key,
    )


def decision_template_for(*, tenant, decision: str, language: str) -> DecisionEmailTemplate | None:
    """The tenant's wording for ``decision`` in ``language``, else for every
    language, else None (the portal's translated wording)."""
    found = {
        template.language: template
        for template in DecisionEmailTemplate.objects.filter(
            tenant=tenant, decision=decision, language__in=[language, ""]
        )
    }
    return found.get(language) or found.get("")


def decision_placeholders(*, entry: OcpSubmission, note: str) -> dict[str, str]:
    owner = entry.owner
    return {
        "name": owner.get_full_name() or owner.email,
        "kind": str(entry._meta.verbose_name),
        "title": entry.title_for_owner,
        "reference": entry.reference,
        "edition": entry.call.edition.title,
        "note": note,
        "link": settings.SITE_URL + entry.get_absolute_url(),
    }


def entry_comment(*, entry: OcpSubmission, by, text: str) -> InternalComment:
    """Add the secretariat's internal comment to ``entry`` (managers and
    reviewers of its tenant); the owner never sees it."""
    text = text.strip()
    if not by.has_perm("ocp.comment_entry", entry):
        raise ReviewError(_("You may not comment on %(reference)s.") % {"reference": entry})
    if not text:
        raise ReviewError(_("Please write a comment."))
    return InternalComment.objects.create(tenant_id=entry.tenant_id, entry=entry, author=by, text=text)
