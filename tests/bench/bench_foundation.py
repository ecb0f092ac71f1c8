"""Benchmarks of the foundation; they print figures and assert nothing about time.

Run: make bench   (or .venv/bin/pytest tests/bench/bench_foundation.py -s -q)
Not part of make test: pytest only collects test_*.py there.
"""

import datetime as dt
import logging
import socket
import statistics
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from wsis_portal.editions.enums import CallKind
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.notifications.services import email_enqueue, outbox_send_due


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Counter:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def _report(name, samples, unit="ms"):
    print(
        f"\n{name}: median {statistics.median(samples):.1f} {unit}, "
        f"p95 {sorted(samples)[int(len(samples) * 0.95) - 1]:.1f} {unit}, n={len(samples)}"
    )


@pytest.mark.django_db
def test_bench_tenant_home(client, tenant):
    edition = factories.EditionFactory(tenant=tenant)
    now = timezone.now()
    for kind in CallKind.values:
        call = factories.CallFactory(edition=edition, kind=kind)
        for index in range(5):
            factories.PhaseFactory(
                call=call,
                key=f"phase-{index}",
                opens_at=now + dt.timedelta(days=index * 30 - 10),
                closes_at=now + dt.timedelta(days=index * 30 + 20),
            )
    for index in range(10):
        factories.MeetingFactory(edition=edition)
    client.get("/wsis/")  # warm the template cache
    samples = []
    for _ in range(50):
        started = time.perf_counter()
        response = client.get("/wsis/")
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get("/wsis/")
    _report(f"tenant home, 9 calls x 5 phases + 10 meetings ({len(queries)} queries)", samples)


@pytest.mark.django_db(transaction=True)
def test_bench_outbox_enqueue_and_delivery(settings, tenant):
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    handler = _Counter()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.OUTBOX_DELIVERY = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "HOST": "127.0.0.1",
        "PORT": port,
        "TIMEOUT": 10,
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False  # measure the sender on its own
    settings.CELERY_BROKER_URL = "memory://"
    count = 2000
    try:
        started = time.perf_counter()
        with transaction.atomic():  # as a reminder wave does: one sender nudge per transaction
            for index in range(count):
                email_enqueue(
                    recipient=f"person{index}@example.org",
                    subject="Reminder",
                    body_text="The deadline is near.",
                    body_html="<p>The deadline is near.</p>",
                    dedup_key=f"bench:{index}",
                    tenant=tenant,
                )
        enqueue_seconds = time.perf_counter() - started
        started = time.perf_counter()
        totals = outbox_send_due(budget_seconds=600)
        send_seconds = time.perf_counter() - started
    finally:
        controller.stop()
    assert totals["sent"] == count
    assert OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() == count
    print(
        f"\noutbox: enqueue {count / enqueue_seconds:.0f} emails/s, "
        f"delivery to a local SMTP server {count / send_seconds:.0f} emails/s (one sender, {count} emails), "
        f"received {handler.received}"
    )
