"""Nomination services: who may score, and when; the ranked list; bulk
nominations within the quota; the end of the nomination phase."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from prizes.models import CategoryReviewer, Contest, Criterion, PrizeEntry, Score
from prizes.nomination import (
    NominationError,
    entries_nominate,
    entries_ranked,
    entries_unnominate,
    nominees_publish,
    score_record,
)
from tests import factories
from tests.prizes.conftest import GENEVA
from tests.prizes.factories import WORDS_170, PrizeEntryFactory
from wsis_portal.editions.engine import run_due_boundaries
from wsis_portal.notifications.models import OutboxEmail

DURING = dt.datetime(2021, 2, 10, 12, 0, tzinfo=GENEVA)
BEFORE = dt.datetime(2021, 1, 20, 12, 0, tzinfo=GENEVA)
AFTER = dt.datetime(2021, 2, 27, 0, 5, tzinfo=GENEVA)


@pytest.fixture(autouse=True)
def _nomination_clock(_frozen_clock):
    """The nomination phase is open (1 to 27 February 2021)."""
    with time_machine.travel(DURING, tick=False):
        yield


def make_entry(call, category, index, **values):
    owner = factories.UserFactory(email=f"owner{index}@example.org", first_name="Amina", last_name=f"Owner{index}")
    values.setdefault("status", "submitted")
    values.setdefault("reference", f"PRZ-2021-{index:05d}")
    return PrizeEntryFactory(
        call=call,
        category=category,
        owner=owner,
        organisation=None,
        title=f"Project {index}",
        short_description=WORDS_170,
        **values,
    )


@pytest.fixture
def category(categories):
    return categories[0]


@pytest.fixture
def criteria(contest):
    return list(Criterion.objects.filter(contest=contest))


@pytest.fixture
def entries(call, category):
    return [make_entry(call, category, index) for index in range(1, 4)]


@pytest.fixture
def assigned(category, reviewer):
    CategoryReviewer.objects.create(category=category, user=reviewer)
    return reviewer


@pytest.fixture
def small_quota(contest):
    Contest.objects.filter(pk=contest.pk).update(nomination_quota=2, champions_per_category=1)
    return 2


# --- scores ----------------------------------------------------------------------


def test_score_record_by_assigned_reviewer_replaces_earlier_score(entries, criteria, assigned):
    score_record(entry=entries[0], criterion=criteria[0], by=assigned, value=3, comment=" Good ")
    score_record(entry=entries[0], criterion=criteria[0], by=assigned, value=5, comment="Better")

    assert list(Score.objects.values_list("value", "comment")) == [(5, "Better")]
    assert Score.history.count() == 2


def test_score_record_refuses_reviewer_of_another_category(entries, criteria, categories, reviewer):
    CategoryReviewer.objects.create(category=categories[1], user=reviewer)

    with pytest.raises(NominationError) as error:
        score_record(entry=entries[0], criterion=criteria[0], by=reviewer, value=3)

    assert error.value.message == "You are not a reviewer of this category."
    assert Score.objects.count() == 0


def test_score_record_refuses_unassigned_manager(entries, criteria, manager):
    with pytest.raises(NominationError):
        score_record(entry=entries[0], criterion=criteria[0], by=manager, value=3)


def test_score_record_refuses_reviewer_outside_nomination_phase(entries, criteria, assigned):
    with pytest.raises(NominationError) as error:
        score_record(entry=entries[0], criterion=criteria[0], by=assigned, value=3, now=BEFORE)

    assert error.value.message == "Scores can be given during the nomination phase only."


def test_score_record_by_assigned_manager_outside_nomination_phase(entries, criteria, category, manager):
    CategoryReviewer.objects.create(category=category, user=manager)

    score = score_record(entry=entries[0], criterion=criteria[0], by=manager, value=4, now=AFTER)

    assert score.value == 4


@pytest.mark.parametrize("value", [-1, 6, True, "3", 2.5, None])
def test_score_record_refuses_values_outside_0_to_5(entries, criteria, assigned, value):
    with pytest.raises(NominationError) as error:
        score_record(entry=entries[0], criterion=criteria[0], by=assigned, value=value)

    assert error.value.message == "A score is a whole number from 0 to 5."
    assert Score.objects.count() == 0


@pytest.mark.parametrize("value", [0, 5])
def test_score_record_accepts_bounds(entries, criteria, assigned, value):
    assert score_record(entry=entries[0], criterion=criteria[0], by=assigned, value=value).value == value


def test_score_check_constraint_refuses_six(entries, criteria, assigned):
    with pytest.raises(IntegrityError):
        Score.objects.create(entry=entries[0], criterion=criteria[0], reviewer=assigned, value=6, updated_at=DURING)


def test_score_record_refuses_draft_entry(call, category, criteria, assigned):
    draft = make_entry(call, category, 9, status="draft", reference="")

    with pytest.raises(NominationError) as error:
        score_record(entry=draft, criterion=criteria[0], by=assigned, value=3)

    assert error.value.message == "Only submitted entries are scored."


def test_score_record_refuses_criterion_of_another_contest(entries, assigned, tenant):
    from tests.prizes.factories import ContestFactory

    foreign = Criterion.objects.create(contest=ContestFactory(edition__tenant=tenant, edition__year=2030), name="X")

    with pytest.raises(NominationError):
        score_record(entry=entries[0], criterion=foreign, by=assigned, value=3)


def test_category_reviewer_must_be_reviewer_or_manager_of_the_tenant(category, stakeholder, other_manager, manager):
    for user in (stakeholder, other_manager):
        with pytest.raises(ValidationError):
            CategoryReviewer(category=category, user=user).full_clean()
    CategoryReviewer(category=category, user=manager).full_clean()


# --- ranking ---------------------------------------------------------------------


def test_entries_ranked_by_average_in_one_query(
    entries, criteria, category, assigned, manager, django_assert_num_queries
):
    CategoryReviewer.objects.create(category=category, user=manager)
    score_record(entry=entries[0], criterion=criteria[0], by=assigned, value=2)
    score_record(entry=entries[0], criterion=criteria[1], by=manager, value=3)
    score_record(entry=entries[2], criterion=criteria[0], by=assigned, value=5)
    score_record(entry=entries[2], criterion=criteria[1], by=assigned, value=4)
    score_record(entry=entries[2], criterion=criteria[0], by=manager, value=3)

    with django_assert_num_queries(1):
        ranked = entries_ranked(category=category)

    assert [(entry.pk, entry.average_score, entry.score_count) for entry in ranked] == [
        (entries[2].pk, 4.0, 3),
        (entries[0].pk, 2.5, 2),
        (entries[1].pk, None, 0),
    ]


# --- nominations -----------------------------------------------------------------


def _nominated():
    return sorted(PrizeEntry.objects.filter(nominated_at__isnull=False).values_list("title", flat=True))


def test_manager_nominates_in_bulk_with_history(entries, manager):
    assert entries_nominate(entries=entries[:2], by=manager) == 2
    assert entries_nominate(entries=entries[:2], by=manager) == 0

    assert _nominated() == ["Project 1", "Project 2"]
    latest = PrizeEntry.history.filter(id=entries[0].pk).order_by("-history_id").first()
    assert (latest.nominated_at, latest.history_user, latest.history_change_reason) == (DURING, manager, "nominated")


def test_reviewer_may_not_nominate(entries, assigned):
    with pytest.raises(NominationError) as error:
        entries_nominate(entries=entries, by=assigned)

    assert error.value.message == "Only managers of the tenant may nominate."
    assert _nominated() == []


def test_nominate_refuses_draft_and_changes_nothing(call, category, entries, manager):
    draft = make_entry(call, category, 9, status="draft", reference="")

    with pytest.raises(NominationError) as error:
        entries_nominate(entries=[entries[0], draft], by=manager)

    assert error.value.message == "Only submitted entries can be nominated."
    assert _nominated() == []


def test_nominate_beyond_quota_is_refused_and_changes_nothing(entries, manager, small_quota, category):
    with pytest.raises(NominationError) as error:
        entries_nominate(entries=entries, by=manager)

    assert error.value.message == (
        f"{category} may have 2 nominees; it has 0 and you selected 3 more. Un-nominate some first or select fewer."
    )
    assert _nominated() == []


def test_nominate_counts_earlier_nominations_against_quota(entries, manager, small_quota):
    entries_nominate(entries=entries[:2], by=manager)

    with pytest.raises(NominationError):
        entries_nominate(entries=entries[2:], by=manager)

    assert _nominated() == ["Project 1", "Project 2"]
    assert entries_unnominate(entries=entries[:1], by=manager) == 1
    assert entries_nominate(entries=entries[2:], by=manager) == 1
    assert _nominated() == ["Project 2", "Project 3"]


def test_nominate_locks_the_category_row(entries, manager):
    with CaptureQueriesContext(connection) as queries:
        entries_nominate(entries=entries[:1], by=manager)

    locks = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    assert len(locks) == 1
    assert '"prizes_contestcategory"' in locks[0]


def test_nominations_cannot_change_once_public(entries, manager, contest):
    entries_nominate(entries=entries[:1], by=manager)
    nominees_publish(contest=contest)

    with pytest.raises(NominationError):
        entries_unnominate(entries=entries[:1], by=manager)
    with pytest.raises(NominationError):
        entries_nominate(entries=entries[1:2], by=manager)
    assert _nominated() == ["Project 1"]


# --- end of the nomination phase ----------------------------------------------------


def test_boundary_emails_every_nominee_once_and_publishes(
    entries, manager, contest, django_capture_on_commit_callbacks
):
    entries_nominate(entries=entries[:2], by=manager)

    with time_machine.travel(AFTER, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_due_boundaries()
        with django_capture_on_commit_callbacks(execute=True):
            run_due_boundaries()
            nominees_publish(contest=contest)

    contest.refresh_from_db()
    assert contest.nominees_published_at is not None
    assert sorted(
        OutboxEmail.objects.filter(dedup_key__startswith="prizes-nominated").values_list("recipient", flat=True)
    ) == ["owner1@example.org", "owner2@example.org"]
    sent = sorted((message for message in mail.outbox if message.subject.startswith("Nominated")), key=lambda m: m.to)
    assert [message.to for message in sent] == [["owner1@example.org"], ["owner2@example.org"]]
    message = sent[0]
    category = entries[0].category
    assert message.subject == "Nominated for the WSIS Prizes 2021: Project 1"
    sentence = (
        f'Congratulations: your project "Project 1" (PRZ-2021-00001) is nominated in the category '
        f'"{category}" of the WSIS Prizes 2021.'
    )
    assert message.body.startswith("Dear Amina Owner1,\n\n" + sentence + "\n\n")
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'Congratulations: your project "Project 1" (PRZ-2021-00001)' in html
