"""A real Celery worker and beat on Redis, against the test's PostgreSQL
database and a real SMTP server (aiosmtpd): the beat tick runs phase
boundaries exactly once, and a receipt email goes out through the broker."""

import datetime as dt

import pytest
from celery.signals import after_task_publish
from django.conf import settings
from django.utils import timezone

from tests import factories
from tests.sampleapp.models import BoundaryLog, SampleEntry
from wsis_portal.editions.enums import PhaseEventKind, SubmissionStatus
from wsis_portal.editions.models import PhaseEvent
from wsis_portal.editions.services import submission_submit
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not (settings.USING_POSTGRES and settings.USING_REDIS),
        reason="a real worker and beat need PostgreSQL and Redis, which are not reachable here",
    ),
    # The worker and beat are other processes: the test's rows must be committed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TICK = "editions.tick"


def _phase(*, tenant, key, opens_at, closes_at):
    call = factories.CallFactory(edition=factories.EditionFactory(tenant=tenant))
    return factories.PhaseFactory(call=call, key=key, opens_at=opens_at, closes_at=closes_at, accepts_submissions=False)


def _kinds(model, **filters):
    return sorted(model.objects.filter(**filters).values_list("kind" if model is PhaseEvent else "event", flat=True))


def test_worker_phase_boundary_runs_once_although_tick_runs_many_times(celery_processes, tenant):
    now = timezone.now()
    phase = _phase(
        tenant=tenant,
        key="sample-boundary",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(seconds=3),
    )

    closed = celery_processes.wait(
        lambda: PhaseEvent.objects.filter(phase=phase, kind=PhaseEventKind.CLOSED).first(),
        timeout=20,
        message="the closed event of the phase",
    )
    assert closed.boundary_at == phase.closes_at
    assert closed.ran_at >= phase.closes_at
    # Let the tick run several more times after the boundary passed.
    ticks_at_close = celery_processes.succeeded(TICK)
    celery_processes.wait(
        lambda: celery_processes.succeeded(TICK) >= ticks_at_close + 4, timeout=15, message="four more ticks"
    )

    assert _kinds(PhaseEvent, phase=phase) == ["closed", "opened"]
    assert _kinds(BoundaryLog, phase=phase) == ["closed", "opened"]


def test_worker_delivers_receipt_email_to_smtp_server(celery_processes, smtp_server, tenant, stakeholder):
    year = timezone.now().year
    call = factories.open_call(tenant=tenant, year=year)
    draft = SampleEntry.objects.create(
        tenant=tenant, call=call, owner=stakeholder, organisation=stakeholder.organisation, title="Digital skills"
    )
    published = []

    def record(sender, **kwargs):
        published.append(sender)

    after_task_publish.connect(record, weak=False)
    try:
        submitted = submission_submit(submission=draft, by=stakeholder)
    finally:
        after_task_publish.disconnect(record)
    reference = f"SMP-{year}-00001"
    assert (submitted.status, submitted.reference) == (SubmissionStatus.SUBMITTED, reference)
    # The commit of the submit sent the sender task to the broker (not inline).
    assert published == ["notifications.send_outbox"]

    [received] = celery_processes.wait(
        lambda: smtp_server.received, timeout=30, message="the receipt at the SMTP server"
    )
    assert received.rcpt_tos == ["stakeholder@example.org"]
    assert received.header("To") == "stakeholder@example.org"
    assert received.header("Subject") == f"Received: {reference} - {call.title}"
    assert [part.get_content_type() for part in received.message.iter_parts()] == ["text/plain", "text/html"]
    assert f"Reference number: {reference}\n" in received.text
    assert f"<strong>{reference}</strong>" in received.html
    celery_processes.wait(
        lambda: OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() == 1,
        timeout=10,
        message="the outbox row marked sent",
    )
    email = OutboxEmail.objects.get()
    assert (email.recipient, email.attempts, email.last_error) == ("stakeholder@example.org", 1, "")
    # Later ticks of the sender do not send it again.
    sends = celery_processes.succeeded("notifications.send_outbox")
    celery_processes.wait(
        lambda: celery_processes.succeeded("notifications.send_outbox") >= sends + 2,
        timeout=10,
        message="two more sender runs",
    )
    assert len(smtp_server.received) == 1


def test_worker_failing_boundary_does_not_block_others_and_is_retried(celery_processes, tenant):
    now = timezone.now()
    # The failing boundary is the older one, so it runs first on every tick.
    failing = _phase(
        tenant=tenant,
        key="sample-failing",
        opens_at=now - dt.timedelta(hours=3),
        closes_at=now - dt.timedelta(hours=2),
    )
    working = _phase(
        tenant=tenant,
        key="sample-boundary",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now - dt.timedelta(minutes=30),
    )
    failure = f"Phase boundary closed sample-failing (phase {failing.pk}) failed; it will be retried"

    celery_processes.wait(
        lambda: celery_processes.worker.count(failure) >= 3,
        timeout=20,
        message="the failing boundary to be tried three times",
    )
    assert celery_processes.worker.count("RuntimeError: side effect failed") >= 3
    assert _kinds(PhaseEvent, phase=working) == ["closed", "opened"]
    assert _kinds(BoundaryLog, phase=working) == ["closed", "opened"]
    # The failing boundary's event is not recorded, so the next tick tries again.
    assert _kinds(PhaseEvent, phase=failing) == ["opened"]
