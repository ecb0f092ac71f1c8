"""Benchmark of the reminder fan-out; prints figures and asserts nothing about time.

Run: make bench   (or .venv/bin/pytest tests/bench/bench_reminders.py -s -q -p no:xdist)
WSIS_BENCH_REMINDER_RECIPIENTS sets the audience size (default 5,000).
"""

import os
import time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.notifications.reminder_setup import DAY, DEADLINE, only_rule, reminder_call
from tests.sampleapp.models import SampleEntry
from wsis_portal.accounts.models import User
from wsis_portal.notifications import reminders
from wsis_portal.notifications.models import OutboxEmail, ReminderRun

RECIPIENTS = int(os.environ.get("WSIS_BENCH_REMINDER_RECIPIENTS", "5000"))


@pytest.mark.django_db
def test_bench_reminder_fan_out(tenant, monkeypatch):
    call = reminder_call(tenant=tenant)
    users = User.objects.bulk_create(
        [User(email=f"owner-{index}@example.org", first_name="Owner") for index in range(RECIPIENTS)], batch_size=5000
    )
    SampleEntry.objects.bulk_create(
        [SampleEntry(tenant=tenant, call=call, owner=user, title=f"Draft {user.pk}") for user in users],
        batch_size=5000,
    )
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)

    # The fan-out only: the chunk tasks are recorded, then timed one by one.
    queued = []
    from wsis_portal.notifications import tasks

    monkeypatch.setattr(tasks.reminder_send_chunk, "delay", lambda **kwargs: queued.append(kwargs))
    started = time.perf_counter()
    chunks = reminders.reminder_fan_out(run_id=run.pk)
    fan_out_ms = (time.perf_counter() - started) * 1000

    durations, queries = [], []
    with time_machine.travel(DEADLINE - DAY, tick=False):
        for kwargs in queued:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                reminders.reminder_send_chunk(**kwargs)
            durations.append(time.perf_counter() - started)
            queries.append(len(captured))
    written = OutboxEmail.objects.filter(dedup_key__startswith="reminder:").count()
    total = sum(durations)
    print(
        f"\nreminder fan-out: {RECIPIENTS} recipients, {chunks} chunks, fan-out {fan_out_ms:.0f} ms; "
        f"chunks {total:.1f} s in all ({written / total:.0f} emails/s on one process), "
        f"{max(durations) * 1000:.0f} ms per chunk at most, queries per chunk {sorted(set(queries))}; "
        f"500,000 recipients would be {500_000 / reminders.CHUNK_SIZE:.0f} chunks, "
        f"about {500_000 / (written / total) / 60:.0f} min on one worker process"
    )
    assert written == RECIPIENTS
