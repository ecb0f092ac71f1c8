"""Selection services: the tally (valid votes only, ties at the cut-off
flagged, once), the engine's catch-up, the experts' rankings, the Winner
among the Champions, and the announcement with its emails."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from prizes.enums import VoteStatus
from prizes.models import CategoryExpert, Champion, Contest, ContestResults, ExpertRanking, Vote, Winner
from prizes.selection import (
    SelectionError,
    ranking_record,
    rankings_aggregate,
    results_announce,
    tally_run,
    winner_confirm,
)
from tests import factories
from tests.prizes.conftest import GENEVA
from tests.prizes.factories import WORDS_170, PrizeEntryFactory
from wsis_portal.editions.engine import run_due_boundaries
from wsis_portal.editions.models import PhaseEvent
from wsis_portal.notifications.models import OutboxEmail

VOTING_DURING = dt.datetime(2021, 3, 15, 12, 0, tzinfo=GENEVA)
VOTING_CLOSES = dt.datetime(2021, 3, 31, 23, 0, tzinfo=GENEVA)
SELECTION = dt.datetime(2021, 4, 5, 12, 0, tzinfo=GENEVA)
SELECTION_CLOSED = dt.datetime(2021, 4, 13, 0, 0, tzinfo=GENEVA)
ANNOUNCED = dt.datetime(2021, 5, 17, 0, 5, tzinfo=GENEVA)


@pytest.fixture(autouse=True)
def _selection_clock(_frozen_clock):
    """The votes are closed and the selection phase is open (1 to 13 April 2021)."""
    with time_machine.travel(SELECTION, tick=False):
        yield


def make_nominee(call, category, index, *, owner_language="en", **values):
    owner = factories.UserFactory(
        email=f"owner{index}@example.org",
        first_name="Amina",
        last_name=f"Owner{index}",
        preferred_language=owner_language,
    )
    values.setdefault("status", "submitted")
    values.setdefault("reference", f"PRZ-2021-{index:05d}")
    values.setdefault("nominated_at", dt.datetime(2021, 2, 20, tzinfo=GENEVA))
    return PrizeEntryFactory(
        call=call,
        category=category,
        owner=owner,
        organisation=factories.OrganisationFactory(name=f"Organisation {index}"),
        title=f"Project {index}",
        short_description=WORDS_170,
        full_description=f"The full story of project {index}.",
        **values,
    )


_voters = iter(range(10**6))


def cast_votes(entry, count, *, status=VoteStatus.VALID, at=VOTING_DURING):
    """``count`` votes for ``entry`` from new voters, written directly."""
    votes = []
    for _ in range(count):
        voter = factories.UserFactory(email=f"voter{next(_voters)}@example.org")
        votes.append(Vote(category=entry.category, entry=entry, voter=voter, cast_at=at, status=status))
    Vote.objects.bulk_create(votes)


def seats(contest, count):
    Contest.objects.filter(pk=contest.pk).update(champions_per_category=count)
    contest.refresh_from_db()


def champions_of(category):
    return [
        (champion.entry.title, champion.votes, champion.rank, champion.tie_at_cutoff)
        for champion in Champion.objects.filter(category=category).select_related("entry")
    ]


@pytest.fixture
def category(categories):
    return categories[0]


@pytest.fixture
def nominees(call, category):
    return [make_nominee(call, category, index) for index in range(1, 5)]


@pytest.fixture
def tallied(contest, category, nominees):
    """Projects 1 (5 votes), 2 (4) and 3 (3) are the Champions of ``category``; 4 (1) is not."""
    seats(contest, 3)
    for entry, count in zip(nominees, [5, 4, 3, 1], strict=True):
        cast_votes(entry, count)
    tally_run(contest=contest)
    return list(Champion.objects.filter(category=category).select_related("entry"))


@pytest.fixture
def assigned_expert(category, expert):
    CategoryExpert.objects.create(category=category, user=expert)
    return expert


# --- the tally -------------------------------------------------------------------


def test_tally_counts_valid_votes_only(contest, category, nominees):
    seats(contest, 2)
    first, second, third, fourth = nominees
    cast_votes(first, 5)
    cast_votes(second, 3)
    cast_votes(second, 10, status=VoteStatus.QUARANTINED)
    cast_votes(third, 4)
    cast_votes(third, 5, status=VoteStatus.VOIDED)
    cast_votes(fourth, 1)

    made = tally_run(contest=contest)

    assert made == 2
    assert champions_of(category) == [("Project 1", 5, 1, False), ("Project 3", 4, 2, False)]


def test_tally_flags_every_entry_tied_at_the_cutoff(contest, category, nominees):
    seats(contest, 2)
    for entry, count in zip(nominees, [5, 3, 3, 1], strict=True):
        cast_votes(entry, count)

    tally_run(contest=contest)

    assert champions_of(category) == [
        ("Project 1", 5, 1, False),
        ("Project 2", 3, 2, True),
        ("Project 3", 3, 2, True),
    ]


def test_tally_tie_above_the_cutoff_is_not_flagged(contest, category, nominees):
    seats(contest, 3)
    for entry, count in zip(nominees, [5, 5, 3, 1], strict=True):
        cast_votes(entry, count)

    tally_run(contest=contest)

    assert champions_of(category) == [
        ("Project 1", 5, 1, False),
        ("Project 2", 5, 1, False),
        ("Project 3", 3, 3, False),
    ]


def test_tally_leaves_out_nominees_without_valid_votes_and_other_entries(call, contest, category, nominees):
    seats(contest, 3)
    cast_votes(nominees[0], 2)
    cast_votes(nominees[1], 4, status=VoteStatus.QUARANTINED)
    not_nominated = make_nominee(call, category, 9, nominated_at=None)
    cast_votes(not_nominated, 7)

    tally_run(contest=contest)

    assert champions_of(category) == [("Project 1", 2, 1, False)]


def test_tally_runs_once(contest, category, nominees):
    seats(contest, 2)
    for entry, count in zip(nominees, [5, 4, 3, 1], strict=True):
        cast_votes(entry, count)
    assert tally_run(contest=contest) == 2
    tallied_at = ContestResults.objects.get(contest=contest).tallied_at
    # A vote voided later changes nothing: the Champions were made once.
    Vote.objects.filter(entry=nominees[0]).update(status=VoteStatus.VOIDED)

    assert tally_run(contest=contest) == 0

    assert champions_of(category) == [("Project 1", 5, 1, False), ("Project 2", 4, 2, False)]
    assert ContestResults.objects.get(contest=contest).tallied_at == tallied_at


def test_tally_locks_the_contest_row(contest, category, nominees):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cast_votes(nominees[0], 1)

    with CaptureQueriesContext(connection) as queries:
        tally_run(contest=contest)

    locks = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    assert len(locks) == 1
    assert 'FROM "prizes_contest"' in locks[0] and 'FOR UPDATE OF "prizes_contest"' in locks[0]


def test_tally_refused_before_the_voting_closes(contest, category, nominees):
    cast_votes(nominees[0], 3)

    with time_machine.travel(VOTING_CLOSES - dt.timedelta(seconds=1), tick=False):
        with pytest.raises(SelectionError, match="once the public online voting has closed"):
            tally_run(contest=contest)

    assert Champion.objects.count() == 0
    assert not ContestResults.objects.filter(contest=contest, tallied_at__isnull=False).exists()


def test_tally_allowed_at_the_close_to_the_second(contest, category, nominees):
    cast_votes(nominees[0], 3)

    with time_machine.travel(VOTING_CLOSES, tick=False):
        assert tally_run(contest=contest) == 1


def test_boundary_runs_the_tally_once_when_the_workers_come_back(contest, category, nominees):
    """No tick ran around the close (workers stopped); a vote cast one second
    before the close counts. The first tick after they come back makes the
    Champions; a second tick, or the same boundary again, changes nothing."""
    seats(contest, 1)
    cast_votes(nominees[0], 2, at=VOTING_DURING)
    cast_votes(nominees[1], 2, at=VOTING_CLOSES - dt.timedelta(seconds=1))
    cast_votes(nominees[1], 1, at=VOTING_CLOSES - dt.timedelta(seconds=1))
    # Everything before the voting already ran while the workers were up.
    with time_machine.travel(VOTING_CLOSES - dt.timedelta(seconds=1), tick=False):
        run_due_boundaries()

    with time_machine.travel(VOTING_CLOSES + dt.timedelta(days=2), tick=False):
        # The close of the voting and the opening of the selection, caught up.
        assert run_due_boundaries() == 2
        assert run_due_boundaries() == 0

    assert champions_of(category) == [("Project 2", 3, 1, False)]
    assert PhaseEvent.objects.filter(phase__key="voting", kind="closed").count() == 1
    assert ContestResults.objects.get(contest=contest).tallied_at == VOTING_CLOSES + dt.timedelta(days=2)
    assert tally_run(contest=contest) == 0


def test_vote_at_the_close_is_refused_and_one_second_before_counted(contest, category, nominees):
    """Through the voting service: the vote one second before the close is
    counted by the tally, the one at the close refused."""
    from allauth.account.models import EmailAddress

    from prizes.voting import VotingError, vote_cast
    from prizes.voting_integrity import VoteSignals

    def voter(index):
        user = factories.UserFactory(email=f"late{index}@example.org")
        EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        return user

    signals = VoteSignals(user_agent="Mozilla/5.0", account_age_seconds=10**6)
    vote = vote_cast(
        category_id=category.pk,
        entry_id=nominees[2].pk,
        voter=voter(1),
        signals=signals,
        now=VOTING_CLOSES - dt.timedelta(seconds=1),
    )
    assert vote.status == VoteStatus.VALID
    with pytest.raises(VotingError):
        vote_cast(category_id=category.pk, entry_id=nominees[2].pk, voter=voter(2), signals=signals, now=VOTING_CLOSES)

    with time_machine.travel(VOTING_CLOSES + dt.timedelta(hours=1), tick=False):
        run_due_boundaries()

    assert champions_of(category) == [("Project 3", 1, 1, False)]


# --- the experts' rankings ---------------------------------------------------------


def test_expert_must_be_expert_or_manager_of_the_tenant(category, reviewer, expert, manager, other_manager):
    for allowed in (expert, manager):
        CategoryExpert(category=category, user=allowed).full_clean()
    for refused in (reviewer, other_manager):
        with pytest.raises(ValidationError):
            CategoryExpert(category=category, user=refused).full_clean()


def test_ranking_record_replaces_the_experts_earlier_ranking(tallied, category, assigned_expert):
    first, second, third = (champion.entry_id for champion in tallied)

    ranking_record(category=category, by=assigned_expert, ranked_entry_ids=[second, first, third])
    ranking_record(category=category, by=assigned_expert, ranked_entry_ids=[third, first, second], comment=" ok ")

    ranking = ExpertRanking.objects.get()
    assert ranking.ranked_entries == [third, first, second]
    assert ranking.comment == "ok"
    assert ranking.history.count() == 2


def test_ranking_record_refuses_an_expert_of_another_category(tallied, categories, expert):
    CategoryExpert.objects.create(category=categories[1], user=expert)

    with pytest.raises(SelectionError, match="not an expert of this category"):
        ranking_record(category=categories[0], by=expert, ranked_entry_ids=[c.entry_id for c in tallied])


@pytest.mark.parametrize("pick", ["missing", "duplicate", "stranger"])
def test_ranking_record_needs_each_champion_once(tallied, category, assigned_expert, nominees, pick):
    ids = [champion.entry_id for champion in tallied]
    ranked = {"missing": ids[:2], "duplicate": [ids[0], ids[0], ids[1]], "stranger": [*ids[:2], nominees[3].pk]}[pick]

    with pytest.raises(SelectionError, match="different place"):
        ranking_record(category=category, by=assigned_expert, ranked_entry_ids=ranked)
    assert ExpertRanking.objects.count() == 0


def test_ranking_record_refused_once_the_selection_closed(tallied, category, assigned_expert):
    with time_machine.travel(SELECTION_CLOSED, tick=False):
        with pytest.raises(SelectionError, match="until the selection phase closes"):
            ranking_record(category=category, by=assigned_expert, ranked_entry_ids=[c.entry_id for c in tallied])


def test_rankings_aggregate_orders_by_borda_points(tallied, category, expert, manager):
    first, second, third = (champion.entry_id for champion in tallied)
    for user in (expert, manager):
        CategoryExpert.objects.create(category=category, user=user)
    ranking_record(category=category, by=expert, ranked_entry_ids=[third, second, first])
    ranking_record(category=category, by=manager, ranked_entry_ids=[third, first, second])

    rows = rankings_aggregate(category=category)

    assert [(row.champion.entry_id, row.points, row.average_place, row.rankings) for row in rows] == [
        (third, 6, 1.0, 2),
        (first, 3, 2.5, 2),  # level on points: more votes first
        (second, 3, 2.5, 2),
    ]


# --- the Winner ------------------------------------------------------------------


def test_manager_confirms_a_winner_among_the_champions(tallied, category, manager):
    winner = winner_confirm(category=category, entry=tallied[1].entry, by=manager)

    assert winner.champion == tallied[1]
    assert winner.confirmed_by == manager
    # Confirming the same one again changes nothing.
    assert winner_confirm(category=category, entry=tallied[1].entry, by=manager) == winner


def test_winner_confirm_refuses_a_project_that_is_not_a_champion(tallied, category, manager, nominees):
    with pytest.raises(SelectionError, match="among the Champions"):
        winner_confirm(category=category, entry=nominees[3], by=manager)
    assert Winner.objects.count() == 0


def test_winner_confirm_refuses_a_second_winner(tallied, category, manager):
    winner_confirm(category=category, entry=tallied[0].entry, by=manager)

    with pytest.raises(SelectionError, match="already has a Winner: Project 1"):
        winner_confirm(category=category, entry=tallied[1].entry, by=manager)
    assert Winner.objects.get().champion == tallied[0]


def test_one_winner_per_category_is_a_database_constraint(tallied, category, manager):
    Winner.objects.create(category=category, champion=tallied[0], confirmed_by=manager, confirmed_at=SELECTION)

    with pytest.raises(IntegrityError):
        Winner.objects.create(category=category, champion=tallied[1], confirmed_by=manager, confirmed_at=SELECTION)


def test_winner_confirm_is_for_managers_only(tallied, category, assigned_expert, other_manager):
    for user in (assigned_expert, other_manager):
        with pytest.raises(SelectionError, match="Only managers"):
            winner_confirm(category=category, entry=tallied[0].entry, by=user)


def test_winner_cannot_change_after_the_announcement(tallied, category, contest, manager):
    results_announce(contest=contest)

    with pytest.raises(SelectionError, match="announced"):
        winner_confirm(category=category, entry=tallied[0].entry, by=manager)


# --- the announcement ----------------------------------------------------------------


def test_announcement_boundary_publishes_and_emails_winners_and_champions_once(
    tallied, category, contest, manager, django_capture_on_commit_callbacks
):
    winner_confirm(category=category, entry=tallied[0].entry, by=manager)
    owner = tallied[1].entry.owner
    owner.preferred_language = "fr"
    owner.save()

    with time_machine.travel(ANNOUNCED, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run_due_boundaries()
        with django_capture_on_commit_callbacks(execute=True):
            run_due_boundaries()
            assert results_announce(contest=contest) == 0

    assert ContestResults.objects.get(contest=contest).announced_at == ANNOUNCED
    assert sorted(
        OutboxEmail.objects.filter(dedup_key__regex=r"^prizes-(winner|champion):").values_list("dedup_key", "recipient")
    ) == sorted(
        [
            (f"prizes-winner:{tallied[0].entry_id}", "owner1@example.org"),
            (f"prizes-champion:{tallied[1].entry_id}", "owner2@example.org"),
            (f"prizes-champion:{tallied[2].entry_id}", "owner3@example.org"),
        ]
    )
    sent = [message for message in mail.outbox if message.subject.startswith(("Winner", "Champion"))]
    by_recipient = {message.to[0]: message for message in sent}
    assert sorted(by_recipient) == ["owner1@example.org", "owner2@example.org", "owner3@example.org"]
    assert len(sent) == 3
    winner_mail = by_recipient["owner1@example.org"]
    assert winner_mail.subject == "Winner of the WSIS Prizes 2021: Project 1"
    assert winner_mail.body.startswith(
        "Dear Amina Owner1,\n\n"
        f'Congratulations: your project "Project 1" (PRZ-2021-00001) is the Winner of the category "{category}" '
        "of the WSIS Prizes 2021."
    )
    html, mimetype = winner_mail.alternatives[0]
    assert mimetype == "text/html"
    assert "is the Winner of the category" in html
    champion_mail = by_recipient["owner3@example.org"]
    assert champion_mail.subject == "Champion of the WSIS Prizes 2021: Project 3"
    assert "is a Champion of the category" in champion_mail.alternatives[0][0]
    # Project 2's owner reads French: the email is rendered in French (the
    # catalogue may not translate the new strings yet, but the language is recorded).
    assert OutboxEmail.objects.get(dedup_key=f"prizes-champion:{tallied[1].entry_id}").language == "fr"
