"""The demo's Open Consultation Process: some hundreds of 2021 entries from every
stakeholder type and region, written once, without email, with references that
later real submissions continue."""

import datetime as dt
from collections import Counter

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from ocp.demo import COUNTRIES_BY_REGION, ORGANISATIONS
from ocp.models import OCP_MODELS, Contribution, HltfNomination, Speaker, WorkshopRequest
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
        "speakers": Speaker.objects.count(),
        "stakeholders": User.objects.filter(email__startswith="demo-stakeholder-").count(),
        "verified": EmailAddress.objects.filter(email__startswith="demo-stakeholder-", verified=True).count(),
        "organisations": Organisation.objects.count(),
        "counters": sorted(ReferenceCounter.objects.values_list("prefix", "last_number")),
        "history": WorkshopRequest.history.count(),
    }


def test_seeding_twice_creates_everything_once_and_sends_nothing(db):
    first = seed_demo(now=timezone.now())
    once = _counts()
    second = seed_demo(now=timezone.now())
    assert _counts() == once
    assert first["ocp"] == second["ocp"]
    assert once["entries"] == EXPECTED_2021
    assert sum(once["entries"].values()) == 300
    # The demo stakeholder's drafts in the current edition ("My submissions").
    assert once["current"] == {
        "Contribution": 1,
        "WorkshopRequest": 1,
        "ExhibitionRequest": 1,
        "SpeakerRecommendation": 1,
        "HltfNomination": 0,
    }
    assert once["stakeholders"] == once["verified"] == 120
    assert once["organisations"] == len(ORGANISATIONS) + 1  # and the demo ministry of the six logins
    assert once["speakers"] == 404
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
    assert statuses["submitted"] > 250 and statuses["draft"] > 0 and statuses["withdrawn"] > 0
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
    taken = set(WorkshopRequest.objects.exclude(reference="").values_list("reference", flat=True))
    before_deadline = draft.call.submission_phase.closes_at - dt.timedelta(hours=2)

    submitted = submission_submit(submission=draft, by=draft.owner, now=before_deadline)

    assert submitted.reference == f"WS-2021-{len(taken) + 1:05d}"
    assert submitted.reference not in taken
    assert OutboxEmail.objects.filter(recipient=draft.owner.email).count() == 1
