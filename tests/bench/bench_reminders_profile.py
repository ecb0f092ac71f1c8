# ruff: noqa: F811  (fixtures imported from the notifications tests are used as parameters)
"""Where the CPU of a reminder goes, in one process: ``cProfile`` of the chunk
tasks (rendering and writing the outbox) and of the sender (its own thread and
the SMTP lanes' threads, merged). Prints the top functions; asserts only that
everything was written and sent. Not part of ``make test``.

Run: WSIS_BENCH_REMINDER_RECIPIENTS=3000 .venv/bin/pytest tests/bench/bench_reminders_profile.py -s -q -p no:xdist
"""

import cProfile
import io
import logging
import os
import pstats
import time

import pytest
import time_machine

from tests.notifications.conftest import smtp_delivery, smtp_server  # noqa: F401 (fixtures)
from tests.notifications.reminder_setup import DAY, DEADLINE, only_rule, owners_with_drafts, reminder_call
from wsis_portal.notifications import reminders, services
from wsis_portal.notifications.models import OutboxEmail, ReminderRun

RECIPIENTS = int(os.environ.get("WSIS_BENCH_REMINDER_RECIPIENTS", "3000"))
TOP = int(os.environ.get("WSIS_BENCH_PROFILE_TOP", "25"))


def _print(title: str, stats: pstats.Stats) -> None:
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    print(f"\n=== {title} ===\n{out.getvalue()}")


@pytest.mark.django_db
def test_profile_reminder_write_and_send(tenant, smtp_delivery, monkeypatch):
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    call = reminder_call(tenant=tenant)
    owners_with_drafts(call, RECIPIENTS)
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)
    from wsis_portal.notifications import tasks

    queued = []
    monkeypatch.setattr(tasks.reminder_send_chunk, "delay", lambda **kwargs: queued.append(kwargs))
    monkeypatch.setattr(tasks.send_outbox, "delay", lambda **kwargs: None)
    with time_machine.travel(DEADLINE - DAY, tick=False):
        reminders.reminder_fan_out(run_id=run.pk)
        profile = cProfile.Profile(time.thread_time)
        started = time.perf_counter()
        profile.enable()
        for kwargs in queued:
            reminders.reminder_send_chunk(**kwargs)
        profile.disable()
        write_seconds = time.perf_counter() - started
        assert OutboxEmail.objects.count() == RECIPIENTS
        _print(f"writing {RECIPIENTS} in {write_seconds:.2f} s", pstats.Stats(profile))

        lane_profiles = []
        send_lane = services._send_lane

        def profiled_lane(*args, **kwargs):
            lane = cProfile.Profile(time.thread_time)
            lane.enable()
            try:
                return send_lane(*args, **kwargs)
            finally:
                lane.disable()
                lane_profiles.append(lane)

        monkeypatch.setattr(services, "_send_lane", profiled_lane)
        profile = cProfile.Profile(time.thread_time)
        started = time.perf_counter()
        profile.enable()
        totals = services.outbox_send_due(budget_seconds=3600)
        profile.disable()
        send_seconds = time.perf_counter() - started
    _print(f"sending {totals} in {send_seconds:.2f} s: the task's thread", pstats.Stats(profile))
    stats = pstats.Stats(lane_profiles[0])
    for lane in lane_profiles[1:]:
        stats.add(lane)
    _print("sending: the SMTP lanes' threads, merged", stats)
    assert totals["sent"] == RECIPIENTS
