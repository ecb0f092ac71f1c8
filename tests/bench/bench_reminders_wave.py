"""A whole reminder wave through the real tasks: N owners of drafts (500,000 by
default), two Celery worker processes on Redis and beat on PostgreSQL, and a
local SMTP sink counting the messages each recipient receives (in a process of
its own: bench_reminders_sink.py). Prints the time
to write the outbox, the time until every email is delivered, messages per
second per worker process, each worker's memory at several points, duplicates
and misses (both must be 0: there are no faults here). Asserts nothing about
time; it is not part of ``make test``.

Run (its own database; 15-20 minutes at 500,000 on a shared 2-core machine):

    TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/wsis_bench_wave \\
    WSIS_BENCH_WAVE_RECIPIENTS=20000 \\
    .venv/bin/pytest tests/bench/bench_reminders_wave.py -s -q -p no:xdist

Workers: two ``celery worker --pool=prefork --concurrency=1`` processes (each
a parent and one child that runs the tasks), with the production defaults
(chunks of 1,000, outbox batches of ``OUTBOX_BATCH_SIZE``, a 120 s lease).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests import factories
from tests.integration.celery_processes import CeleryProcesses, flush_broker
from tests.notifications.reminder_setup import owners_with_drafts
from tests.notifications.smtp_server import free_port
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail, ReminderChunk, ReminderRule, ReminderRun

RECIPIENTS = int(os.environ.get("WSIS_BENCH_WAVE_RECIPIENTS", "500000"))
WORKERS = 2
# Redis database 0 is the test cache, 1-15 the integration tests' brokers: a queue of our own on 15.
BROKER_DB = 15
TIMEOUT_SECONDS = int(os.environ.get("WSIS_BENCH_WAVE_TIMEOUT", "5400"))

pytestmark = [
    pytest.mark.skipif(
        not (settings.USING_POSTGRES and settings.USING_REDIS), reason="the wave needs PostgreSQL and Redis"
    ),
    pytest.mark.django_db(transaction=True),
]


class Sink:
    """The SMTP sink (bench_reminders_sink.py) in a process of its own, counting
    the messages each recipient receives."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.port = free_port()
        self.popen = subprocess.Popen(  # noqa: S603 (our own interpreter and script)
            [sys.executable, str(Path(__file__).with_name("bench_reminders_sink.py")), str(self.port), str(folder)],
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self.popen.stdout.readline().strip()
        self.popen.stdout.close()
        assert ready == "ready"

    def snapshot(self) -> tuple[int, int]:
        """(messages, distinct recipients), as of the sink's last second."""
        try:
            messages, distinct = (self.folder / "progress").read_text().split()
        except (OSError, ValueError):
            return 0, 0
        return int(messages), int(distinct)

    def counts(self) -> dict[str, int]:
        """Stops the sink: what each recipient received."""
        self.popen.send_signal(signal.SIGTERM)
        self.popen.wait(timeout=60)
        return json.loads((self.folder / "counts.json").read_text())

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=10)


