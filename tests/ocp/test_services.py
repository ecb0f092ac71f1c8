"""Writes on OCP entries: drafts, completeness, submit and withdraw around the
deadline (25 January 2021, 23:00 Geneva time), editing after submission."""

import datetime as dt

import pytest
import time_machine

from ocp import services
from ocp.enums import OcpStatus
from ocp.models import Contribution, SpeakerRecommendation, WorkshopRequest
from tests.ocp.conftest import DEADLINE, OPENS
from tests.ocp.factories import SpeakerRecommendationFactory
from wsis_portal.editions.services import SubmissionError
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.reference.models import ActionLine

COMPLETE_RECOMMENDATION = {
    "speaker_name": "Ana Pérez",
    "speaker_title": "Director",
    "speaker_organisation": "Andes Digital",
    "topic": "Community networks",
    "reason": "She built them.",
}


def _complete_recommendation(call, owner):
    return SpeakerRecommendationFactory(call=call, owner=owner, **COMPLETE_RECOMMENDATION)


def test_start_creates_empty_draft_for_owner_and_organisation(calls, author):
    entry = services.entry_start(model=WorkshopRequest, call=calls["workshop"], by=author)

    assert (entry.status, entry.owner, entry.organisation, entry.tenant) == (
        OcpStatus.DRAFT,
        author,
        author.organisation,
        calls["workshop"].edition.tenant,
    )
    assert entry.reference == ""


def test_start_refuses_incomplete_profile(calls, stakeholder):
    with pytest.raises(SubmissionError) as refusal:
        services.entry_start(model=WorkshopRequest, call=calls["workshop"], by=stakeholder)

    assert refusal.value.message == "Please complete your profile and organisation first."
    assert WorkshopRequest.objects.count() == 0


def test_start_refuses_call_of_another_kind(calls, author):
    with pytest.raises(SubmissionError):
        services.entry_start(model=WorkshopRequest, call=calls["exhibition"], by=author)


def test_start_refuses_after_deadline(calls, author):
    with pytest.raises(SubmissionError) as refusal:
        services.entry_start(model=Contribution, call=calls["ocp_contribution"], by=author, now=DEADLINE)

    assert "deadline passed" in refusal.value.message


def test_start_refuses_before_opening(calls, author):
    with pytest.raises(SubmissionError) as refusal:
        services.entry_start(
            model=Contribution, call=calls["ocp_contribution"], by=author, now=OPENS - dt.timedelta(seconds=1)
        )

    assert refusal.value.message.startswith("This call opens on")


def test_save_keeps_incomplete_draft(calls, author):
    entry = services.entry_start(model=WorkshopRequest, call=calls["workshop"], by=author)
    action_line = ActionLine.objects.order_by("pk").first()

    saved = services.entry_save(
        entry=entry, by=author, changes={"title": "Youth online", "action_lines": [action_line]}
    )

    stored = WorkshopRequest.objects.get(pk=entry.pk)
    assert (stored.title, stored.status, list(stored.action_lines.all())) == (
        "Youth online",
        OcpStatus.DRAFT,
        [action_line],
    )
    assert saved.missing_for_submission() != []


def test_save_writes_only_the_changed_fields(calls, author):
    entry = services.entry_start(model=SpeakerRecommendation, call=calls["speaker"], by=author)
    SpeakerRecommendation.objects.filter(pk=entry.pk).update(topic="Typed in another window")

    services.entry_save(entry=entry, by=author, changes={"speaker_name": "Ana"})

    stored = SpeakerRecommendation.objects.get(pk=entry.pk)
    assert (stored.speaker_name, stored.topic) == ("Ana", "Typed in another window")


def test_save_by_another_user_is_refused(calls, author, other_author):
    entry = services.entry_start(model=SpeakerRecommendation, call=calls["speaker"], by=author)

    with pytest.raises(SubmissionError):
        services.entry_save(entry=entry, by=other_author, changes={"speaker_name": "Intruder"})

    assert SpeakerRecommendation.objects.get(pk=entry.pk).speaker_name == ""


@pytest.mark.parametrize(
    ("moment", "saved"),
    [(DEADLINE - dt.timedelta(seconds=1), True), (DEADLINE, False), (DEADLINE + dt.timedelta(seconds=1), False)],
)
def test_save_around_the_deadline(calls, author, moment, saved):
    entry = services.entry_start(model=SpeakerRecommendation, call=calls["speaker"], by=author)

    with time_machine.travel(moment, tick=False):
        if saved:
            services.entry_save(entry=entry, by=author, changes={"topic": "Late"})
        else:
            with pytest.raises(SubmissionError):
                services.entry_save(entry=entry, by=author, changes={"topic": "Late"})

    assert SpeakerRecommendation.objects.get(pk=entry.pk).topic == ("Late" if saved else "")


