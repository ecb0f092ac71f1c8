"""The review service: allowed and refused moves, roles, compare-and-set,
the record of who moved what, and the decision emails."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail

from ocp.enums import OcpStatus
from ocp.models import ReviewEvent, WorkshopRequest
from ocp.review import ReviewConflict, ReviewError, entry_transition
from tests.ocp.factories import WorkshopRequestFactory
from wsis_portal.notifications.models import OutboxEmail


@pytest.fixture
def workshop(calls, author):
    author.first_name, author.last_name = "Amina", "Mwangi"
    author.save()
    return WorkshopRequestFactory(
        call=calls["workshop"],
        owner=author,
        title="Youth online",
        status=OcpStatus.SUBMITTED,
        reference="WKS-2021-00007",
    )


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OcpStatus.SUBMITTED, OcpStatus.UNDER_REVIEW),
        (OcpStatus.SUBMITTED, OcpStatus.ACCEPTED),
        (OcpStatus.UNDER_REVIEW, OcpStatus.ACCEPTED),
        (OcpStatus.UNDER_REVIEW, OcpStatus.REJECTED),
        (OcpStatus.UNDER_REVIEW, OcpStatus.CHANGES_REQUESTED),
    ],
)
def test_transition_allowed_moves_status_and_records_event(workshop, manager, start, target):
    WorkshopRequest.objects.filter(pk=workshop.pk).update(status=start)
    workshop.refresh_from_db()

    entry_transition(entry=workshop, to_status=target, by=manager, note="Checked")

    assert WorkshopRequest.objects.get(pk=workshop.pk).status == target
    event = ReviewEvent.objects.get()
    assert (event.from_status, event.to_status, event.by, event.note) == (start, target, manager, "Checked")
    assert event.content_type == ContentType.objects.get_for_model(WorkshopRequest)
    assert event.object_id == workshop.pk
    latest = workshop.history.latest()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (target, manager, "Checked")


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (OcpStatus.DRAFT, OcpStatus.ACCEPTED),
        (OcpStatus.WITHDRAWN, OcpStatus.UNDER_REVIEW),
        (OcpStatus.ACCEPTED, OcpStatus.REJECTED),
        (OcpStatus.REJECTED, OcpStatus.ACCEPTED),
        (OcpStatus.UNDER_REVIEW, OcpStatus.UNDER_REVIEW),
        (OcpStatus.CHANGES_REQUESTED, OcpStatus.SUBMITTED),  # the owner's resubmission, not the secretariat's
        (OcpStatus.SUBMITTED, OcpStatus.DRAFT),
    ],
)
def test_transition_refused_move_changes_nothing(workshop, manager, start, target):
    WorkshopRequest.objects.filter(pk=workshop.pk).update(status=start)
    workshop.refresh_from_db()

    with pytest.raises(ReviewError) as refusal:
        entry_transition(entry=workshop, to_status=target, by=manager)

    assert refusal.value.message == (
        f"WKS-2021-00007 cannot go from “{OcpStatus(start).label}” to “{OcpStatus(target).label}”."
    )
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == start
    assert ReviewEvent.objects.count() == 0
    assert mail.outbox == []


def test_transition_conflict_when_status_changed_meanwhile(workshop, manager, django_capture_on_commit_callbacks):
    stale = WorkshopRequest.objects.get(pk=workshop.pk)
    entry_transition(entry=workshop, to_status=OcpStatus.REJECTED, by=manager)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ReviewConflict) as conflict:
            entry_transition(entry=stale, to_status=OcpStatus.ACCEPTED, by=manager)

    assert conflict.value.message == "WKS-2021-00007 changed meanwhile; reload the page to see its current status."
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.REJECTED
    assert list(ReviewEvent.objects.values_list("to_status", flat=True)) == [OcpStatus.REJECTED]


def test_transition_reviewer_may_take_under_review(workshop, reviewer):
    entry_transition(entry=workshop, to_status=OcpStatus.UNDER_REVIEW, by=reviewer)
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.UNDER_REVIEW


@pytest.mark.parametrize("target", [OcpStatus.ACCEPTED, OcpStatus.REJECTED, OcpStatus.CHANGES_REQUESTED])
def test_transition_reviewer_may_not_decide(workshop, reviewer, target):
    with pytest.raises(ReviewError) as refusal:
        entry_transition(entry=workshop, to_status=target, by=reviewer)
    assert refusal.value.message == f"You may not move WKS-2021-00007 to “{target.label}”."
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.SUBMITTED


@pytest.mark.parametrize("persona", ["viewer", "expert", "other_manager", "author"])
def test_transition_refused_to_other_roles_and_tenants(workshop, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(ReviewError):
        entry_transition(entry=workshop, to_status=OcpStatus.UNDER_REVIEW, by=user)
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.SUBMITTED


def test_under_review_sends_no_email(workshop, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry_transition(entry=workshop, to_status=OcpStatus.UNDER_REVIEW, by=manager)
    assert mail.outbox == []


DECISIONS = {
    OcpStatus.ACCEPTED: (
        "Accepted: WKS-2021-00007 - Youth online",
        'We are pleased to tell you that your workshop request "Youth online" (WKS-2021-00007) for '
        "WSIS Forum 2021 has been accepted.",
        "The secretariat will contact you about the next steps.",
    ),
    OcpStatus.REJECTED: (
        "Not accepted: WKS-2021-00007 - Youth online",
        'We regret to tell you that your workshop request "Youth online" (WKS-2021-00007) for '
        "WSIS Forum 2021 could not be accepted.",
        "Thank you for taking part in the Open Consultation Process.",
    ),
    OcpStatus.CHANGES_REQUESTED: (
        "Changes requested: WKS-2021-00007 - Youth online",
        'The secretariat asks you to change your workshop request "Youth online" (WKS-2021-00007) for WSIS Forum 2021.',
        "Please open it from your My submissions page, make the changes and submit it again.",
    ),
}


@pytest.mark.parametrize("target", list(DECISIONS))
def test_decision_email_to_owner(workshop, manager, target, django_capture_on_commit_callbacks):
    subject, sentence, closing = DECISIONS[target]

    with django_capture_on_commit_callbacks(execute=True):
        entry_transition(
            entry=workshop, to_status=target, by=manager, note="Please add a <b>woman</b> speaker & a moderator."
        )

    assert [message.to for message in mail.outbox] == [["stakeholder@example.org"]]
    message = mail.outbox[0]
    assert message.subject == subject
    assert message.body == (
        "Dear Amina Mwangi,\n\n"
        f"{sentence}\n\n"
        "Message from the secretariat:\n"
        "Please add a <b>woman</b> speaker & a moderator.\n\n"
        f"{closing}\n\n"
        "The WSIS Secretariat"
    )
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<p>Dear Amina Mwangi,</p>" in html
    assert f"<p>{sentence}</p>" in html
    assert "Please add a &lt;b&gt;woman&lt;/b&gt; speaker &amp; a moderator." in html
    assert f"<p>{closing}</p>" in html


def test_decision_email_without_note_has_no_message_block(workshop, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry_transition(entry=workshop, to_status=OcpStatus.ACCEPTED, by=manager)
    assert "Message from the secretariat" not in mail.outbox[0].body
    assert "Message from the secretariat" not in mail.outbox[0].alternatives[0][0]


def test_decision_email_in_owners_language(workshop, manager, author, django_capture_on_commit_callbacks):
    author.preferred_language = "fr"
    author.save()
    with django_capture_on_commit_callbacks(execute=True):
        entry_transition(entry=workshop, to_status=OcpStatus.ACCEPTED, by=manager)
    assert list(OutboxEmail.objects.values_list("recipient", "language")) == [("stakeholder@example.org", "fr")]


def test_decision_for_deleted_owner_sends_nothing(workshop, manager, django_capture_on_commit_callbacks):
    WorkshopRequest.objects.filter(pk=workshop.pk).update(owner=None)
    workshop.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        entry_transition(entry=workshop, to_status=OcpStatus.ACCEPTED, by=manager)
    assert mail.outbox == []
    assert WorkshopRequest.objects.get(pk=workshop.pk).status == OcpStatus.ACCEPTED
