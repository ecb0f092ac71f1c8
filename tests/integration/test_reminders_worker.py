"""A due reminder goes out through a real Celery worker and beat to a real SMTP
server exactly once, with its one-click unsubscribe headers, although the
reminder tick runs every second."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from tests import factories
from tests.sampleapp.models import SampleEntry
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail, ReminderRule, ReminderRun

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not (settings.USING_POSTGRES and settings.USING_REDIS),
        reason="a real worker and beat need PostgreSQL and Redis, which are not reachable here",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TICK = "notifications.reminders_tick"


def test_worker_sends_due_reminder_once_with_unsubscribe_headers(celery_processes, smtp_server, tenant, stakeholder):
    now = timezone.now()
    call = factories.open_call(tenant=tenant, closes_at=now + dt.timedelta(days=2, hours=12))
    SampleEntry.objects.create(
        tenant=tenant, call=call, owner=stakeholder, organisation=stakeholder.organisation, title="Digital skills"
    )
    # The 3-day rule existed at its moment (half a day ago); the others are not due.
    ReminderRule.objects.filter(call=call, offset=dt.timedelta(days=3)).update(created_at=now - dt.timedelta(days=5))

    [received] = celery_processes.wait(lambda: smtp_server.received, timeout=45, message="the reminder by SMTP")
    assert received.rcpt_tos == ["stakeholder@example.org"]
    assert received.header("Subject") == f'Reminder: your draft for "{call.title}" is not submitted yet'
    assert received.header("List-Unsubscribe").startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/")
    assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert [part.get_content_type() for part in received.message.iter_parts()] == ["text/plain", "text/html"]

    ticks = celery_processes.succeeded(TICK)
    celery_processes.wait(lambda: celery_processes.succeeded(TICK) >= ticks + 3, timeout=20, message="3 more ticks")
    celery_processes.wait(
        lambda: OutboxEmail.objects.filter(status=OutboxStatus.SENT).count() == 1, timeout=10, message="sent"
    )
    assert len(smtp_server.received) == 1
    assert list(ReminderRun.objects.values_list("rule__offset", "superseded")) == [(dt.timedelta(days=3), False)]
