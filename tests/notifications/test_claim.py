"""Claiming outbox rows: several senders never get the same row, and a row
left in "sending" by a crashed sender is taken up again after the claim timeout."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tests import factories
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.notifications.services import CLAIM_TIMEOUT, outbox_claim

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)

postgres_only = pytest.mark.skipif(
    not settings.USING_POSTGRES, reason="FOR UPDATE SKIP LOCKED needs PostgreSQL (not reachable here)"
)


def _in_thread(function, *args, **kwargs):
    """Run ``function`` in a thread with its own database connection; returns the thread and its result box."""
    box: dict = {}

    def run():
        try:
            box["result"] = function(*args, **kwargs)
        except BaseException as error:  # reported by the test
            box["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box


def test_claim_takes_due_rows_oldest_first_up_to_limit(tenant):
    rows = [
        factories.OutboxEmailFactory(tenant=tenant, next_attempt_at=NOW - dt.timedelta(minutes=minutes))
        for minutes in (1, 3, 2)
    ]
    factories.OutboxEmailFactory(tenant=tenant, next_attempt_at=NOW + dt.timedelta(seconds=1))
    factories.OutboxEmailFactory(tenant=tenant, status=OutboxStatus.SENT, next_attempt_at=NOW - dt.timedelta(hours=1))
    factories.OutboxEmailFactory(tenant=tenant, status=OutboxStatus.FAILED, next_attempt_at=NOW - dt.timedelta(hours=1))

    assert outbox_claim(now=NOW, limit=2) == [rows[1].pk, rows[2].pk]
    assert outbox_claim(now=NOW, limit=2) == [rows[0].pk]
    assert outbox_claim(now=NOW, limit=2) == []
    claimed = OutboxEmail.objects.filter(pk__in=[row.pk for row in rows])
    assert set(claimed.values_list("status", "attempts", "claimed_at")) == {(OutboxStatus.SENDING, 1, NOW)}


def test_claim_reclaims_stale_sending_row_after_timeout(tenant):
    stale = factories.OutboxEmailFactory(
        tenant=tenant, status=OutboxStatus.SENDING, attempts=1, claimed_at=NOW - CLAIM_TIMEOUT - dt.timedelta(seconds=1)
    )
    factories.OutboxEmailFactory(tenant=tenant, status=OutboxStatus.SENDING, attempts=1, claimed_at=NOW - CLAIM_TIMEOUT)
    factories.OutboxEmailFactory(
        tenant=tenant, status=OutboxStatus.SENDING, attempts=1, claimed_at=NOW - dt.timedelta(minutes=1)
    )

    assert outbox_claim(now=NOW, limit=10) == [stale.pk]
    stale.refresh_from_db()
    assert (stale.status, stale.attempts, stale.claimed_at) == (OutboxStatus.SENDING, 2, NOW)


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_claim_concurrent_claimers_never_get_the_same_rows(tenant):
    ids = [factories.OutboxEmailFactory(tenant=tenant).pk for _ in range(5)]
    now = timezone.now()
    holding, release = threading.Event(), threading.Event()

    def claim_and_hold():
        # The first sender claims and keeps its transaction (and row locks) open.
        with transaction.atomic():
            claimed = outbox_claim(now=now, limit=3)
            holding.set()
            release.wait(timeout=10)
        return claimed

    first, first_box = _in_thread(claim_and_hold)
    try:
        assert holding.wait(timeout=10)
        # The second sender does not wait for those locks: it skips the rows and takes the rest.
        second, second_box = _in_thread(outbox_claim, now=now, limit=10)
        second.join(timeout=10)
        assert not second.is_alive(), "the second claimer waited for the first one's locks"
    finally:
        release.set()
        first.join(timeout=10)
    assert "error" not in first_box and "error" not in second_box, (first_box, second_box)
    assert first_box["result"] == ids[:3]
    assert second_box["result"] == ids[3:]
    assert list(OutboxEmail.objects.order_by("pk").values_list("status", "attempts")) == [(OutboxStatus.SENDING, 1)] * 5


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_claim_racing_claimers_claim_each_row_once(tenant):
    ids = [factories.OutboxEmailFactory(tenant=tenant).pk for _ in range(40)]
    now = timezone.now()
    start = threading.Barrier(2, timeout=10)

    def claim_until_empty():
        start.wait()
        claimed = []
        while batch := outbox_claim(now=now, limit=3):
            claimed.extend(batch)
        return claimed

    threads = [_in_thread(claim_until_empty) for _ in range(2)]
    for thread, _box in threads:
        thread.join(timeout=30)
    results = [box["result"] for _thread, box in threads]
    assert sorted(results[0] + results[1]) == ids
    assert set(OutboxEmail.objects.values_list("attempts", flat=True)) == {1}