def _memory(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in MiB; (0, 0) once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    values = {key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) // 1024 for key in ("VmRSS", "VmHWM")}
    return values["VmRSS"], values["VmHWM"]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _sender_totals(output: str) -> int:
    """Emails a worker reports sent (the sender task's returned counts in its log)."""
    return sum(
        int(sent)
        for sent in re.findall(r"notifications\.send_outbox\[[^\]]+\] succeeded in [^:]+: \{'sent': (\d+)", output)
    )


def test_bench_reminder_wave(tenant, tmp_path):
    started = time.monotonic()
    now = timezone.now()
    call = factories.open_call(tenant=tenant, closes_at=now + dt.timedelta(days=2, hours=12))
    ReminderRule.objects.filter(call=call).exclude(offset=dt.timedelta(days=3)).update(is_active=False)
    owners_with_drafts(call, RECIPIENTS)
    setup_seconds = time.monotonic() - started

    sink = Sink(tmp_path / "sink")
    broker_url = re.sub(r"/\d*$", f"/{BROKER_DB}", settings.TEST_REDIS_URL)
    flush_broker(broker_url)
    processes = CeleryProcesses(
        base_dir=settings.BASE_DIR,
        log_dir=tmp_path,
        database_name=settings.DATABASES["default"]["NAME"],
        broker_url=broker_url,
        email_url=f"smtp://127.0.0.1:{sink.port}",
        settings_module="tests.bench.bench_reminders_wave_settings",
        extra_env={"WSIS_TEST_QUEUE": f"wsis-wave-{uuid.uuid4().hex[:8]}", "DJANGO_DEBUG": "false"},
    )
    samples: list[str] = []
    try:
        for index in range(WORKERS):
            processes.spawn_worker(f"worker-{index}", pool=("--pool=prefork", "--concurrency=1"))
        processes.wait(
            lambda: all(" ready." in processes.processes[f"worker-{i}"].output() for i in range(WORKERS)),
            timeout=120,
            message="the workers to be ready",
        )
        # The rule's moment was half a day ago, and it existed then: the next tick starts it.
        ReminderRule.objects.filter(call=call, offset=dt.timedelta(days=3)).update(
            created_at=now - dt.timedelta(days=5)
        )
        processes.spawn_beat("beat")
        wave_started = time.monotonic()
        run = processes.wait(
            lambda: ReminderRun.objects.filter(rule__call=call).first(), timeout=120, message="the run started"
        )
        written_at = delivered_at = None
        last_print = 0.0
        while time.monotonic() - wave_started < TIMEOUT_SECONDS:
            processes._check_alive()
            elapsed = time.monotonic() - wave_started
            if written_at is None:
                run.refresh_from_db()
                if run.planned_at and not ReminderChunk.objects.filter(run=run, done_at__isnull=True).exists():
                    written_at = elapsed
            messages, distinct = sink.snapshot()
            if distinct >= RECIPIENTS and delivered_at is None:
                delivered_at = elapsed
                break
            if elapsed - last_print >= 15:
                last_print = elapsed
                memory = []
                for index in range(WORKERS):
                    parent = processes.processes[f"worker-{index}"].popen.pid
                    memory.append(
                        " + ".join(
                            f"{rss}/{hwm}" for rss, hwm in (_memory(pid) for pid in [parent, *_children(parent)])
                        )
                    )
                line = (
                    f"  {elapsed:6.0f} s: outbox {OutboxEmail.objects.count():>7}, received {messages:>7}; "
                    f"worker RSS/peak MiB (parent + child): " + "; ".join(memory)
                )
                samples.append(line)
                print(line, flush=True)
            time.sleep(1)
        assert delivered_at is not None, f"not every email delivered within {TIMEOUT_SECONDS} s"
        # Anything sent twice would arrive within a few sender runs: wait for them.
        time.sleep(10)
        final_memory = []
        for index in range(WORKERS):
            parent = processes.processes[f"worker-{index}"].popen.pid
            final_memory.append([_memory(pid) for pid in [parent, *_children(parent)]])
        sent_by = [_sender_totals(processes.processes[f"worker-{i}"].output()) for i in range(WORKERS)]
        requeued = sum(
            count - 1 for count in ReminderChunk.objects.filter(run=run).values_list("queued_count", flat=True)
        )
        statuses = dict(Counter(OutboxEmail.objects.values_list("status", flat=True)))
        counts = sink.counts()
    finally:
        processes.stop()
        sink.stop()
        flush_broker(broker_url)

    expected = {f"owner-{index:07d}@example.org" for index in range(RECIPIENTS)}
    duplicates = sum(count - 1 for count in counts.values() if count > 1)
    misses = len(expected - set(counts))
    print(
        f"\nREMINDER WAVE: {RECIPIENTS} recipients, {WORKERS} worker processes (prefork, concurrency 1 each), "
        f"{run.chunks} chunks of {settings.REMINDER_CHUNK_SIZE}, outbox batches of {settings.OUTBOX_BATCH_SIZE}; "
        f"setup {setup_seconds:.0f} s\n"
        f"  outbox written {written_at:.0f} s after the run started ({RECIPIENTS / written_at:.0f} rows/s)\n"
        f"  all delivered {delivered_at:.0f} s after the run started: {RECIPIENTS / delivered_at:.0f} emails/s in all, "
        f"{RECIPIENTS / delivered_at / WORKERS:.0f} emails/s per worker process (writing and sending); "
        f"sent per worker {sent_by}\n"
        f"  worker memory at the end, (RSS, peak) MiB of parent and child: {final_memory}\n"
        f"  chunks queued again by the lease: {requeued}; outbox statuses {statuses}\n"
        f"  duplicates {duplicates}, misses {misses}"
    )
    assert (duplicates, misses) == (0, 0)
    assert statuses == {OutboxStatus.SENT: RECIPIENTS}
