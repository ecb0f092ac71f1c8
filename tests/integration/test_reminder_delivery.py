"""Delivery guarantees of reminders, each against a real Redis, a real Celery
worker and beat, and a real SMTP server (aiosmtpd):

(a) the worker is killed (SIGKILL) in the middle of a fan-out and another one
    started: every recipient gets the reminder; duplicates are at most the
    emails that were being sent when it died (counted and printed); and (a')
    killed in the middle of sending, while the SMTP server holds a message
    whose answer the sender waits for;
(b) a transient SMTP error (421) is retried with backoff and delivered; a
    permanent one (550) is not retried and shows as failed in the outbox admin;
(c) worker and beat stopped across a reminder's moment: it is sent when they
    return, once.

The worker runs ``tests.integration.settings_delivery`` (leases, claim timeout
and backoff of seconds) on a queue of its own in a Redis database (1-7) that
the other worker tests do not use; the test process publishes nothing to it.
"""

import datetime as dt
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.integration import settings_delivery
from tests.integration.celery_processes import CeleryProcesses, publishing_to, wait_until
from tests.notifications.smtp_server import PERMANENT_ANSWER, SERVICE_UNAVAILABLE_ANSWER
from tests.sampleapp.models import SampleEntry
from wsis_portal.accounts.models import User
from wsis_portal.celery import app as celery_app
from wsis_portal.notifications import services
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail, ReminderChunk, ReminderRule, ReminderRun

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not (settings.USING_POSTGRES and settings.USING_REDIS),
        reason="a real worker and beat need PostgreSQL and Redis, which are not reachable here",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TICK = "notifications.reminders_tick"
SEND = "notifications.send_outbox"
# Redis database 0 is the test cache and 8-15 the other worker tests' brokers.
FIRST_DELIVERY_DB, DELIVERY_DBS = 1, 7


