"""The sender's own message bytes (notifications/mime.py) read back as the
same message Django's EmailMultiAlternatives gives, and delivered as such."""

import email
import email.policy
import smtplib

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.message import sanitize_address

from tests import factories
from wsis_portal.notifications import services
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.mime import can_build, outbox_message

UNSUBSCRIBE = {
    "List-Unsubscribe": "<https://wsis.example.org/notifications/unsubscribe/" + "x" * 120 + "/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}
LONG_LINE = "=" + "é" * 700 + " end"
TEXT = f"Dear Amélie,\n.a line that starts with a dot\ntrailing spaces   \n{LONG_LINE}\n\n中文 العربية\r\nlast"
HTML = f'<p>Dear <b>Amélie</b> &amp; co,</p>\n<p><a href="https://example.org/?a=1&amp;b=2">{LONG_LINE}</a></p>\n'
SUBJECTS = [
    "Reminder: Workshops 2030 closes in 3 days",
    "Rappel : l’appel « Ateliers 2030 » se termine dans 3 jours",
    "提醒：2030年研讨会征集将在3天后截止",
    "تذكير: تنتهي الدعوة بعد 3 أيام " * 3,
    "A long subject made of plain words only, so that it has to be folded over two lines or more " * 2,
]


def _parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def _django(*, from_email, recipient, subject, text, html, headers):
    message = EmailMultiAlternatives(subject=subject, body=text, from_email=from_email, to=[recipient], headers=headers)
    if html:
        message.attach_alternative(html, "text/html")
    return _parse(message.message().as_bytes(linesep="\r\n"))


def _parts(message) -> list[tuple[str, str]]:
    parts = list(message.iter_parts()) if message.is_multipart() else [message]
    return [(part.get_content_type(), part.get_content().replace("\r\n", "\n")) for part in parts]


@pytest.mark.parametrize("subject", SUBJECTS)
@pytest.mark.parametrize(
    ("from_email", "recipient"),
    [
        ("WSIS Forum <no-reply@wsis.example.org>", "owner-0000001@example.org"),
        ("Forum du SMSI é <no-reply@wsis.example.org>", "Amélie <amelie@bücher.example>"),
    ],
)
@pytest.mark.parametrize("html", [HTML, ""])
def test_bytes_read_back_as_djangos_message(subject, from_email, recipient, html):
    headers = {"Message-ID": "<outbox.abc@wsis.example.org>", **UNSUBSCRIBE}
    sender, recipients, data = outbox_message(
        from_email=from_email, recipient=recipient, subject=subject, body_text=TEXT, body_html=html, headers=headers
    )
    # The envelope: what smtplib would put in MAIL FROM and RCPT TO for Django's addresses.
    assert f"<{sender}>" == smtplib.quoteaddr(sanitize_address(from_email, "utf-8"))
    assert [f"<{address}>" for address in recipients] == [smtplib.quoteaddr(sanitize_address(recipient, "utf-8"))]
    # 7-bit, CRLF line ends, no line over RFC 5322's 998 characters.
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    ours = _parse(data)
    django = _django(from_email=from_email, recipient=recipient, subject=subject, text=TEXT, html=html, headers=headers)
    for name in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version"):
        # Django folds a long value onto a continuation line (a leading space once read back).
        assert str(ours[name]).strip() == str(django[name]).strip(), name
    assert ours["Date"] is not None
    assert ours.get_content_type() == django.get_content_type()
    assert _parts(ours) == _parts(django)
    assert _parts(ours)[0][1] == TEXT.replace("\r\n", "\n")


def test_line_break_in_a_header_is_refused_as_django_does():
    for subject, headers in [("Line\nbreak", {}), ("Fine", {"X-Tag": "a\r\nBcc: someone@example.org"})]:
        with pytest.raises(BadHeaderError, match="Header values can't contain newlines"):
            outbox_message(
                from_email="no-reply@wsis.example.org",
                recipient="amina@example.org",
                subject=subject,
                body_text="Hello",
                body_html="",
                headers=headers,
            )


def test_headers_that_replace_the_messages_own_are_left_to_django():
    assert can_build(UNSUBSCRIBE)
    assert not can_build({"Reply-To": "secretariat@example.org"})
    assert not can_build({"content-type": "text/plain"})


@pytest.mark.django_db
def test_row_with_its_own_reply_to_is_sent_through_djangos_message(tenant, smtp_delivery):
    row = factories.OutboxEmailFactory(
        tenant=tenant, recipient="amina@example.org", headers={"Reply-To": "secretariat@example.org"}
    )
    assert services.outbox_send_due()["sent"] == 1
    [received] = smtp_delivery.received
    assert received.header("Reply-To") == "secretariat@example.org"
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


@pytest.mark.django_db
def test_reminder_row_arrives_with_every_header_and_part(tenant, smtp_delivery):
    row = factories.OutboxEmailFactory(
        tenant=tenant,
        recipient="amina@example.org",
        subject=SUBJECTS[1],
        body_text=TEXT,
        body_html=HTML,
        headers=UNSUBSCRIBE,
        dedup_key="reminder:1:2:2030-03-20T22:00:00+00:00",
    )
    assert services.outbox_send_due()["sent"] == 1
    [received] = smtp_delivery.received
    assert received.rcpt_tos == ["amina@example.org"]
    assert received.header("Subject") == SUBJECTS[1]
    assert received.header("Message-ID") == services._message_id(row)
    assert received.header("List-Unsubscribe") == UNSUBSCRIBE["List-Unsubscribe"]
    assert received.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    assert received.text.replace("\r\n", "\n") == TEXT.replace("\r\n", "\n")
    assert received.html == HTML
