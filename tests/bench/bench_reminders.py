# ruff: noqa: F811  (fixtures imported from the notifications tests are used as parameters)
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

from tests.notifications.conftest import smtp_delivery, smtp_server  # noqa: F401 (fixtures)
from tests.notifications.reminder_setup import DAY, DEADLINE, only_rule, owners_with_drafts, reminder_call
from wsis_portal.notifications import reminders
from wsis_portal.notifications.models import OutboxEmail, ReminderRun

RECIPIENTS = int(os.environ.get("WSIS_BENCH_REMINDER_RECIPIENTS", "5000"))


@pytest.mark.django_db
def test_bench_reminder_fan_out(tenant, monkeypatch):
    call = reminder_call(tenant=tenant)
    owners_with_drafts(call, RECIPIENTS)
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)

    # The fan-out only: the chunk tasks are recorded, then timed one by one.
    queued = []
    from wsis_portal.notifications import tasks

    monkeypatch.setattr(tasks.reminder_send_chunk, "delay", lambda **kwargs: queued.append(kwargs))
    started = time.perf_counter()
    chunks = reminders.reminder_fan_out(run_id=run.pk)
    fan_out_ms = (time.perf_counter() - started) * 1000

    durations, queries, slowest = [], [], []
    with time_machine.travel(DEADLINE - DAY, tick=False):
        for kwargs in queued:
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                reminders.reminder_send_chunk(**kwargs)
            durations.append(time.perf_counter() - started)
            queries.append(len(captured))
            slowest.extend((float(query["time"]), query["sql"][:150]) for query in captured.captured_queries)
    written = OutboxEmail.objects.filter(dedup_key__startswith="reminder:").count()
    total = sum(durations)
    print(
        f"\nreminder fan-out: {RECIPIENTS} recipients, {chunks} chunks, fan-out {fan_out_ms:.0f} ms; "
        f"chunks {total:.1f} s in all ({written / total:.0f} emails/s on one process), "
        f"{max(durations) * 1000:.0f} ms per chunk at most, queries per chunk {sorted(set(queries))}; "
        f"500,000 recipients would be {500_000 / reminders.CHUNK_SIZE:.0f} chunks, "
        f"about {500_000 / (written / total) / 60:.0f} min on one worker process"
    )
    for seconds, sql in sorted(slowest, reverse=True)[:5]:
        print(f"  {seconds * 1000:.0f} ms  {sql}")
    assert written == RECIPIENTS


@pytest.mark.django_db
def test_bench_outbox_sending(tenant, smtp_delivery, settings, monkeypatch):
    """The sender alone: the outbox rows of a chunk, sent to a real SMTP server in this process."""
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    count = min(RECIPIENTS, 5000)
    call = reminder_call(tenant=tenant)
    owners_with_drafts(call, count)
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)
    from wsis_portal.notifications import services, tasks

    queued = []
    monkeypatch.setattr(tasks.reminder_send_chunk, "delay", lambda **kwargs: queued.append(kwargs))
    with time_machine.travel(DEADLINE - DAY, tick=False):
        reminders.reminder_fan_out(run_id=run.pk)
        for kwargs in queued:
            reminders.reminder_send_chunk(**kwargs)
        started = time.perf_counter()
        totals = services.outbox_send_due(budget_seconds=3600)
    seconds = time.perf_counter() - started
    print(
        f"\noutbox sending: {totals['sent']} emails in {seconds:.1f} s "
        f"({totals['sent'] / seconds:.0f} emails/s on one process, SMTP server in the same process), "
        f"batches of {settings.OUTBOX_BATCH_SIZE}"
    )
    assert totals["sent"] == count