def delivery_broker_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    parts = urlsplit(settings.TEST_REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{FIRST_DELIVERY_DB + index % DELIVERY_DBS}", "", ""))


def drop_queue(broker_url: str, queue: str) -> None:
    """Remove this test's queue (and its priority lists and bindings), nobody else's."""
    client = redis.Redis.from_url(broker_url)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def delivery(transactional_db, smtp_server, tmp_path):
    """A worker and a beat on this test's database, its own queue and the SMTP server."""
    broker_url = delivery_broker_url()
    queue = f"wsis-delivery-{uuid.uuid4().hex[:12]}"
    processes = CeleryProcesses(
        base_dir=settings.BASE_DIR,
        log_dir=tmp_path,
        database_name=settings.DATABASES["default"]["NAME"],
        broker_url=broker_url,
        email_url=smtp_server.url,
        settings_module="tests.integration.settings_delivery",
        extra_env={"WSIS_TEST_QUEUE": queue},
    )
    try:
        processes.start()
        processes.wait_until_ready(timeout=60)
        # What the test process would publish (the sender's nudges) goes nowhere:
        # beat queues the sender every second, and nothing runs inline here.
        with publishing_to(celery_app, "memory://"):
            yield processes
    finally:
        processes.stop()
        print(processes.report())
        drop_queue(broker_url, queue)


def _reminder_due_now(*, tenant, emails: list[str]) -> ReminderRule:
    """A call whose 3-day reminder is due from now on, to owners of drafts with ``emails``."""
    now = timezone.now()
    call = factories.open_call(tenant=tenant, closes_at=now + dt.timedelta(days=2, hours=12))
    owners = User.objects.bulk_create([User(email=email, first_name="Owner") for email in emails])
    SampleEntry.objects.bulk_create(
        [SampleEntry(tenant=tenant, call=call, owner=owner, title=f"Draft {owner.pk}") for owner in owners]
    )
    # Last, so that the tick finds the whole audience: the rule existed at its moment (half a day ago).
    ReminderRule.objects.filter(call=call, offset=dt.timedelta(days=3)).update(created_at=now - dt.timedelta(days=5))
    return ReminderRule.objects.get(call=call, offset=dt.timedelta(days=3))


def _chunks_in_progress(run) -> set[int]:
    """The chunks whose task holds their row lock now (they are writing their emails)."""
    with transaction.atomic():
        pending = ReminderChunk.objects.filter(run=run, done_at__isnull=True)
        free = set(pending.select_for_update(skip_locked=True).values_list("pk", flat=True))
        return set(pending.values_list("pk", flat=True)) - free


def _one_chunk_being_written(run) -> set[int]:
    locked = _chunks_in_progress(run)
    return locked if len(locked) == 1 else set()


def _sent_count() -> int:
    return OutboxEmail.objects.filter(status=OutboxStatus.SENT).count()


def test_worker_killed_mid_fan_out_every_recipient_gets_reminder_without_duplicates(delivery, smtp_server, tenant):
    emails = [f"owner-{index:04d}@example.org" for index in range(200)]
    rule = _reminder_due_now(tenant=tenant, emails=emails)
    run = delivery.wait(
        lambda: ReminderRun.objects.filter(rule=rule, planned_at__isnull=False).first(),
        timeout=60,
        message="the fan-out planned",
    )
    assert run.chunks == 20

    # Kill the worker (the whole process group, no warning) once a few chunks are
    # written and while it writes another (one chunk row locked; the tick's
    # requeue locks all the pending ones at once): that chunk's message dies
    # with it, and only the lease brings it back.
    writing = wait_until(
        lambda: (
            ReminderChunk.objects.filter(run=run, done_at__isnull=False).count() >= 3 and _one_chunk_being_written(run)
        ),
        timeout=60,
        interval=0.01,
        message="three chunks done and one being written",
    )
    delivery.end("worker", kill=True)
    done_at_kill = ReminderChunk.objects.filter(run=run, done_at__isnull=False).count()
    in_flight = OutboxEmail.objects.filter(status=OutboxStatus.SENDING).count()
    sent_at_kill = _sent_count()
    # Its chunk is lost, unless it committed in the instant between the look and the kill.
    lost = set(ReminderChunk.objects.filter(pk__in=writing, done_at__isnull=True).values_list("pk", flat=True))
    assert done_at_kill < run.chunks, "the worker must die in the middle of the fan-out"

    delivery.spawn_worker("worker-2")
    delivery.wait(
        lambda: (
            _sent_count() == len(emails) and len({mail.rcpt_tos[0] for mail in smtp_server.received}) == len(emails)
        ),
        timeout=120,
        message="every reminder sent",
    )
    # Anything sent twice would have arrived by now: every row is "sent", none is being sent.
    received = [mail.rcpt_tos[0] for mail in smtp_server.received]
    duplicates = len(received) - len(set(received))
    requeued = sum(count - 1 for count in ReminderChunk.objects.filter(run=run).values_list("queued_count", flat=True))
    print(
        f"\nFAULT (a) SIGKILL mid fan-out: {len(emails)} recipients in {run.chunks} chunks; killed with "
        f"{done_at_kill} chunks done, {len(lost)} being written, {sent_at_kill} emails sent and {in_flight} "
        "being sent; "
        f"chunks queued again by the lease: {requeued}; received {len(received)}, "
        f"missing {len(emails) - len(set(received))}, duplicates {duplicates}"
    )
    assert sorted(set(received)) == emails
    assert duplicates <= in_flight
    assert OutboxEmail.objects.filter(reminder_run=run).count() == len(emails)
    assert ReminderChunk.objects.filter(run=run, done_at__isnull=True).count() == 0


def test_worker_killed_mid_sending_every_recipient_gets_reminder_duplicates_at_most_in_flight(
    delivery, smtp_server, tenant
):
    # A slow SMTP server (0.2 s before each "250"), so that the kill lands while
    # the sender waits for an answer: the message is taken, its "sent" mark is not.
    smtp_server.answer_slowly(0.2)
    emails = [f"owner-{index:04d}@example.org" for index in range(60)]
    rule = _reminder_due_now(tenant=tenant, emails=emails)
    run = delivery.wait(
        lambda: ReminderRun.objects.filter(rule=rule, planned_at__isnull=False).first(),
        timeout=60,
        message="the fan-out planned",
    )
    wait_until(
        lambda: _sent_count() >= 5 and smtp_server.answering >= 1,
        timeout=90,
        interval=0.01,
        message="five emails sent and one (or one per connection) waiting for the server's answer",
    )
    delivery.end("worker", kill=True)
    in_flight = OutboxEmail.objects.filter(status=OutboxStatus.SENDING).count()
    sent_at_kill = _sent_count()
    received_at_kill = len(smtp_server.received)
    queued_at_kill = OutboxEmail.objects.filter(status=OutboxStatus.QUEUED).count()
    assert 0 < sent_at_kill < len(emails), "the worker must die in the middle of sending"
    assert in_flight >= 1

    delivery.spawn_worker("worker-2")
    # The rows left "sending" are claimed again after the claim timeout (8 s here).
    delivery.wait(lambda: _sent_count() == len(emails), timeout=120, message="every reminder marked sent")
    received = [mail.rcpt_tos[0] for mail in smtp_server.received]
    duplicates = len(received) - len(set(received))
    print(
        f"\nFAULT (a') SIGKILL mid sending: {len(emails)} recipients; killed with {sent_at_kill} marked sent, "
        f"{received_at_kill} received by the server, {in_flight} being sent (claimed), {queued_at_kill} queued; "
        f"received {len(received)}, missing {len(emails) - len(set(received))}, duplicates {duplicates}"
    )
    assert sorted(set(received)) == emails
    assert duplicates <= in_flight
    # Only the messages the server took while the sender waited for their
    # answer or for their "sent" mark to be committed can come twice...
    assert duplicates <= received_at_kill - sent_at_kill
    # ... and the sender never runs further ahead of its committed marks than
    # one message per connection plus UNMARKED_LIMIT (the marks go in groups).
    assert received_at_kill - sent_at_kill <= (
        services.smtp_connections(settings_delivery.OUTBOX_BATCH_SIZE) + services.UNMARKED_LIMIT
    )
    # And it comes with the same Message-ID (made from its dedup key): mailboxes
    # that drop a Message-ID they already hold show it once.
    for address in {address for address in received if received.count(address) > 1}:
        copies = {mail.header("Message-ID") for mail in smtp_server.received if mail.rcpt_tos[0] == address}
        assert len(copies) == 1
    assert OutboxEmail.objects.filter(reminder_run=run, status=OutboxStatus.SENT).count() == len(emails)


def test_smtp_421_retried_with_backoff_and_550_failed_once_shown_in_outbox(
    delivery, smtp_server, tenant, admin_client_for, manager
):
    ok, busy, gone = "ok@example.org", "busy@example.org", "gone@example.org"
    smtp_server.refuse(busy, SERVICE_UNAVAILABLE_ANSWER, times=1)
    smtp_server.refuse(gone, PERMANENT_ANSWER)
    _reminder_due_now(tenant=tenant, emails=[ok, busy, gone])

    def statuses():
        return dict(OutboxEmail.objects.values_list("recipient", "status"))

    delivery.wait(
        lambda: statuses() == {ok: OutboxStatus.SENT, busy: OutboxStatus.SENT, gone: OutboxStatus.FAILED},
        timeout=60,
        message="two reminders sent and one failed",
    )
    # Later runs of the sender try nobody again.
    sends = delivery.succeeded(SEND)
    delivery.wait(lambda: delivery.succeeded(SEND) >= sends + 3, timeout=30, message="three more sender runs")

    answers = [(attempt.address, attempt.answer[:3]) for attempt in smtp_server.attempts]
    assert [answer for answer in answers if answer[0] == busy] == [(busy, "421"), (busy, "250")]
    assert [answer for answer in answers if answer[0] == gone] == [(gone, "550")]
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.received) == [busy, ok]
    refused, accepted = (attempt.at for attempt in smtp_server.attempts if attempt.address == busy)
    # The backoff (OUTBOX_RETRY_BASE_SECONDS = 1 here, 30 in production) before the second try.
    assert accepted - refused >= 1.0
    rows = {row.recipient: row for row in OutboxEmail.objects.all()}
    assert (rows[busy].attempts, rows[busy].last_error) == (2, "")
    assert (rows[gone].attempts, rows[gone].status) == (1, OutboxStatus.FAILED)
    assert "550" in rows[gone].last_error and "No such user here" in rows[gone].last_error

    response = admin_client_for(manager).get(
        reverse("admin:notifications_outboxemail_changelist"), {"status__exact": OutboxStatus.FAILED}
    )
    assert [row.recipient for row in response.context["cl"].result_list] == [gone]
    assert "No such user here" in response.content.decode()


