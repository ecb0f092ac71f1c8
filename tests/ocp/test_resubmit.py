"""Changes requested: the owner edits the entry (also after the deadline) and
submits it again; the secretariat sees the move and the history."""

import datetime as dt

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from ocp import services
from ocp.enums import OcpStatus
from ocp.models import ReviewEvent, SpeakerRecommendation
from tests.ocp.conftest import DEADLINE
from tests.ocp.factories import SpeakerRecommendationFactory
from wsis_portal.editions.services import SubmissionError

AFTER_DEADLINE = DEADLINE + dt.timedelta(days=10)


@pytest.fixture
def asked_to_change(calls, author):
    return SpeakerRecommendationFactory(
        call=calls["speaker"],
        owner=author,
        status=OcpStatus.CHANGES_REQUESTED,
        reference="SPK-2021-00003",
        speaker_name="Ana Pérez",
        speaker_title="Director",
        speaker_organisation="Andes Digital",
        topic="Community networks",
        reason="",
    )


def _review_url(entry):
    return reverse("ocp:review", kwargs={"tenant_slug": entry.tenant.slug, "kind": entry.url_kind, "pk": entry.pk})


def test_owner_edits_and_resubmits_after_the_deadline(asked_to_change, author):
    with time_machine.travel(AFTER_DEADLINE, tick=False):
        services.entry_save(entry=asked_to_change, by=author, changes={"reason": "She built them."})
        entry = services.entry_submit(entry=SpeakerRecommendation.objects.get(pk=asked_to_change.pk), by=author)

    stored = SpeakerRecommendation.objects.get(pk=asked_to_change.pk)
    assert (stored.status, stored.reference, stored.reason) == (
        OcpStatus.SUBMITTED,
        "SPK-2021-00003",
        "She built them.",
    )
    assert entry.status == OcpStatus.SUBMITTED
    event = ReviewEvent.objects.get()
    assert (event.from_status, event.to_status, event.by) == (OcpStatus.CHANGES_REQUESTED, OcpStatus.SUBMITTED, author)
    assert stored.history.latest().history_user == author
    assert mail.outbox == []


def test_resubmit_refuses_incomplete_entry(asked_to_change, author):
    with pytest.raises(SubmissionError) as refusal:
        services.entry_submit(entry=asked_to_change, by=author)
    assert refusal.value.missing == ["why this person"]
    assert SpeakerRecommendation.objects.get(pk=asked_to_change.pk).status == OcpStatus.CHANGES_REQUESTED


def test_resubmit_refused_to_another_person(asked_to_change, other_author):
    with pytest.raises(SubmissionError):
        services.entry_resubmit(entry=asked_to_change, by=other_author)
    assert SpeakerRecommendation.objects.get(pk=asked_to_change.pk).status == OcpStatus.CHANGES_REQUESTED


def test_accepted_entry_stays_closed_to_its_owner(asked_to_change, author):
    SpeakerRecommendation.objects.filter(pk=asked_to_change.pk).update(status=OcpStatus.ACCEPTED)
    asked_to_change.refresh_from_db()
    with pytest.raises(SubmissionError):
        services.entry_save(entry=asked_to_change, by=author, changes={"reason": "More"})


def test_review_page_offers_submit_again_and_resubmits(client, asked_to_change, author):
    SpeakerRecommendation.objects.filter(pk=asked_to_change.pk).update(reason="She built them.")
    client.force_login(author)

    with time_machine.travel(AFTER_DEADLINE, tick=False):
        page = client.get(_review_url(asked_to_change))
        response = client.post(
            reverse(
                "ocp:submit",
                kwargs={"tenant_slug": asked_to_change.tenant.slug, "kind": "speaker", "pk": asked_to_change.pk},
            )
        )

    content = page.content.decode()
    assert "The secretariat asked you to change this entry" in content
    assert "Submit again" in content
    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Submitted again. The secretariat will review your changes."
    ]
    assert SpeakerRecommendation.objects.get(pk=asked_to_change.pk).status == OcpStatus.SUBMITTED
