"""The submit service: deadlines to the second, in the edition's time zone."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core import mail

from tests import factories
from tests.sampleapp.models import SampleEntry
from wsis_portal.editions.enums import SubmissionStatus
from wsis_portal.editions.services import SubmissionError, submission_submit, submission_withdraw

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")


def _draft(*, call, owner, title="Digital skills for rural women"):
    return SampleEntry.objects.create(
        tenant=call.edition.tenant, call=call, owner=owner, organisation=owner.organisation, title=title
    )


@pytest.fixture
def prizes_call(tenant):
    # WSIS Prizes 2021: last submission 25 January 2021, 23:00 Geneva time (UTC+1).
    return factories.open_call(
        tenant=tenant,
        year=2021,
        opens_at=dt.datetime(2020, 11, 5, 0, 0, tzinfo=GENEVA),
        closes_at=dt.datetime(2021, 1, 25, 23, 0, tzinfo=GENEVA),
    )


def test_submit_one_second_before_deadline_is_accepted(prizes_call, stakeholder, django_capture_on_commit_callbacks):
    draft = _draft(call=prizes_call, owner=stakeholder)
    with time_machine.travel(dt.datetime(2021, 1, 25, 22, 59, 59, tzinfo=GENEVA), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            submitted = submission_submit(submission=draft, by=stakeholder)
    assert submitted.status == SubmissionStatus.SUBMITTED
    assert submitted.reference == "SMP-2021-00001"
    assert submitted.submitted_at == dt.datetime(2021, 1, 25, 21, 59, 59, tzinfo=dt.UTC)
    assert [message.to for message in mail.outbox] == [["stakeholder@example.org"]]
    assert mail.outbox[0].subject == f"Received: SMP-2021-00001 - {prizes_call.title}"
    assert "25 January 2021, 22:59 Geneva time (UTC+1)" in mail.outbox[0].body
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    assert "SMP-2021-00001" in mail.outbox[0].alternatives[0][0]


@pytest.mark.parametrize(
    "moment",
    [dt.datetime(2021, 1, 25, 23, 0, 0, tzinfo=GENEVA), dt.datetime(2021, 1, 25, 23, 0, 1, tzinfo=GENEVA)],
    ids=["at", "after"],
)
def test_submit_at_or_after_deadline_is_refused_and_draft_kept(prizes_call, stakeholder, moment):
    draft = _draft(call=prizes_call, owner=stakeholder)
    before = SampleEntry.objects.values().get(pk=draft.pk)
    with time_machine.travel(moment, tick=False):
        with pytest.raises(SubmissionError) as refusal:
            submission_submit(submission=draft, by=stakeholder)
    assert refusal.value.message == (
        "The deadline passed on 25 January 2021, 23:00 Geneva time (UTC+1); "
        "your draft is kept but can no longer be submitted."
    )
    assert SampleEntry.objects.values().get(pk=draft.pk) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("moment", "accepted"),
    [
        # Summer time ends at 03:00 CEST on 31 October 2021: 02:30 happens twice.
        (dt.datetime(2021, 10, 31, 0, 59, 59, tzinfo=dt.UTC), True),  # 02:59:59 CEST, one second before
        (dt.datetime(2021, 10, 31, 1, 0, 0, tzinfo=dt.UTC), False),  # 02:00 CET: the deadline instant
        (dt.datetime(2021, 10, 31, 1, 30, 0, tzinfo=dt.UTC), False),  # 02:30 CET, the second 02:30
    ],
    ids=["before", "at", "after"],
)
def test_deadline_across_daylight_saving_change(tenant, stakeholder, moment, accepted):
    # The deadline is 03:00 CEST = 01:00 UTC, entered as Geneva wall time.
    deadline = dt.datetime(2021, 10, 31, 2, 0, fold=1, tzinfo=GENEVA)
    assert deadline.astimezone(dt.UTC) == dt.datetime(2021, 10, 31, 1, 0, tzinfo=dt.UTC)
    call = factories.open_call(
        tenant=tenant, year=2022, opens_at=dt.datetime(2021, 10, 1, tzinfo=GENEVA), closes_at=deadline
    )
    draft = _draft(call=call, owner=stakeholder)
    with time_machine.travel(moment, tick=False):
        if accepted:
            assert submission_submit(submission=draft, by=stakeholder).status == SubmissionStatus.SUBMITTED
        else:
            with pytest.raises(SubmissionError):
                submission_submit(submission=draft, by=stakeholder)
            draft.refresh_from_db()
            assert draft.status == SubmissionStatus.DRAFT


def test_submit_before_phase_opens_is_refused(prizes_call, stakeholder):
    draft = _draft(call=prizes_call, owner=stakeholder)
    with time_machine.travel(dt.datetime(2020, 11, 4, 23, 59, 59, tzinfo=GENEVA), tick=False):
        with pytest.raises(SubmissionError, match="This call opens on 5 November 2020, 00:00 Geneva time"):
            submission_submit(submission=draft, by=stakeholder)


def test_submit_incomplete_lists_what_is_missing(prizes_call, stakeholder):
    draft = _draft(call=prizes_call, owner=stakeholder, title="")
    with time_machine.travel(dt.datetime(2021, 1, 10, tzinfo=GENEVA), tick=False):
        with pytest.raises(SubmissionError) as refusal:
            submission_submit(submission=draft, by=stakeholder)
    assert refusal.value.missing == ["Title"]


def test_submit_by_someone_else_is_refused(prizes_call, stakeholder):
    draft = _draft(call=prizes_call, owner=stakeholder)
    intruder = factories.UserFactory()
    with time_machine.travel(dt.datetime(2021, 1, 10, tzinfo=GENEVA), tick=False):
        with pytest.raises(SubmissionError, match="Only the owner"):
            submission_submit(submission=draft, by=intruder)


def test_organisation_extension_moves_only_that_organisations_deadline(prizes_call, stakeholder):
    factories.DeadlineExtensionFactory(
        call=prizes_call,
        organisation=stakeholder.organisation,
        closes_at=dt.datetime(2021, 1, 27, 23, 0, tzinfo=GENEVA),
    )
    other = factories.UserFactory(organisation=factories.OrganisationFactory())
    late = dt.datetime(2021, 1, 26, 12, 0, tzinfo=GENEVA)
    with time_machine.travel(late, tick=False):
        assert submission_submit(submission=_draft(call=prizes_call, owner=stakeholder), by=stakeholder).reference
        with pytest.raises(SubmissionError):
            submission_submit(submission=_draft(call=prizes_call, owner=other), by=other)


def test_whole_call_extension_moves_everyones_deadline(prizes_call, stakeholder):
    factories.DeadlineExtensionFactory(call=prizes_call, closes_at=dt.datetime(2021, 1, 27, 23, 0, tzinfo=GENEVA))
    with time_machine.travel(dt.datetime(2021, 1, 27, 22, 59, 59, tzinfo=GENEVA), tick=False):
        assert submission_submit(submission=_draft(call=prizes_call, owner=stakeholder), by=stakeholder).reference


def test_reference_numbers_count_per_tenant_and_year(prizes_call, stakeholder, other_tenant):
    other_call = factories.open_call(
        tenant=other_tenant,
        year=2021,
        opens_at=dt.datetime(2020, 11, 5, tzinfo=GENEVA),
        closes_at=dt.datetime(2021, 1, 25, 23, 0, tzinfo=GENEVA),
    )
    with time_machine.travel(dt.datetime(2021, 1, 10, tzinfo=GENEVA), tick=False):
        first = submission_submit(submission=_draft(call=prizes_call, owner=stakeholder), by=stakeholder)
        second = submission_submit(submission=_draft(call=prizes_call, owner=stakeholder), by=stakeholder)
        elsewhere = submission_submit(submission=_draft(call=other_call, owner=stakeholder), by=stakeholder)
    assert [first.reference, second.reference, elsewhere.reference] == [
        "SMP-2021-00001",
        "SMP-2021-00002",
        "SMP-2021-00001",
    ]


def test_submitting_twice_is_refused(prizes_call, stakeholder):
    draft = _draft(call=prizes_call, owner=stakeholder)
    stale_copy = SampleEntry.objects.get(pk=draft.pk)
    with time_machine.travel(dt.datetime(2021, 1, 10, tzinfo=GENEVA), tick=False):
        submission_submit(submission=draft, by=stakeholder)
        with pytest.raises(SubmissionError, match="changed in another window"):
            submission_submit(submission=stale_copy, by=stakeholder)
    assert SampleEntry.objects.get(pk=draft.pk).reference == "SMP-2021-00001"


def test_withdraw_before_deadline_then_not_after(prizes_call, stakeholder):
    draft = _draft(call=prizes_call, owner=stakeholder)
    with time_machine.travel(dt.datetime(2021, 1, 10, tzinfo=GENEVA), tick=False):
        submitted = submission_submit(submission=draft, by=stakeholder)
        withdrawn = submission_withdraw(submission=submitted, by=stakeholder)
    assert withdrawn.status == SubmissionStatus.WITHDRAWN
    second = _draft(call=prizes_call, owner=stakeholder)
    with time_machine.travel(dt.datetime(2021, 1, 10, tzinfo=GENEVA), tick=False):
        submission_submit(submission=second, by=stakeholder)
    with time_machine.travel(dt.datetime(2021, 1, 25, 23, 0, tzinfo=GENEVA), tick=False):
        with pytest.raises(SubmissionError):
            submission_withdraw(submission=second, by=stakeholder)


def test_receipt_is_written_in_the_owners_language(prizes_call, stakeholder, django_capture_on_commit_callbacks):
    stakeholder.preferred_language = "fr"
    stakeholder.save()
    draft = _draft(call=prizes_call, owner=stakeholder)
    with time_machine.travel(dt.datetime(2021, 1, 25, 22, 59, 59, tzinfo=GENEVA), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            submission_submit(submission=draft, by=stakeholder)
    # The date is formatted in French; the sentence around it awaits its translation.
    assert "25 janvier 2021, 22:59" in mail.outbox[0].body