def test_workers_stopped_across_reminder_moment_send_it_once_when_back(delivery, smtp_server, tenant, stakeholder):
    delivery.end("worker")
    delivery.end("beat")
    moment = timezone.now() + dt.timedelta(seconds=3)
    # The 1-day rule's moment is 3 s from now; the 3- and 14-day ones passed before they existed.
    call = factories.open_call(tenant=tenant, closes_at=moment + dt.timedelta(days=1))
    SampleEntry.objects.create(
        tenant=tenant, call=call, owner=stakeholder, organisation=stakeholder.organisation, title="Digital skills"
    )
    wait_until(lambda: timezone.now() > moment + dt.timedelta(seconds=1), timeout=10, message="the moment to pass")
    assert (ReminderRun.objects.count(), smtp_server.received) == (0, [])

    delivery.spawn_worker("worker-2")
    delivery.spawn_beat("beat-2")
    [received] = delivery.wait(lambda: smtp_server.received, timeout=60, message="the reminder by SMTP")
    assert received.rcpt_tos == ["stakeholder@example.org"]
    assert received.header("Subject") == f'Reminder: your draft for "{call.title}" is not submitted yet'

    ticks = delivery.succeeded(TICK)
    delivery.wait(lambda: delivery.succeeded(TICK) >= ticks + 3, timeout=30, message="three more ticks")
    delivery.wait(lambda: _sent_count() == 1, timeout=10, message="the reminder marked sent")
    assert len(smtp_server.received) == 1
    assert list(ReminderRun.objects.values_list("rule__offset", "superseded")) == [(dt.timedelta(days=1), False)]
