"""One vote per voter and category under concurrency, through the real view
on PostgreSQL: in each round 20 threads, each with its own test client logged
in as the same voter, are released together by a barrier and post the same
vote. The unique constraint ``prizes_vote_once_per_category`` leaves exactly
one vote per round and every other request is told "already voted". The
second test drops the constraint and shows that duplicates then appear: the
constraint, not the view, is what holds."""

import threading
import time
import uuid

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Count
from django.test import Client

from prizes.models import Vote
from prizes.services import special_prize_add
from tests.prizes.test_voting import BROWSER, VOTING_NOW, make_nominees, make_voter, vote_url

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

THREADS = 20
ROUNDS = 50
ROUNDS_WITHOUT_CONSTRAINT = 5
THANKS = "Thank you: your vote is recorded."
ALREADY = "You have already voted in this category."


@pytest.fixture(autouse=True)
def _voting_clock(_frozen_clock):
    with time_machine.travel(VOTING_NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _race_settings(settings):
    # The race is about the constraint: no rate limit or address rule in the way.
    settings.PRIZES_VOTE_RATE_ACCOUNT = "1000000/h"
    settings.PRIZES_VOTE_RATE_ADDRESS = "1000000/h"
    settings.PRIZES_VOTE_MAX_PER_ADDRESS_HOUR = 1000000
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-race-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


def _arena(contest, call, rounds):
    """One special category with one nominee per round, and the voter."""
    targets = []
    for index in range(rounds):
        category = special_prize_add(contest=contest, name=f"Race {index}")
        targets.append((category, make_nominees(call, category, 1, start=index)[0]))
    return targets, make_voter("racer@example.org")


def _race(targets, voter) -> list[list[tuple[int, list[str]]]]:
    """Every round: THREADS identical posts released together; returns per
    round each request's status code and messages."""
    clients = []
    for _ in range(THREADS):
        client = Client()
        client.force_login(voter)
        clients.append(client)
    barrier = threading.Barrier(THREADS)
    results: list[list] = [[] for _ in targets]
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work(client):
        try:
            for number, (category, entry) in enumerate(targets):
                barrier.wait(timeout=60)
                response = client.post(vote_url(category), {"entry": entry.pk}, HTTP_USER_AGENT=BROWSER)
                said = [str(message) for message in get_messages(response.wsgi_request)._queued_messages]
                with lock:
                    results[number].append((response.status_code, said))
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    return results


def test_concurrent_identical_votes_leave_one_vote_per_round(contest, call):
    targets, voter = _arena(contest, call, ROUNDS)
    started = time.monotonic()

    results = _race(targets, voter)

    elapsed = time.monotonic() - started
    votes = Vote.objects.filter(voter=voter).values("category").annotate(count=Count("id"))
    per_category = dict(votes.values_list("category", "count"))
    assert per_category == {category.pk: 1 for category, _entry in targets}
    for round_results in results:
        assert len(round_results) == THREADS
        assert {status for status, _said in round_results} == {302}
        told = sorted(said[0] for _status, said in round_results)
        assert told == [THANKS] + [ALREADY] * (THREADS - 1)
    print(f"\n{ROUNDS} rounds of {THREADS} concurrent votes: one vote per round, {elapsed:.1f} s")


@pytest.fixture
def without_constraint():
    """Drops the unique constraint for the test, then restores it (after
    removing the duplicates the test made)."""
    constraint = next(c for c in Vote._meta.constraints if c.name == "prizes_vote_once_per_category")
    with connection.schema_editor() as editor:
        editor.remove_constraint(Vote, constraint)
    try:
        yield
    finally:
        Vote.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Vote, constraint)


def test_without_the_constraint_the_same_race_makes_duplicates(contest, call, without_constraint):
    targets, voter = _arena(contest, call, ROUNDS_WITHOUT_CONSTRAINT)

    results = _race(targets, voter)

    counts = sorted(
        Vote.objects.filter(voter=voter).values("category").annotate(count=Count("id")).values_list("count", flat=True)
    )
    duplicated_rounds = sum(1 for count in counts if count > 1)
    thanked = sum(1 for round_results in results for _status, said in round_results if said == [THANKS])
    print(f"\nwithout the constraint: votes per round {counts}, {thanked} requests thanked")
    assert duplicated_rounds == ROUNDS_WITHOUT_CONSTRAINT
    assert sum(counts) > ROUNDS_WITHOUT_CONSTRAINT
