"""Writes on prize entries: start, save, the quota, submit and withdraw
around the deadline (25 January 2021, 23:00 Geneva time), the stocktaking seam."""

import datetime as dt

import pytest
from django.core import mail

from prizes import services
from prizes.models import PrizeEntry
from tests.prizes.conftest import DEADLINE, OPENS
from tests.prizes.factories import PrizeEntryFactory, complete_values
from wsis_portal.editions.services import SubmissionError
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.reference.models import StakeholderType, SustainableDevelopmentGoal

SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def complete_entry(call, categories, author):
    entry = PrizeEntryFactory(call=call, owner=author, **complete_values(categories[0], author.stakeholder_type))
    entry.sdgs.set(SustainableDevelopmentGoal.objects.filter(number__in=[4, 9]))
    return entry


def test_start_creates_draft_with_organisations_details(contest, categories, author):
    entry = services.entry_start(contest=contest, by=author, category=categories[2])

    assert (entry.status, entry.owner, entry.organisation, entry.category) == (
        "draft",
        author,
        author.organisation,
        categories[2],
    )
    assert (entry.stakeholder_type_id, entry.country.code) == (author.organisation.stakeholder_type_id, "KE")
    assert entry.call.kind == "prizes"


def test_start_refuses_category_the_organisation_already_uses(contest, categories, author, colleague):
    services.entry_start(contest=contest, by=author, category=categories[0])

    with pytest.raises(SubmissionError) as refusal:
        services.entry_start(contest=contest, by=colleague, category=categories[0])

    assert refusal.value.message == services.quota_message()
    assert PrizeEntry.objects.count() == 1


def test_start_refuses_incomplete_profile(contest, stakeholder):
    with pytest.raises(SubmissionError):
        services.entry_start(contest=contest, by=stakeholder)


@pytest.mark.parametrize(
    ("moment", "accepted"), [(OPENS - SECOND, False), (OPENS, True), (DEADLINE - SECOND, True), (DEADLINE, False)]
)
def test_start_only_while_submission_phase_is_open(contest, author, moment, accepted):
    if accepted:
        services.entry_start(contest=contest, by=author, now=moment)
    else:
        with pytest.raises(SubmissionError):
            services.entry_start(contest=contest, by=author, now=moment)
    assert PrizeEntry.objects.count() == int(accepted)


def test_save_refuses_category_in_use_and_saves_nothing(call, categories, author, colleague):
    PrizeEntryFactory(call=call, owner=author, category=categories[0])
    entry = PrizeEntryFactory(call=call, owner=colleague, category=None, title="Before")

    with pytest.raises(SubmissionError) as refusal:
        services.entry_save(entry=entry, by=colleague, changes={"category": categories[0], "title": "After"})

    assert refusal.value.message == services.quota_message()
    entry.refresh_from_db()
    assert (entry.category, entry.title) == (None, "Before")


def test_save_refuses_another_persons_entry(call, author, other_author):
    entry = PrizeEntryFactory(call=call, owner=author)
    with pytest.raises(SubmissionError):
        services.entry_save(entry=entry, by=other_author, changes={"title": "Mine"})


def test_save_after_deadline_is_refused(call, author):
    entry = PrizeEntryFactory(call=call, owner=author, title="Kept")
    with pytest.raises(SubmissionError):
        services.entry_save(entry=entry, by=author, changes={"title": "Late"}, now=DEADLINE)
    entry.refresh_from_db()
    assert entry.title == "Kept"


@pytest.mark.parametrize(
    ("moment", "accepted"), [(DEADLINE - SECOND, True), (DEADLINE, False), (DEADLINE + SECOND, False)]
)
def test_submit_around_the_deadline(complete_entry, author, moment, accepted):
    if accepted:
        services.entry_submit(entry=complete_entry, by=author, now=moment)
    else:
        with pytest.raises(SubmissionError) as refusal:
            services.entry_submit(entry=complete_entry, by=author, now=moment)
        assert "deadline passed on 25 January 2021, 23:00 Geneva time (UTC+1)" in refusal.value.message
    complete_entry.refresh_from_db()
    assert complete_entry.status == ("submitted" if accepted else "draft")
    assert complete_entry.reference == ("PRZ-2021-00001" if accepted else "")


def test_submit_queues_receipt_through_outbox(complete_entry, author, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=complete_entry, by=author)

    email = OutboxEmail.objects.get()
    assert email.recipient == "stakeholder@example.org"
    assert email.subject == "Received: PRZ-2021-00001 - WSIS Prizes 2021"
    assert "PRZ-2021-00001" in email.body_text
    assert "PRZ-2021-00001" in email.body_html
    assert [message.to for message in mail.outbox] == [["stakeholder@example.org"]]


def test_submit_refuses_incomplete_draft_with_list(call, author):
    entry = PrizeEntryFactory(call=call, owner=author)
    with pytest.raises(SubmissionError) as refusal:
        services.entry_submit(entry=entry, by=author)
    assert refusal.value.missing[0] == "category"
    entry.refresh_from_db()
    assert entry.status == "draft"


def test_withdraw_frees_the_category_for_the_organisation(complete_entry, contest, categories, author, colleague):
    services.entry_submit(entry=complete_entry, by=author)

    services.entry_withdraw(entry=complete_entry, by=author)
    second = services.entry_start(contest=contest, by=colleague, category=categories[0])

    assert PrizeEntry.objects.get(pk=complete_entry.pk).status == "withdrawn"
    assert second.category == categories[0]


def test_withdraw_after_deadline_is_refused(complete_entry, author):
    services.entry_submit(entry=complete_entry, by=author)
    with pytest.raises(SubmissionError):
        services.entry_withdraw(entry=complete_entry, by=author, now=DEADLINE)
    assert PrizeEntry.objects.get(pk=complete_entry.pk).status == "submitted"


def test_prefill_from_a_plain_mapping(contest, author):
    government = StakeholderType.objects.get(slug="government")
    sdg = SustainableDevelopmentGoal.objects.get(number=4)
    source = {
        "title": "Digital schools",
        "description": "All about it.",
        "stakeholder_type_id": government.pk,
        "countries": ["PE", "BO"],
        "sdgs": [sdg.pk],
        "website": "https://schools.example.org",
        "partners": "Ministry of Education",
        "project_status": "completed",
    }

    values = services.prize_entry_prefill_from(source)
    entry = services.entry_start(contest=contest, by=author, prefill=values)

    assert values == {
        "title": "Digital schools",
        "full_description": "All about it.",
        "stakeholder_type_id": government.pk,
        "country": "PE",
        "website": "https://schools.example.org",
        "partnerships": "Ministry of Education",
        "completion_status": "completed",
        "sdgs": [sdg.pk],
    }
    assert (entry.title, entry.country.code, entry.stakeholder_type, entry.short_description) == (
        "Digital schools",
        "PE",
        government,
        "",
    )
    assert list(entry.sdgs.all()) == [sdg]


def test_prefill_skips_what_the_source_lacks():
    assert services.prize_entry_prefill_from({"title": "Only a title"}) == {"title": "Only a title"}
    assert services.prize_entry_prefill_from(object()) == {}
