"""Nominees without an account: reached by address, in the portal's default
language, with a signed unsubscribe link that stores the refusal per address."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests import factories
from tests.notifications.reminder_setup import DAY, DEADLINE, reminder_call
from wsis_portal.notifications import reminders, tasks
from wsis_portal.notifications.enums import NewsKind, OutboxStatus
from wsis_portal.notifications.models import AddressNewsRefusal, OutboxEmail, ReminderChunk, ReminderRule, ReminderRun
from wsis_portal.notifications.services import outbox_claim, outbox_deliver
from wsis_portal.notifications.unsubscribe import address_unsubscribe_token, read_token

pytestmark = pytest.mark.django_db

MOMENT = DEADLINE - DAY


@pytest.fixture
def nominations(tenant):
    from tests.ocp.factories import HltfNominationFactory

    call = reminder_call(tenant=tenant, kind="hltf")
    factories.UserFactory(email="member@example.org", first_name="Mina", preferred_language="fr")
    HltfNominationFactory(call=call, nominee_email="Member@Example.org", status="submitted")
    HltfNominationFactory(call=call, nominee_email="Outside@Example.org", status="submitted")
    HltfNominationFactory(call=call, nominee_email="accepted@example.org", status="accepted")
    HltfNominationFactory(call=call, nominee_email="draft@example.org")
    rule = ReminderRule.objects.create(call=call, offset=DAY, audience="nominees")
    return call, rule


def _fan_out_and_write(rule, monkeypatch) -> ReminderRun:
    queued = []
    monkeypatch.setattr(tasks.reminder_send_chunk, "delay", lambda **kwargs: queued.append(kwargs))
    run = ReminderRun.objects.create(rule=rule, deadline=DEADLINE, started_at=MOMENT, queued_at=MOMENT)
    with time_machine.travel(MOMENT, tick=False):
        reminders.reminder_fan_out(run_id=run.pk)
        for message in queued:
            reminders.reminder_send_chunk(**message)
    return run


def test_nominees_without_account_get_the_reminder_in_the_default_language(nominations, monkeypatch):
    _call, rule = nominations
    run = _fan_out_and_write(rule, monkeypatch)

    rows = {row.recipient: row for row in OutboxEmail.objects.filter(reminder_run=run)}
    assert sorted(rows) == ["accepted@example.org", "member@example.org", "outside@example.org"]
    assert (rows["member@example.org"].user.email, rows["member@example.org"].language) == ("member@example.org", "fr")
    outside = rows["outside@example.org"]
    assert (outside.user, outside.language) == (None, "en")
    assert outside.body_text.startswith("Dear outside@example.org,")
    token = outside.headers["List-Unsubscribe"].rstrip("/>").rsplit("/", 1)[1]
    assert read_token(token) == (None, "outside@example.org", rule.call.edition.tenant_id, NewsKind.REMINDERS)
    assert f"/notifications/unsubscribe/{token}/" in outside.body_text
    assert list(ReminderChunk.objects.filter(run=run).values_list("after_pk", "done_at")) == [
        (reminders.ADDRESS_CHUNK, MOMENT),
        (0, MOMENT),
    ]


def test_address_chunk_run_twice_writes_each_email_once(nominations, monkeypatch):
    _call, rule = nominations
    run = _fan_out_and_write(rule, monkeypatch)
    ReminderChunk.objects.filter(run=run).update(done_at=None)
    with time_machine.travel(MOMENT, tick=False):
        reminders.reminder_send_chunk(run_id=run.pk, after_pk=reminders.ADDRESS_CHUNK, last_pk=reminders.ADDRESS_CHUNK)
    assert OutboxEmail.objects.filter(reminder_run=run, user=None).count() == 2


def test_address_unsubscribe_one_click_stores_the_refusal_and_stops_the_reminder(nominations, monkeypatch, tenant):
    _call, rule = nominations
    token = address_unsubscribe_token(email="Outside@Example.org", tenant_id=tenant.pk, kind=NewsKind.REMINDERS)
    url = reverse("notifications:unsubscribe", kwargs={"token": token})
    client = Client(enforce_csrf_checks=True)
    assert "outside@example.org" in client.get(url).content.decode()
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    with scopes_disabled():
        assert list(AddressNewsRefusal.objects.values_list("email", "tenant_id", "kind")) == [
            ("outside@example.org", tenant.pk, NewsKind.REMINDERS)
        ]

    run = _fan_out_and_write(rule, monkeypatch)
    assert sorted(OutboxEmail.objects.filter(reminder_run=run).values_list("recipient", flat=True)) == [
        "accepted@example.org",
        "member@example.org",
    ]


def test_address_reminder_cancelled_when_the_nominee_unsubscribed_before_sending(nominations, monkeypatch, tenant):
    _call, rule = nominations
    run = _fan_out_and_write(rule, monkeypatch)
    AddressNewsRefusal.objects.create(email="outside@example.org", tenant=tenant, kind=NewsKind.REMINDERS)
    with time_machine.travel(MOMENT, tick=False):
        counts = outbox_deliver(email_ids=outbox_claim(now=MOMENT, limit=10), now=MOMENT)
    assert (counts["sent"], counts["cancelled"]) == (2, 1)
    assert OutboxEmail.objects.get(reminder_run=run, recipient="outside@example.org").status == OutboxStatus.CANCELLED


def test_nominee_who_creates_an_account_is_reached_once_as_a_user(nominations, monkeypatch):
    _call, rule = nominations
    factories.UserFactory(email="outside@example.org")
    run = _fan_out_and_write(rule, monkeypatch)
    rows = OutboxEmail.objects.filter(reminder_run=run, recipient="outside@example.org")
    assert [row.user is not None for row in rows] == [True]


def test_preview_counts_nominees_without_account(nominations):
    _call, rule = nominations
    with time_machine.travel(MOMENT, tick=False):
        preview = reminders.reminder_preview(rule=rule)
    assert preview.count == 3


def test_address_reminder_still_sent_when_the_nominee_made_an_account_after_it_was_written(nominations, monkeypatch):
    _call, rule = nominations
    run = _fan_out_and_write(rule, monkeypatch)
    factories.UserFactory(email="outside@example.org")
    with time_machine.travel(MOMENT, tick=False):
        counts = outbox_deliver(email_ids=outbox_claim(now=MOMENT, limit=10), now=MOMENT)
    assert counts["sent"] == 3
    assert OutboxEmail.objects.get(reminder_run=run, recipient="outside@example.org").status == OutboxStatus.SENT
