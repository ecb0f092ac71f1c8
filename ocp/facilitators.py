"""High-Level Track Facilitators (HLTF): who may nominate them, and the
selected ones assigned to High-Level Policy Sessions of the agenda.

Only members of a stakeholder coordination mechanism the secretariat
recognises (``CoordinationMechanism`` of the tenant) may start and submit an
HLTF nomination. Selected facilitators are the accepted nominations; the
secretariat assigns them to sessions of the "High-Level Policy Session"
format (``facilitator_assign`` here, the session admin's inline through
``assignment_problems``), and the public facilitators page lists them.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from wsis_portal.editions.services import SubmissionError

from .enums import OcpStatus
from .models import CoordinationMechanism, HltfNomination, Session, SessionFacilitator

#: The name of the reference session format facilitators are meant for.
HIGH_LEVEL_POLICY_SESSION = "High-Level Policy Session"


# --- who may nominate ---------------------------------------------------------------


def mechanisms_of_organisation(*, tenant_id: int, organisation_id: int | None) -> QuerySet[CoordinationMechanism]:
    """The tenant's recognised coordination mechanisms that ``organisation_id`` belongs to."""
    if organisation_id is None:
        return CoordinationMechanism.objects.none()
    return (
        CoordinationMechanism.objects.filter(tenant_id=tenant_id, organisations=organisation_id)
        .select_related("stakeholder_type")
        .order_by("name")
    )


def may_nominate(*, tenant_id: int, organisation_id: int | None) -> bool:
    return (
        organisation_id is not None
        and mechanisms_of_organisation(tenant_id=tenant_id, organisation_id=organisation_id).exists()
    )


def not_a_member_message() -> str:
    return _(
        "Only members of a recognised stakeholder coordination mechanism may nominate a High-Level Track "
        "Facilitator. If your organisation belongs to one, please contact the secretariat."
    )


def check_may_nominate(*, tenant_id: int, organisation_id: int | None) -> None:
    """Raises ``SubmissionError`` unless the organisation belongs to one of the tenant's mechanisms."""
    if not may_nominate(tenant_id=tenant_id, organisation_id=organisation_id):
        raise SubmissionError(not_a_member_message())


def check_nomination_may_be_submitted(nomination: HltfNomination) -> None:
    """The nominating organisation is a member of the mechanism the nomination names.

    A crafted request cannot get round the mechanism step: the check reads
    what is stored, at submission time."""
    mechanisms = list(
        mechanisms_of_organisation(tenant_id=nomination.tenant_id, organisation_id=nomination.organisation_id)
    )
    if not mechanisms:
        raise SubmissionError(not_a_member_message())
    if nomination.mechanism and nomination.mechanism not in {mechanism.name for mechanism in mechanisms}:
        raise SubmissionError(
            _(
                "“%(mechanism)s” is not a coordination mechanism your organisation belongs to; "
                "choose yours in the step “Nominating mechanism”."
            )
            % {"mechanism": nomination.mechanism}
        )


# --- assignment to sessions ---------------------------------------------------------


class FacilitatorError(Exception):
    """An assignment the service refuses; ``message`` is meant for the staff member."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def is_high_level_policy_session(session: Session) -> bool:
    session_format = session.session_format if session.session_format_id else None
    return session_format is not None and session_format.name == HIGH_LEVEL_POLICY_SESSION


def assignment_problems(*, session: Session, nomination: HltfNomination) -> list[str]:
    """Why ``nomination`` may not facilitate ``session`` (empty when it may):
    only accepted HLTF nominations of the session's own edition (so of its
    tenant), and only for High-Level Policy Sessions."""
    problems = []
    if nomination.status != OcpStatus.ACCEPTED:
        problems.append(
            _("%(nominee)s is not a selected facilitator (%(status)s); only accepted nominations can be assigned.")
            % {"nominee": nomination.nominee_name or nomination, "status": nomination.get_status_display()}
        )
    if session.edition_id is not None and nomination.call.edition_id != session.edition_id:
        problems.append(
            _("%(nominee)s was nominated for another edition than this session's.")
            % {"nominee": nomination.nominee_name or nomination}
        )
    if not is_high_level_policy_session(session):
        problems.append(
            _("Facilitators are assigned to sessions of the format “%(format)s”; change the session's format first.")
            % {"format": HIGH_LEVEL_POLICY_SESSION}
        )
    return problems


def facilitator_assign(session: Session, nomination: HltfNomination, *, by) -> SessionFacilitator:
    """Assign the selected facilitator ``nomination`` to ``session`` (after
    those already assigned). Only managers of the tenant. Assigning the same
    facilitator twice returns the existing assignment."""
    if not by.has_perm("ocp.decide_entry", nomination):
        raise FacilitatorError(_("You may not assign %(nominee)s.") % {"nominee": nomination})
    with transaction.atomic():
        # Locking the session makes two managers assigning at once wait for each other.
        locked = Session.objects.select_for_update(of=("self",)).select_related("session_format").get(pk=session.pk)
        nomination = HltfNomination.objects.select_related("call").get(pk=nomination.pk)
        problems = assignment_problems(session=locked, nomination=nomination)
        if problems:
            raise FacilitatorError(" ".join(problems))
        existing = SessionFacilitator.objects.filter(session=locked, nomination=nomination).first()
        if existing is not None:
            return existing
        last = SessionFacilitator.objects.filter(session=locked).aggregate(last=Max("position"))["last"]
        try:
            with transaction.atomic():
                return SessionFacilitator.objects.create(
                    session=locked, nomination=nomination, position=0 if last is None else last + 1
                )
        except IntegrityError:  # pragma: no cover - the lock above makes this a race of another kind
            return SessionFacilitator.objects.get(session=locked, nomination=nomination)


# --- reads for the public pages -----------------------------------------------------


def facilitators_prefetch(*, to_attr: str = "facilitator_list") -> Prefetch:
    """A session's facilitators with their nomination, in order (one query for any number of sessions)."""
    return Prefetch(
        "facilitators",
        queryset=SessionFacilitator.objects.select_related("nomination").order_by("position", "id"),
        to_attr=to_attr,
    )


def selected_facilitators(*, edition) -> list[HltfNomination]:
    """The edition's selected facilitators (accepted HLTF nominations) by name,
    each with ``published_assignments``: the published sessions they
    facilitate, by start. Two queries, however many facilitators."""
    assignments = (
        SessionFacilitator.objects.filter(session__is_published=True)
        .select_related("session")
        .order_by("session__starts_at", "session__title", "position", "id")
    )
    return list(
        HltfNomination.objects.filter(call__edition=edition, status=OcpStatus.ACCEPTED)
        .prefetch_related(Prefetch("assignments", queryset=assignments, to_attr="published_assignments"))
        .order_by("nominee_name", "pk")
    )
