"""The secretariat sees what a stakeholder changed after submitting: the
entry's admin page lists each edit with its author, before and after."""

import datetime as dt

import time_machine
from django.urls import reverse

from ocp import services
from ocp.changes import entry_edits_after_submission
from ocp.enums import OcpStatus
from tests.ocp.conftest import NOW
from tests.ocp.factories import SpeakerRecommendationFactory, WorkshopRequestFactory
from tests.ocp.test_services import COMPLETE_RECOMMENDATION


def _submitted_recommendation(call, owner):
    entry = SpeakerRecommendationFactory(call=call, owner=owner, **COMPLETE_RECOMMENDATION)
    services.entry_save(entry=entry, by=owner, changes={"reason": "She built them in ten villages."})
    return services.entry_submit(entry=entry, by=owner)


def test_edits_before_submission_are_not_listed(calls, author):
    entry = _submitted_recommendation(calls["speaker"], author)

    assert entry_edits_after_submission(entry) == []


def test_edit_after_submission_lists_field_before_and_after(calls, author):
    entry = _submitted_recommendation(calls["speaker"], author)

    services.entry_save(entry=entry, by=author, changes={"topic": "Refined topic", "speaker_title": ""})

    (edit,) = entry_edits_after_submission(entry)
    assert edit.by == author.email
    assert sorted(edit.changes) == [
        ("title or position", "Director", "—"),
        ("topic", "Community networks", "Refined topic"),
    ]


def test_a_draft_has_no_edits_after_submission(calls, author):
    entry = SpeakerRecommendationFactory(call=calls["speaker"], owner=author, **COMPLETE_RECOMMENDATION)
    services.entry_save(entry=entry, by=author, changes={"topic": "Another"})

    assert entry_edits_after_submission(entry) == []


def test_speakers_added_and_removed_after_submission_are_listed(calls, author):
    workshop = WorkshopRequestFactory(call=calls["workshop"], owner=author, status=OcpStatus.SUBMITTED)

    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):  # edited later that day
        services.workshop_speakers_save(
            workshop=workshop, by=author, speakers=[{"id": None, "name": "Grace Mwangi", "country": "KE"}]
        )
        speaker = workshop.speakers.get()
        services.workshop_speakers_save(workshop=workshop, by=author, speakers=[{"id": speaker.pk, "delete": True}])

    changes = [edit.changes[0] for edit in entry_edits_after_submission(workshop)]
    assert changes == [("speaker added", "", "Grace Mwangi"), ("speaker removed", "", "Grace Mwangi")]


def test_admin_change_page_shows_the_edits(calls, author, manager, admin_client_for):
    entry = _submitted_recommendation(calls["speaker"], author)
    services.entry_save(entry=entry, by=author, changes={"topic": "Refined topic"})

    response = admin_client_for(manager).get(reverse("admin:ocp_speakerrecommendation_change", args=[entry.pk]))

    content = response.content.decode()
    assert "Edits after submission" in content
    assert "<strong>topic</strong>: Community networks → Refined topic" in content
    assert author.email in content
