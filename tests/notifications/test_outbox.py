"""The outbox against a real SMTP server: enqueue once, deliver both parts,
retry transient failures with backoff, give up on permanent ones."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core import mail

from tests import factories
from tests.notifications.smtp_server import PERMANENT_ANSWER, TRANSIENT_ANSWER, free_port
from wsis_portal.env import email_settings_from_url
from wsis_portal.notifications import services
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.notifications.services import email_enqueue, outbox_send_due, retry_delay

NOW = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
RECIPIENT = "amina@example.org"
TRANSIENT_ERROR = "SMTPRecipientsRefused: {'amina@example.org': (451, b'4.3.0 Try again later')}"
PERMANENT_ERROR = "SMTPRecipientsRefused: {'amina@example.org': (550, b'5.1.1 No such user here')}"


@pytest.fixture(autouse=True)
def _no_jitter(monkeypatch):
    # The jitter is random.uniform(0, base / 4): take its upper end, so delays are exact.
    monkeypatch.setattr(services.random, "uniform", lambda low, high: high)


def _enqueue(*, tenant, recipient=RECIPIENT, dedup_key="test:welcome", subject="Welcome to WSIS"):
    return email_enqueue(
        tenant=tenant,
        recipient=recipient,
        subject=subject,
        body_text="Dear Amina,\nwelcome.",
        body_html="<p>Dear Amina,<br>welcome.</p>",
        dedup_key=dedup_key,
    )


def _send_at(moment: dt.datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return outbox_send_due()


def test_enqueue_same_dedup_key_twice_stores_one_row(tenant):
    first = _enqueue(tenant=tenant, subject="First")
    second = _enqueue(tenant=tenant, subject="Second")
    assert second is None
    assert list(OutboxEmail.objects.values_list("pk", "subject", "status")) == [
        (first.pk, "First", OutboxStatus.QUEUED)
    ]


def test_enqueue_text_only_gets_escaped_html_part_in_its_language(tenant):
    email = email_enqueue(
        tenant=tenant,
        recipient=RECIPIENT,
        subject="Bonjour",
        body_text="Tom & <b>Jerry</b>\nVoir https://example.org\n\nMerci",
        dedup_key="k",
        language="fr",
    )
    assert '<html lang="fr" dir="ltr">' in email.body_html
    assert "<title>Bonjour</title>" in email.body_html
    assert (
        '<p>Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;<br>Voir <a href="https://example.org">https://example.org</a></p>'
        "\n\n<p>Merci</p>"
    ) in email.body_html


def test_enqueue_kicks_sender_after_commit(tenant, smtp_delivery, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _enqueue(tenant=tenant)
        assert smtp_delivery.received == []
    assert len(callbacks) == 1
    assert [received.rcpt_tos for received in smtp_delivery.received] == [[RECIPIENT]]
    assert OutboxEmail.objects.get().status == OutboxStatus.SENT


def test_send_due_delivers_text_and_html_to_smtp_server(tenant, smtp_delivery):
    email = _enqueue(tenant=tenant)
    assert _send_at(NOW) == {"sent": 1, "retry": 0, "failed": 0}

    [received] = smtp_delivery.received
    assert received.mail_from == "no-reply@wsis.example.org"
    assert received.rcpt_tos == [RECIPIENT]
    message = received.message
    assert received.header("To") == RECIPIENT
    assert received.header("From") == "WSIS Forum <no-reply@wsis.example.org>"
    assert received.header("Subject") == "Welcome to WSIS"
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert received.text == "Dear Amina,\nwelcome."
    assert received.html == "<p>Dear Amina,<br>welcome.</p>"
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error, email.sent_at) == (OutboxStatus.SENT, 1, "", NOW)
    assert mail.outbox == []


def test_send_due_message_id_names_the_dedup_key(tenant, smtp_delivery):
    # Support can find the outbox row of a bounced message from its Message-ID.
    _enqueue(tenant=tenant, dedup_key="receipt:1")
    _enqueue(tenant=tenant, dedup_key="receipt:2")
    _send_at(NOW)
    message_ids = [received.header("Message-ID") for received in smtp_delivery.received]
    hashes = [hashlib.sha256(key).hexdigest()[:24] for key in (b"receipt:1", b"receipt:2")]
    assert [message_id.split("@")[0].rsplit(".", 1)[1] for message_id in message_ids] == hashes


def test_send_due_smtp_451_keeps_row_queued_with_backoff(tenant, smtp_delivery):
    smtp_delivery.refuse(RECIPIENT, TRANSIENT_ANSWER)
    email = _enqueue(tenant=tenant)
    assert _send_at(NOW) == {"sent": 0, "retry": 1, "failed": 0}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboxStatus.QUEUED, 1, TRANSIENT_ERROR)
    # First retry: 30 s, plus at most a quarter of it as jitter.
    assert email.next_attempt_at == NOW + dt.timedelta(seconds=37.5)
    assert email.claimed_at is None
    assert email.sent_at is None
    assert smtp_delivery.received == []


def test_send_due_after_backoff_delivers_transiently_refused_email(tenant, smtp_delivery):
    smtp_delivery.refuse(RECIPIENT, TRANSIENT_ANSWER)
    email = _enqueue(tenant=tenant)
    _send_at(NOW)
    smtp_delivery.accept(RECIPIENT)

    # Not before the backoff has passed...
    assert _send_at(NOW + dt.timedelta(seconds=37)) == {"sent": 0, "retry": 0, "failed": 0}
    assert smtp_delivery.received == []
    # ...then it goes out.
    later = NOW + dt.timedelta(seconds=37.5)
    assert _send_at(later) == {"sent": 1, "retry": 0, "failed": 0}
    assert [received.rcpt_tos for received in smtp_delivery.received] == [[RECIPIENT]]
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error, email.sent_at) == (OutboxStatus.SENT, 2, "", later)


def test_send_due_smtp_550_marks_failed_without_retry(tenant, smtp_delivery):
    smtp_delivery.refuse(RECIPIENT, PERMANENT_ANSWER)
    email = _enqueue(tenant=tenant)
    assert _send_at(NOW) == {"sent": 0, "retry": 0, "failed": 1}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error, email.sent_at) == (
        OutboxStatus.FAILED,
        1,
        PERMANENT_ERROR,
        None,
    )
    smtp_delivery.accept(RECIPIENT)
    assert _send_at(NOW + dt.timedelta(days=1)) == {"sent": 0, "retry": 0, "failed": 0}
    assert smtp_delivery.received == []
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.FAILED, 1)


def test_send_due_refused_recipient_does_not_hold_up_the_batch(tenant, smtp_delivery):
    smtp_delivery.refuse("gone@example.org", PERMANENT_ANSWER)
    smtp_delivery.refuse("busy@example.org", TRANSIENT_ANSWER)
    _enqueue(tenant=tenant, recipient="gone@example.org", dedup_key="a")
    _enqueue(tenant=tenant, recipient="busy@example.org", dedup_key="b")
    _enqueue(tenant=tenant, recipient=RECIPIENT, dedup_key="c")
    assert _send_at(NOW) == {"sent": 1, "retry": 1, "failed": 1}
    assert [received.rcpt_tos for received in smtp_delivery.received] == [[RECIPIENT]]
    assert dict(OutboxEmail.objects.values_list("recipient", "status")) == {
        "gone@example.org": OutboxStatus.FAILED,
        "busy@example.org": OutboxStatus.QUEUED,
        RECIPIENT: OutboxStatus.SENT,
    }


def test_send_due_smtp_server_down_retries_later(tenant, settings, smtp_server):
    settings.OUTBOX_DELIVERY = {**email_settings_from_url("EMAIL_URL", f"smtp://127.0.0.1:{free_port()}"), "TIMEOUT": 5}
    email = _enqueue(tenant=tenant)
    assert _send_at(NOW) == {"sent": 0, "retry": 1, "failed": 0}
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error, email.next_attempt_at) == (
        OutboxStatus.QUEUED,
        1,
        "ConnectionRefusedError: [Errno 111] Connection refused",
        NOW + dt.timedelta(seconds=37.5),
    )

    # The server is back: the retry delivers.
    settings.OUTBOX_DELIVERY = {**email_settings_from_url("EMAIL_URL", smtp_server.url), "TIMEOUT": 5}
    assert _send_at(NOW + dt.timedelta(minutes=1)) == {"sent": 1, "retry": 0, "failed": 0}
    assert [received.rcpt_tos for received in smtp_server.received] == [[RECIPIENT]]
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboxStatus.SENT, 2)


def test_send_due_max_attempts_marks_failed(tenant, settings, smtp_delivery):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_delivery.refuse(RECIPIENT, TRANSIENT_ANSWER)
    email = _enqueue(tenant=tenant)
    outcomes = []
    moment = NOW
    for _attempt in range(3):
        outcomes.append(_send_at(moment))
        email.refresh_from_db()
        outcomes.append((email.status, email.attempts))
        moment = email.next_attempt_at
    assert outcomes == [
        {"sent": 0, "retry": 1, "failed": 0},
        (OutboxStatus.QUEUED, 1),
        {"sent": 0, "retry": 1, "failed": 0},
        (OutboxStatus.QUEUED, 2),
        {"sent": 0, "retry": 0, "failed": 1},
        (OutboxStatus.FAILED, 3),
    ]
    assert email.last_error == TRANSIENT_ERROR
    smtp_delivery.accept(RECIPIENT)
    assert _send_at(NOW + dt.timedelta(days=1)) == {"sent": 0, "retry": 0, "failed": 0}
    assert smtp_delivery.received == []


def test_send_due_unbuildable_message_fails_and_batch_continues(tenant, smtp_delivery):
    # A header with a line break cannot be sent (BadHeaderError, a ValueError):
    # retrying will not help, and it must not strand the rest of the batch in "sending".
    broken = factories.OutboxEmailFactory(tenant=tenant, recipient=RECIPIENT, subject="Line\nbreak")
    fine = _enqueue(tenant=tenant, recipient="other@example.org")
    assert _send_at(NOW) == {"sent": 1, "retry": 0, "failed": 1}
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.status, broken.attempts) == (OutboxStatus.FAILED, 1)
    assert broken.last_error.startswith("BadHeaderError: Header values can't contain newlines")
    assert fine.status == OutboxStatus.SENT
    assert [received.rcpt_tos for received in smtp_delivery.received] == [["other@example.org"]]


def test_retry_delay_doubles_up_to_one_hour(monkeypatch):
    monkeypatch.setattr(services.random, "uniform", lambda low, high: low)
    assert [retry_delay(attempts).total_seconds() for attempts in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]