def test_submit_refuses_incomplete_draft_with_list_of_missing(calls, author):
    entry = services.entry_start(model=SpeakerRecommendation, call=calls["speaker"], by=author)

    with pytest.raises(SubmissionError) as refusal:
        services.entry_submit(entry=entry, by=author)

    assert refusal.value.missing == [
        "name of the person",
        "title or position",
        "organisation",
        "topic",
        "why this person",
    ]
    assert SpeakerRecommendation.objects.get(pk=entry.pk).status == OcpStatus.DRAFT


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [(DEADLINE - dt.timedelta(seconds=1), True), (DEADLINE, False), (DEADLINE + dt.timedelta(seconds=1), False)],
)
def test_submit_around_the_deadline(calls, author, moment, accepted):
    entry = _complete_recommendation(calls["speaker"], author)

    with time_machine.travel(moment, tick=False):
        if accepted:
            services.entry_submit(entry=entry, by=author)
        else:
            with pytest.raises(SubmissionError):
                services.entry_submit(entry=entry, by=author)

    stored = SpeakerRecommendation.objects.get(pk=entry.pk)
    if accepted:
        assert (stored.status, stored.reference) == (OcpStatus.SUBMITTED, "SP-2021-00001")
        assert OutboxEmail.objects.filter(recipient=author.email).count() == 1
    else:
        assert (stored.status, stored.reference) == (OcpStatus.DRAFT, "")
        assert OutboxEmail.objects.count() == 0


def test_edit_after_submit_keeps_status_and_records_history(calls, author):
    entry = services.entry_submit(entry=_complete_recommendation(calls["speaker"], author), by=author)

    services.entry_save(entry=entry, by=author, changes={"topic": "Refined topic"})

    stored = SpeakerRecommendation.objects.get(pk=entry.pk)
    assert (stored.status, stored.topic, stored.reference) == (OcpStatus.SUBMITTED, "Refined topic", "SP-2021-00001")
    topics = [record.topic for record in stored.history.order_by("history_date")]
    assert topics[-2:] == ["Community networks", "Refined topic"]


def test_edit_after_submit_refused_at_deadline(calls, author):
    entry = services.entry_submit(entry=_complete_recommendation(calls["speaker"], author), by=author)

    with time_machine.travel(DEADLINE, tick=False), pytest.raises(SubmissionError):
        services.entry_save(entry=entry, by=author, changes={"topic": "Too late"})

    assert SpeakerRecommendation.objects.get(pk=entry.pk).topic == "Community networks"


@pytest.mark.parametrize(("moment", "withdrawn"), [(DEADLINE - dt.timedelta(seconds=1), True), (DEADLINE, False)])
def test_withdraw_until_the_deadline(calls, author, moment, withdrawn):
    entry = services.entry_submit(entry=_complete_recommendation(calls["speaker"], author), by=author)

    with time_machine.travel(moment, tick=False):
        if withdrawn:
            services.entry_withdraw(entry=entry, by=author)
        else:
            with pytest.raises(SubmissionError):
                services.entry_withdraw(entry=entry, by=author)

    expected = OcpStatus.WITHDRAWN if withdrawn else OcpStatus.SUBMITTED
    assert SpeakerRecommendation.objects.get(pk=entry.pk).status == expected


def test_withdrawn_entry_can_no_longer_be_changed(calls, author):
    entry = services.entry_submit(entry=_complete_recommendation(calls["speaker"], author), by=author)
    services.entry_withdraw(entry=entry, by=author)

    with pytest.raises(SubmissionError) as refusal:
        services.entry_save(entry=entry, by=author, changes={"topic": "Again"})

    assert refusal.value.message == "This can no longer be changed (Withdrawn)."


def test_speakers_are_created_changed_and_deleted(calls, author):
    workshop = services.entry_start(model=WorkshopRequest, call=calls["workshop"], by=author)
    services.workshop_speakers_save(
        workshop=workshop,
        by=author,
        speakers=[
            {
                "id": None,
                "delete": False,
                "name": "Ana",
                "country": "PE",
                "gender": "female",
                "participation": "remote",
            },
            {"id": None, "delete": False, "name": "Bo", "country": "SE", "gender": "male", "participation": "on_site"},
        ],
    )
    ana, bo = workshop.speakers.order_by("position")

    services.workshop_speakers_save(
        workshop=workshop,
        by=author,
        speakers=[
            {"id": ana.pk, "delete": True},
            {
                "id": bo.pk,
                "delete": False,
                "name": "Bo Berg",
                "country": "SE",
                "gender": "male",
                "participation": "remote",
            },
        ],
    )

    assert [(speaker.name, speaker.participation) for speaker in workshop.speakers.all()] == [("Bo Berg", "remote")]


def test_speakers_of_another_workshop_are_left_alone(calls, author):
    first = services.entry_start(model=WorkshopRequest, call=calls["workshop"], by=author)
    second = services.entry_start(model=WorkshopRequest, call=calls["workshop"], by=author)
    services.workshop_speakers_save(workshop=first, by=author, speakers=[{"id": None, "name": "Ana"}])
    ana = first.speakers.get()

    services.workshop_speakers_save(workshop=second, by=author, speakers=[{"id": ana.pk, "delete": True}])

    assert first.speakers.get() == ana


def test_speaker_changes_are_kept_in_history(calls, author):
    workshop = services.entry_start(model=WorkshopRequest, call=calls["workshop"], by=author)
    services.workshop_speakers_save(workshop=workshop, by=author, speakers=[{"id": None, "name": "Ana"}])
    ana = workshop.speakers.get()

    services.workshop_speakers_save(workshop=workshop, by=author, speakers=[{"id": ana.pk, "name": "Ana Pérez"}])

    assert [record.name for record in ana.history.order_by("history_date")] == ["Ana", "Ana Pérez"]
