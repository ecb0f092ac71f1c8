"""Fan-out bookkeeping: each chunk of a run is recorded when the fan-out is
planned and marked done with its outbox rows; the tick queues again the chunks
(and fan-outs) whose message was lost, after a lease."""

import datetime as dt

import pytest
import time_machine

from tests.notifications.reminder_setup import DAY, DEADLINE, only_rule, reminder_call
from tests.sampleapp.models import SampleEntry
from wsis_portal.accounts.models import User
from wsis_portal.notifications import reminders, tasks
from wsis_portal.notifications.models import OutboxEmail, ReminderChunk, ReminderRun

MOMENT = DEADLINE - DAY
LEASE = dt.timedelta(seconds=120)


@pytest.fixture
def queued(monkeypatch, settings):
    """The chunk and fan-out messages the code under test publishes (not run)."""
    settings.REMINDER_CHUNK_SIZE = 2
    settings.REMINDER_LEASE_SECONDS = LEASE.total_seconds()
    messages = {"chunks": [], "fan_outs": []}
    monkeypatch.setattr(tasks.reminder_send_chunk, "delay", lambda **kwargs: messages["chunks"].append(kwargs))
    monkeypatch.setattr(tasks.reminder_fan_out, "delay", lambda **kwargs: messages["fan_outs"].append(kwargs))
    return messages


@pytest.fixture
def run(tenant):
    """A due run of the 1-day rule for five owners of drafts (three chunks of at most two)."""
    call = reminder_call(tenant=tenant)
    owners = User.objects.bulk_create([User(email=f"owner-{index}@example.org") for index in range(5)])
    SampleEntry.objects.bulk_create(
        [SampleEntry(tenant=tenant, call=call, owner=owner, title=f"Draft {owner.pk}") for owner in owners]
    )
    return ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE, started_at=MOMENT, queued_at=MOMENT)


def _fan_out(run) -> int:
    with time_machine.travel(MOMENT, tick=False):
        return reminders.reminder_fan_out(run_id=run.pk)


def _requeue(at: dt.datetime) -> tuple[int, int]:
    with time_machine.travel(at, tick=False):
        return reminders.requeue_lost_work(now=at)


def _run_chunks(messages, at=MOMENT) -> list[int]:
    with time_machine.travel(at, tick=False):
        return [reminders.reminder_send_chunk(**message) for message in messages]


def test_fan_out_records_chunks_and_each_chunk_marks_itself_done(run, queued):
    assert _fan_out(run) == 3

    chunks = list(ReminderChunk.objects.filter(run=run).values_list("after_pk", "last_pk", "done_at"))
    assert [(chunk["after_pk"], chunk["last_pk"]) for chunk in queued["chunks"]] == [c[:2] for c in chunks]
    assert [done_at for *_, done_at in chunks] == [None, None, None]
    run.refresh_from_db()
    assert (run.chunks, run.planned_at) == (3, MOMENT)

    assert _run_chunks(queued["chunks"]) == [2, 2, 1]
    assert list(ReminderChunk.objects.filter(run=run).values_list("done_at", flat=True)) == [MOMENT] * 3
    assert OutboxEmail.objects.filter(reminder_run=run).count() == 5


def test_fan_out_redelivered_plans_nothing_more(run, queued):
    _fan_out(run)
    assert _fan_out(run) == 0
    assert (ReminderChunk.objects.filter(run=run).count(), len(queued["chunks"])) == (3, 3)


def test_chunk_done_run_again_writes_nothing(run, queued):
    _fan_out(run)
    _run_chunks(queued["chunks"][:1])
    OutboxEmail.objects.all().delete()  # had the chunk run again, it would write them anew
    assert _run_chunks(queued["chunks"][:1]) == [0]
    assert OutboxEmail.objects.count() == 0


def test_chunk_not_done_is_queued_again_after_lease_once_per_lease(run, queued):
    _fan_out(run)
    first, *lost = queued["chunks"]
    _run_chunks([first])
    queued["chunks"].clear()

    assert _requeue(MOMENT + LEASE - dt.timedelta(seconds=1)) == (0, 0)
    assert _requeue(MOMENT + LEASE + dt.timedelta(seconds=1)) == (0, 2)
    assert queued["chunks"] == lost
    # Queued again just now: the next ticks of the same lease leave them.
    assert _requeue(MOMENT + LEASE + dt.timedelta(seconds=2)) == (0, 0)
    assert sorted(ReminderChunk.objects.values_list("queued_count", flat=True)) == [1, 2, 2]

    assert _run_chunks(queued["chunks"], at=MOMENT + LEASE) == [2, 1]
    assert OutboxEmail.objects.filter(reminder_run=run).count() == 5
    assert _requeue(MOMENT + 3 * LEASE) == (0, 0)


def test_reminders_tick_queues_lost_chunks_again(run, queued):
    _fan_out(run)
    with time_machine.travel(MOMENT + 2 * LEASE, tick=False):
        reminders.reminders_tick()
    assert len(queued["chunks"]) == 6


def test_lost_chunk_after_deadline_or_given_up_is_not_queued_again(run, queued):
    _fan_out(run)
    queued["chunks"].clear()
    assert _requeue(DEADLINE + dt.timedelta(seconds=1)) == (0, 0)

    ReminderChunk.objects.update(queued_count=reminders.MAX_CHUNK_QUEUES)
    assert _requeue(MOMENT + 2 * LEASE) == (0, 0)
    assert queued["chunks"] == []


def test_run_not_planned_is_fanned_out_again_after_lease(run, queued):
    assert _requeue(MOMENT + LEASE - dt.timedelta(seconds=1)) == (0, 0)
    assert _requeue(MOMENT + LEASE + dt.timedelta(seconds=1)) == (1, 0)
    assert queued["fan_outs"] == [{"run_id": run.pk}]
    assert _requeue(MOMENT + LEASE + dt.timedelta(seconds=2)) == (0, 0)

    _fan_out(run)
    assert _requeue(MOMENT + 5 * LEASE) == (0, 3)
    assert len(queued["fan_outs"]) == 1


def test_superseded_run_is_not_fanned_out_again(run, queued):
    ReminderRun.objects.filter(pk=run.pk).update(superseded=True)
    assert _requeue(MOMENT + 2 * LEASE) == (0, 0)


def test_fan_out_queues_the_sender_between_chunks(run, queued, monkeypatch):
    # So that a wave's first emails leave while the rest is written, not
    # behind every chunk in the queue (the chunks' own nudges come after them).
    order = []
    monkeypatch.setattr(tasks.reminder_send_chunk, "delay", lambda **kwargs: order.append("chunk"))
    monkeypatch.setattr(tasks.send_outbox, "delay", lambda **kwargs: order.append("sender"))
    assert _fan_out(run) == 3
    assert reminders.SENDER_EVERY_CHUNKS == 2
    assert order == ["chunk", "chunk", "sender", "chunk"]
