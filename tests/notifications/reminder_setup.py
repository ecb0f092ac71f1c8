"""A call with a deadline of 20 March 2030, 23:00 Geneva time, and its drafts."""

from __future__ import annotations

import datetime as dt

import time_machine

from tests import factories
from tests.sampleapp.models import SampleEntry
from wsis_portal.accounts.models import User
from wsis_portal.editions.enums import CallKind, SubmissionStatus
from wsis_portal.notifications import reminders
from wsis_portal.notifications.models import ReminderRule

DEADLINE = dt.datetime(2030, 3, 20, 22, 0, tzinfo=dt.UTC)  # 23:00 in Geneva (UTC+1)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


def reminder_call(*, tenant, kind=CallKind.WORKSHOP, title="Workshops 2030", year=2030):
    # Created long before the deadline, so its default rules exist at their moments.
    edition = factories.EditionFactory(tenant=tenant, year=year)
    call = factories.CallFactory(edition=edition, kind=kind, title=title)
    factories.PhaseFactory(
        call=call, opens_at=dt.datetime(2030, 1, 10, tzinfo=dt.UTC), closes_at=DEADLINE, accepts_submissions=True
    )
    return call


def draft(*, call, owner, title="Digital skills", status=SubmissionStatus.DRAFT):
    return SampleEntry.objects.create(
        tenant=call.edition.tenant,
        call=call,
        owner=owner,
        organisation=owner.organisation,
        title=title,
        status=status,
    )


def owners_with_drafts(call, count: int, *, batch: int = 10_000) -> None:
    """``count`` accounts, each the owner of one draft in ``call``, written in
    bulk (the benchmarks' audiences)."""
    for start in range(0, count, batch):
        owners = User.objects.bulk_create(
            [
                User(email=f"owner-{index:07d}@example.org", first_name="Owner", last_name=f"{index}")
                for index in range(start, min(start + batch, count))
            ],
            batch_size=batch,
        )
        SampleEntry.objects.bulk_create(
            [
                SampleEntry(tenant=call.edition.tenant, call=call, owner=owner, title=f"Draft {owner.pk}")
                for owner in owners
            ],
            batch_size=batch,
        )


def rule(call, days: int) -> ReminderRule:
    return ReminderRule.objects.get(call=call, offset=dt.timedelta(days=days))


def only_rule(call, days: int) -> ReminderRule:
    """Keep the ``days`` rule of the call active, switch off the others."""
    ReminderRule.objects.filter(call=call).exclude(offset=dt.timedelta(days=days)).update(is_active=False)
    return rule(call, days)


def tick_at(moment: dt.datetime, capture) -> int:
    """The beat tick at ``moment``, with its on-commit fan-out run inline."""
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return reminders.reminders_tick()
