"""The demo's Open Consultation Process: some hundreds of 2021 entries from every
stakeholder type and region, written once, without email, with references that
later real submissions continue; the agenda of 2021 and of the current edition
scheduled from accepted workshops, High-Level Policy Sessions with selected
facilitators, and the final briefs."""

import datetime as dt
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.db.models import Count
from django.utils import timezone

from ocp.demo import COUNTRIES_BY_REGION, HIGH_LEVEL_SESSIONS_2021, MECHANISM_TYPES, ORGANISATIONS, ROOMS
from ocp.models import (
    OCP_MODELS,
    Contribution,
    CoordinationMechanism,
    FinalBrief,
    HltfNomination,
    Session,
    SessionFacilitator,
    SessionSpeaker,
    Speaker,
    WorkshopRequest,
)
from wsis_portal.accounts.models import Organisation, User
from wsis_portal.editions.demo import seed_demo
from wsis_portal.editions.models import ReferenceCounter
from wsis_portal.editions.services import submission_submit
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.reference.models import Region, StakeholderType

EXPECTED_2021 = {
    "Contribution": 70,
    "WorkshopRequest": 110,
    "ExhibitionRequest": 45,
    "SpeakerRecommendation": 55,
    "HltfNomination": 20,
}


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Not the OCP tests' 2021 clock: the demo's current edition is shifted to today."""
    yield


def _counts():
    return {
        "entries": {model.__name__: model.objects.filter(call__edition__year=2021).count() for model in OCP_MODELS},
        "current": {model.__name__: model.objects.exclude(call__edition__year=2021).count() for model in OCP_MODELS},
        "speakers": Speaker.objects.filter(workshop__call__edition__year=2021).count(),
        "stakeholders": User.objects.filter(email__startswith="demo-stakeholder-").count(),
        "verified": EmailAddress.objects.filter(email__startswith="demo-stakeholder-", verified=True).count(),
        "organisations": Organisation.objects.count(),
        "counters": sorted(ReferenceCounter.objects.values_list("prefix", "last_number")),
        "history": WorkshopRequest.history.count(),
        "nomination_history": HltfNomination.history.count(),
        "accepted": {
            model.__name__: model.objects.filter(status="accepted").count()
            for model in (WorkshopRequest, HltfNomination)
        },
        "sessions": sorted(
            Session.objects.values_list("edition__year", "is_published").annotate(count=Count("pk")).order_by()
        ),
        "session_speakers": SessionSpeaker.objects.count(),
        "mechanisms": sorted(
            CoordinationMechanism.objects.annotate(members=Count("organisations")).values_list("name", "members")
        ),
        "facilitators": SessionFacilitator.objects.count(),
        "briefs": sorted(FinalBrief.objects.values_list("edition__year", "published_at")),
    }


def test_seeding_twice_creates_everything_once_and_sends_nothing(db):
    first = seed_demo(now=timezone.now())
    once = _counts()
    second = seed_demo(now=timezone.now())
    assert _counts() == once
    assert first["ocp"] == second["ocp"]
    assert once["entries"] == EXPECTED_2021
    assert sum(once["entries"].values()) == 300
    # The demo stakeholder's drafts in the current edition ("My submissions"),
    # and eight workshop requests already accepted for its agenda.
    assert once["current"] == {
        "Contribution": 1,
        "WorkshopRequest": 9,
        "ExhibitionRequest": 1,
        "SpeakerRecommendation": 1,
        "HltfNomination": 0,
    }
    assert once["stakeholders"] == once["verified"] == 120
    assert once["organisations"] == len(ORGANISATIONS) + 1  # and the demo ministry of the six logins
    assert once["speakers"] == 402  # of the 2021 workshops
    assert OutboxEmail.objects.count() == 0


def test_entries_come_from_every_stakeholder_type_and_region_with_unique_references(db):
    seed_demo(now=timezone.now())
    region_of = {country.code: region.name for region in Region.objects.all() for country in region.countries}
    types, regions, statuses = Counter(), Counter(), Counter()
    for model in OCP_MODELS:
        entries = list(model.objects.filter(call__edition__year=2021).select_related("organisation"))
        statuses.update(entry.status for entry in entries)
        types.update(entry.organisation.stakeholder_type_id for entry in entries)
        regions.update(region_of[entry.organisation.country.code] for entry in entries)
        submitted = [entry for entry in entries if entry.status != "draft"]
        references = [entry.reference for entry in submitted]
        assert all(references) and len(set(references)) == len(references)
        assert all(entry.reference == "" and entry.submitted_at is None for entry in entries if entry.status == "draft")
        # Numbered in the order they came in, within the submission window.
        in_order = sorted(submitted, key=lambda entry: entry.submitted_at)
        assert [entry.reference for entry in in_order] == [
            f"{model.reference_prefix}-2021-{number:05d}" for number in range(1, len(in_order) + 1)
        ]
        phase = entries[0].call.submission_phase
        assert all(phase.opens_at <= entry.submitted_at < phase.closes_at for entry in submitted)
        assert all(entry.created_at <= entry.updated_at for entry in entries)
    assert set(types) == set(StakeholderType.objects.values_list("pk", flat=True))
    assert set(regions) == set(COUNTRIES_BY_REGION) == set(Region.objects.values_list("name", flat=True))
    # Some workshops and facilitator nominations are accepted (the agenda's).
    assert statuses["submitted"] + statuses["accepted"] > 250 and statuses["accepted"] == 30 + 8
    assert statuses["draft"] > 0 and statuses["withdrawn"] > 0
    # Workshops have 2 to 5 speakers; more men than women proposed, as at the real forum.
    workshops = WorkshopRequest.objects.filter(call__edition__year=2021)
    assert {workshop.speakers.count() for workshop in workshops} == {2, 3, 4, 5}
    genders = Counter(Speaker.objects.filter(workshop__call__edition__year=2021).values_list("gender", flat=True))
    assert genders["male"] > genders["female"] > 0.3 * sum(genders.values())
    assert Contribution.objects.filter(call__edition__year=2021, action_lines__isnull=False).distinct().count() == 70
    assert HltfNomination.objects.exclude(nominating_stakeholder_type=None).count() == 20


def test_a_later_real_submission_takes_the_next_free_reference(db):
    seed_demo(now=timezone.now())
    draft = WorkshopRequest.objects.filter(call__edition__year=2021, status="draft").order_by("pk").first()
    assert draft.missing_for_submission() == []
    in_2021 = WorkshopRequest.objects.filter(call__edition__year=2021).exclude(reference="")
    taken = set(in_2021.values_list("reference", flat=True))
    before_deadline = draft.call.submission_phase.closes_at - dt.timedelta(hours=2)

    submitted = submission_submit(submission=draft, by=draft.owner, now=before_deadline)

    assert submitted.reference == f"WS-2021-{len(taken) + 1:05d}"
    assert submitted.reference not in taken
    assert OutboxEmail.objects.filter(recipient=draft.owner.email).count() == 1


def test_agenda_is_scheduled_from_accepted_workshops_across_the_forum_week(db):
    result = seed_demo(now=timezone.now())
    historic, current = result["editions"]

    for edition, scheduled, unpublished in ((historic, 30, 0), (current, 8, 1)):
        from_workshops = list(
            Session.objects.filter(edition=edition, workshop__isnull=False).select_related("workshop")
        )
        assert len(from_workshops) == scheduled
        assert Session.objects.filter(edition=edition, is_published=False).count() == unpublished
        assert {session.workshop.status for session in from_workshops} == {"accepted"}
        assert all(session.title == session.workshop.title for session in from_workshops)
        # The workshop's speakers came along.
        for session in from_workshops:
            assert list(session.speakers.values_list("name", flat=True)) == list(
                session.workshop.speakers.values_list("name", flat=True)
            )
        days = {timezone.localtime(session.starts_at, edition.zone).date() for session in from_workshops}
        assert days == {edition.starts_on + dt.timedelta(days=offset) for offset in range(5)}
        assert {session.room for session in from_workshops} <= set(ROOMS)
        assert 0 < sum(bool(session.virtual_url) for session in from_workshops) < scheduled
        # No room holds two sessions at once.
        slots = [(session.room, session.starts_at) for session in from_workshops]
        assert len(set(slots)) == len(slots)
    # Accepting and scheduling sent nobody an email.
    assert OutboxEmail.objects.count() == 0


def test_selected_facilitators_of_the_mechanisms_facilitate_high_level_policy_sessions(db):
    result = seed_demo(now=timezone.now())
    historic = result["editions"][0]

    mechanisms = list(CoordinationMechanism.objects.prefetch_related("organisations"))
    assert sorted(mechanism.stakeholder_type.slug for mechanism in mechanisms) == sorted(MECHANISM_TYPES)
    assert all(mechanism.organisations.exists() for mechanism in mechanisms)
    member_mechanisms = {
        organisation.pk: mechanism.name for mechanism in mechanisms for organisation in mechanism.organisations.all()
    }
    selected = list(HltfNomination.objects.filter(status="accepted"))
    assert len(selected) == 8
    assert all(member_mechanisms[nomination.organisation_id] == nomination.mechanism for nomination in selected)
    assert HltfNomination.objects.filter(call__edition=historic, status="submitted").exists()

    high_level = list(Session.objects.filter(edition=historic, workshop=None).order_by("starts_at"))
    assert [session.title for session in high_level] == HIGH_LEVEL_SESSIONS_2021
    assert {session.session_format.name for session in high_level} == {"High-Level Policy Session"}
    assert all(session.is_published for session in high_level)
    assignments = list(SessionFacilitator.objects.select_related("session", "nomination"))
    assert sorted(assignment.nomination_id for assignment in assignments) == sorted(n.pk for n in selected)
    assert Counter(assignment.session.title for assignment in assignments) == dict.fromkeys(HIGH_LEVEL_SESSIONS_2021, 2)


def test_final_brief_of_2021_is_published_and_the_current_one_is_a_draft(db):
    result = seed_demo(now=timezone.now())
    historic, current = result["editions"]

    published = FinalBrief.objects.get(edition=historic)
    draft = FinalBrief.objects.get(edition=current)
    assert published.is_published and published.published_at < timezone.now()
    assert published.introduction.startswith("The Open Consultation Process of WSIS Forum 2021")
    assert (draft.is_published, draft.published_at) == (False, None)
