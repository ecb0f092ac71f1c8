"""Writes to the email outbox, and its delivery.

``email_enqueue`` stores an email once per ``dedup_key``; after the
transaction commits it nudges the sender task. ``outbox_send_due`` claims due
rows (``FOR UPDATE SKIP LOCKED`` where the database has it, so several workers
never send one row twice), delivers them through the ``EMAIL_URL`` backend,
retries transient failures with exponential backoff and marks permanent ones.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import queue
import random
import smtplib
import socket
import threading
import time
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.utils import DNS_NAME
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe
from django_scopes import scopes_disabled

from .enums import EmailCategory, NewsKind, OutboxStatus
from .mime import can_build, outbox_message
from .models import OutboxEmail

logger = logging.getLogger(__name__)

# A row claimed this long ago whose sender never reported back (killed, say)
# is claimed again; the delivery tests shorten both through settings.
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600


def claim_timeout() -> dt.timedelta:
    seconds = getattr(settings, "OUTBOX_CLAIM_TIMEOUT_SECONDS", None)
    return CLAIM_TIMEOUT if seconds is None else dt.timedelta(seconds=seconds)


class RenderedEmail:
    def __init__(self, subject: str, body_text: str, body_html: str):
        self.subject, self.body_text, self.body_html = subject, body_text, body_html


def render_email(*, template: str, context: dict, language: str) -> RenderedEmail:
    """Render ``<template>_subject.txt``, ``_body.txt`` and ``_body.html`` in ``language``."""
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body_text = render_to_string(f"{template}_body.txt", context)
        body_html = render_to_string(f"{template}_body.html", context)
    return RenderedEmail(subject, body_text, body_html)


def html_from_text(*, subject: str, body_text: str, language: str) -> str:
    """An HTML part for mail that only came with text (allauth's, for example)."""
    # urlize escapes the text around the links it makes; linebreaks then adds
    # <p> and <br> (the template would otherwise escape the markup as text).
    content = mark_safe(linebreaks(urlize(body_text, autoescape=True)))  # noqa: S308 (escaped just above)
    with translation.override(language):
        return render_to_string("emails/notifications/wrapper.html", {"subject": subject, "content": content})


def _kick_sender() -> None:
    from .tasks import send_outbox

    send_outbox.delay()


def _kick_sender_on_commit() -> None:
    """Nudge the sender once per transaction, however many emails it enqueues
    (a reminder wave enqueues thousands in one transaction)."""
    connection_ = transaction.get_connection()
    if connection_.in_atomic_block and any(func is _kick_sender for _, func, _ in connection_.run_on_commit):
        return
    transaction.on_commit(_kick_sender)


def email_enqueue(
    *,
    recipient: str,
    subject: str,
    body_text: str,
    dedup_key: str,
    body_html: str = "",
    tenant=None,
    user=None,
    language: str = "en",
    category: str = EmailCategory.TRANSACTIONAL,
    headers: dict | None = None,
    from_email: str | None = None,
    news_kind: str | None = None,
) -> OutboxEmail | None:
    """Store one email; returns None if ``dedup_key`` was already enqueued.

    Non-transactional mail (``category=NEWS``) to a user of a tenant carries the
    one-click unsubscribe headers for ``news_kind`` and is not stored at all
    when the user left that kind of news."""
    headers = dict(headers or {})
    if category == EmailCategory.NEWS and user is not None and tenant is not None:
        from .unsubscribe import news_preferences_of, unsubscribe_headers

        kind = news_kind or NewsKind.ANNOUNCEMENTS
        with scopes_disabled():
            if not news_preferences_of(user=user, tenant=tenant)[kind]:
                return None
        headers = {**unsubscribe_headers(user_id=user.pk, tenant_id=tenant.pk, kind=kind), **headers}
    if not body_html:
        body_html = html_from_text(subject=subject, body_text=body_text, language=language)
    try:
        with transaction.atomic(), scopes_disabled():
            email = OutboxEmail.objects.create(
                tenant=tenant,
                dedup_key=dedup_key[:255],
                recipient=recipient,
                user=user,
                from_email=from_email or settings.DEFAULT_FROM_EMAIL,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                headers=headers,
                language=language,
                category=category,
            )
    except IntegrityError:
        return None
    _kick_sender_on_commit()
    return email


def email_enqueue_template(
    *, template: str, context: dict, recipient: str, dedup_key: str, language: str, **kwargs
) -> OutboxEmail | None:
    rendered = render_email(template=template, context=context, language=language)
    return email_enqueue(
        recipient=recipient,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        dedup_key=dedup_key,
        language=language,
        **kwargs,
    )


def outbox_claim(*, now: dt.datetime, limit: int) -> list[int]:
    """Mark up to ``limit`` due rows as sending and return their ids: rows left
    ``sending`` past the claim timeout (their sender died) first, then queued ones."""
    with transaction.atomic(), scopes_disabled():
        # Two queries rather than one with OR: each walks the (status,
        # next_attempt_at) index, where an OR would scan the whole outbox
        # (half a million rows after a large reminder wave).
        abandoned = OutboxEmail.objects.filter(
            status=OutboxStatus.SENDING, claimed_at__lt=now - claim_timeout()
        ).order_by("next_attempt_at", "id")
        queued = OutboxEmail.objects.filter(status=OutboxStatus.QUEUED, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            abandoned = abandoned.select_for_update(skip_locked=True)
            queued = queued.select_for_update(skip_locked=True)
        ids = list(abandoned.values_list("id", flat=True)[:limit])
        if len(ids) < limit:
            ids += list(queued.values_list("id", flat=True)[: limit - len(ids)])
        OutboxEmail.objects.filter(id__in=ids).update(
            status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return ids


def _delivery_connection():
    options = dict(settings.OUTBOX_DELIVERY)
    backend = options.pop("BACKEND")
    kwargs = {key.lower(): value for key, value in options.items()}
    if "user" in kwargs:
        kwargs["username"] = kwargs.pop("user")
    return get_connection(backend=backend, fail_silently=False, **kwargs)


@functools.lru_cache(maxsize=64)
def _message_id_domain(from_email: str) -> str:
    domain = parseaddr(from_email)[1].rpartition("@")[2]
    return domain or str(DNS_NAME)


def _message_id(email: OutboxEmail) -> str:
    # The same for every try of one email (made from its dedup key alone, and
    # the sender's domain rather than this host's name): a copy sent again after
    # a lost "sent" mark carries the Message-ID of the first, and mailboxes that
    # drop a Message-ID they already hold show it once.
    digest = hashlib.sha256(email.dedup_key.encode()).hexdigest()[:24]
    return f"<outbox.{digest}@{_message_id_domain(email.from_email)}>"


def _message_for(email: OutboxEmail) -> EmailMultiAlternatives:
    """Django's message of a row: for the delivery backends other than SMTP,
    and rows whose headers ``mime.outbox_message`` does not write."""
    headers = {"Message-ID": _message_id(email)}
    headers.update(email.headers)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=email.from_email,
        to=[email.recipient],
        headers=headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


def is_permanent_failure(error: Exception) -> bool:
    """5xx answers are permanent; connection trouble and 4xx answers are worth retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    return False


TRANSIENT_ERRORS = (smtplib.SMTPException, ConnectionError, socket.timeout, OSError)


def retry_delay(attempts: int) -> dt.timedelta:
    first = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS)
    base = min(first * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)
    return dt.timedelta(seconds=base + random.uniform(0, base / 4))


# A large batch is sent over several SMTP connections at once (one thread
# each), so that the sender does not sit idle while the server answers.
SMTP_CONNECTIONS = 16
MIN_EMAILS_PER_CONNECTION = 10
# Messages sent (or being sent) whose "sent" mark is not committed yet, at
# most: one per connection, plus this many. A lane waits before sending more.
# The marks are committed in groups (one UPDATE for what has arrived since the
# last one), and a sender killed leaves at most that many emails to be sent
# again after the claim timeout.
UNMARKED_LIMIT = 20
_LANE_DONE = object()


def smtp_connections(count: int) -> int:
    """How many SMTP connections a batch of ``count`` emails is sent over."""
    wanted = getattr(settings, "OUTBOX_SMTP_CONNECTIONS", SMTP_CONNECTIONS)
    return max(1, min(wanted, count // MIN_EMAILS_PER_CONNECTION))


class DeliveryConnections:
    """Delivery connections kept open from one batch to the next of a sender
    run (``outbox_send_due``), rather than opened and closed per batch: each
    costs a connection, a greeting and a ``QUIT``. One left idle longer than
    ``IDLE_SECONDS`` is closed and opened again rather than trusted."""

    IDLE_SECONDS = 10.0

    def __init__(self) -> None:
        self._idle: list[tuple[float, object]] = []
        self._lock = threading.Lock()

    def take(self):
        with self._lock:
            found = self._idle.pop() if self._idle else None
        if found is None:
            return _delivery_connection()
        since, delivery = found
        if time.monotonic() - since > self.IDLE_SECONDS:
            _close_quietly(delivery)
        return delivery

    def give_back(self, delivery) -> None:
        with self._lock:
            self._idle.append((time.monotonic(), delivery))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _since, delivery in idle:
            _close_quietly(delivery)


def _send_lane(
    emails: list[OutboxEmail],
    results: queue.Queue,
    stop: threading.Event,
    unmarked: threading.Semaphore,
    connections: DeliveryConnections,
) -> None:
    """Send ``emails`` one after the other over one SMTP connection (one
    session for all: send_messages() alone would open and close one per
    message), and report each outcome on ``results`` as soon as it is known.
    Each message first takes a place in ``unmarked``, which the marking thread
    gives back once its outcome is committed."""
    try:
        delivery = connections.take()
    except Exception as error:  # noqa: BLE001 (reported per email, retried later)
        for email in emails:
            results.put((email, error, False, False))
        results.put(_LANE_DONE)
        return
    smtp = isinstance(delivery, SMTPBackend)
    try:
        for email in emails:
            while not unmarked.acquire(timeout=0.5):
                if stop.is_set():
                    break
            if stop.is_set():
                break
            try:
                delivery.open()
                if smtp and can_build(email.headers):
                    # The message's bytes written directly (mime.py), over the
                    # backend's open connection: a fraction of the CPU of
                    # EmailMultiAlternatives.message() and send_messages().
                    sender, recipients, data = outbox_message(
                        from_email=email.from_email,
                        recipient=email.recipient,
                        subject=email.subject,
                        body_text=email.body_text,
                        body_html=email.body_html,
                        headers={"Message-ID": _message_id(email), **email.headers},
                    )
                    _sendmail(delivery.connection, sender, recipients[0], data)
                else:
                    delivery.send_messages([_message_for(email)])
            except TRANSIENT_ERRORS as error:
                results.put((email, error, False, True))
                _close_quietly(delivery)
                continue
            except Exception as error:
                # A message that cannot even be built (a line break in a header,
                # for example) will never go out: fail it rather than leave it,
                # and the rest of the batch, in "sending".
                logger.exception("Outbox email %s cannot be sent", email.pk)
                results.put((email, error, True, True))
                _close_quietly(delivery)
                continue
            results.put((email, None, False, True))
    finally:
        # Open for the next batch (closed after a failure: open() opens it again).
        connections.give_back(delivery)
        results.put(_LANE_DONE)


def _sendmail(smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
    """``smtp.sendmail(sender, [recipient], data)`` for addresses already bare
    (``mime.outbox_message`` gives them so): the same commands, answers and
    exceptions, without the address parsing that smtplib's quoteaddr() does
    twice per message (half the CPU of a lane)."""
    smtp.ehlo_or_helo_if_needed()
    size = f" size={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
    code, answer = smtp.docmd("mail", f"FROM:<{sender}>{size}")
    if code != 250:
        _after_refusal(smtp, code)
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    code, answer = smtp.docmd("rcpt", f"TO:<{recipient}>")
    if code not in (250, 251):
        _after_refusal(smtp, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
    code, answer = smtp.data(data)
    if code != 250:
        _after_refusal(smtp, code)
        raise smtplib.SMTPDataError(code, answer)


def _after_refusal(smtp: smtplib.SMTP, code: int) -> None:
    # As smtplib.sendmail: a 421 closes the connection, anything else resets the transaction.
    if code == 421:
        smtp.close()
    else:
        smtp._rset()  # noqa: SLF001 (smtplib's own reset, which ignores a dropped connection)


def _close_quietly(delivery) -> None:
    try:
        delivery.close()
    except Exception:  # noqa: BLE001 (a connection that failed to close is dropped all the same)
        logger.warning("An SMTP connection did not close cleanly", exc_info=True)


def outbox_deliver(
    *, email_ids: list[int], now: dt.datetime | None = None, connections: DeliveryConnections | None = None
) -> dict[str, int]:
    """Send the claimed rows; returns counts by outcome.

    The batch is shared among ``smtp_connections()`` threads, each with an SMTP
    connection; this thread alone touches the database. It marks the emails
    ``sent`` in groups - one UPDATE, its own commit, for the outcomes that
    arrive within ``MARK_WAIT_SECONDS`` of the first (at most ``MARK_GROUP``) -
    and records failures one by one. The lanes
    never run more than ``UNMARKED_LIMIT`` messages, plus the one each is
    sending, ahead of the committed marks, so a sender killed meanwhile leaves
    at most that many emails the server took unmarked (they are sent again
    after the claim timeout).
    ``connections``: a sender run's, kept open for its next batch; by default
    the batch's own, closed at its end."""
    if connections is None:
        connections = DeliveryConnections()
        try:
            return outbox_deliver(email_ids=email_ids, now=now, connections=connections)
        finally:
            connections.close()
    counts = {"sent": 0, "retry": 0, "failed": 0}
    with scopes_disabled():
        emails = list(
            OutboxEmail.objects.filter(id__in=email_ids, status=OutboxStatus.SENDING)
            .order_by("id")
            # What sending needs: the dates, status and error need not be read (and parsed) here.
            .only(*_SENDING_FIELDS)
        )
    emails = _without_stale_reminders(emails, now=now or timezone.now(), counts=counts)
    if not emails:
        return counts
    lanes = smtp_connections(len(emails))
    results: queue.Queue = queue.Queue()
    stop = threading.Event()
    unmarked = threading.Semaphore(lanes + UNMARKED_LIMIT)
    threads = [
        threading.Thread(
            target=_send_lane,
            args=(emails[lane::lanes], results, stop, unmarked, connections),
            daemon=True,
        )
        for lane in range(lanes)
    ]
    _without_waiting_for_disk()
    try:
        for thread in threads:
            thread.start()
        finished = 0
        while finished < lanes:
            outcomes = _next_outcomes(results, running=lanes - finished)
            sent = []
            for outcome in outcomes:
                if outcome is _LANE_DONE:
                    finished += 1
                    continue
                email, error, permanent, held = outcome
                if error is None:
                    sent.append(email.pk)
                    continue
                _record_failure(email, error, now=now or timezone.now(), counts=counts, permanent=permanent)
                if held:
                    unmarked.release()
            if sent:
                _mark_sent(sent)
                counts["sent"] += len(sent)
                unmarked.release(len(sent))
    finally:
        # On an error here, the threads stop after their current email.
        stop.set()
        for thread in threads:
            thread.join()
        _waiting_for_disk_again()
    return counts


# A group of marks waits for up to this many outcomes, or this long after its first.
MARK_GROUP = 16
MARK_WAIT_SECONDS = 0.02


_SENDING_FIELDS = (
    "id",
    "tenant_id",
    "dedup_key",
    "recipient",
    "user_id",
    "from_email",
    "subject",
    "body_text",
    "body_html",
    "headers",
    "attempts",
    "reminder_run_id",
)


def _next_outcomes(results: queue.Queue, *, running: int) -> list:
    """The next outcomes of the lanes: the first one, then what else arrives
    within ``MARK_WAIT_SECONDS`` (up to ``MARK_GROUP``, or until every lane
    still running has said it is done) - one UPDATE for them all."""
    outcomes = [results.get()]
    done = int(outcomes[0] is _LANE_DONE)
    until = time.monotonic() + MARK_WAIT_SECONDS
    while len(outcomes) < MARK_GROUP and done < running:
        remaining = until - time.monotonic()
        if remaining <= 0:
            break
        try:
            outcome = results.get(timeout=remaining)
        except queue.Empty:
            break
        outcomes.append(outcome)
        done += outcome is _LANE_DONE
    return outcomes


def _mark_sent(pks: list[int]) -> None:
    """One UPDATE for a group of sent emails (a statement of our own on
    PostgreSQL: the ORM's took as long to build as to run)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(OutboxEmail._meta.db_table)
        key = connection.ops.quote_name(OutboxEmail._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s, sent_at = %s, last_error = '' WHERE {key} = ANY(%s)",  # noqa: S608 (our own table name)
                [OutboxStatus.SENT.value, timezone.now(), pks],
            )
        return
    with scopes_disabled():
        OutboxEmail.objects.filter(pk__in=pks).update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")


def _without_waiting_for_disk() -> None:
    """Each group of ``sent`` marks is its own commit, so that a killed sender
    loses at most the marks of the messages not yet committed (see
    ``UNMARKED_LIMIT``); on PostgreSQL these commits
    do not wait for the disk (``synchronous_commit = off``): a worker killed
    loses nothing, and a database crash at most the last fraction of a second
    of marks - those emails would be sent again, as after a lost mark."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def _waiting_for_disk_again() -> None:
    if connection.vendor == "postgresql" and not connection.in_atomic_block and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _without_stale_reminders(emails: list[OutboxEmail], *, now: dt.datetime, counts: dict) -> list[OutboxEmail]:
    """Cancel reminders that no longer apply (see ``reminders.stale_reminders``)."""
    if not any(email.reminder_run_id for email in emails):
        return emails
    from .reminders import stale_reminders

    stale = stale_reminders(emails, now=now)
    if stale:
        with scopes_disabled():
            OutboxEmail.objects.filter(pk__in=stale).update(
                status=OutboxStatus.CANCELLED, last_error="The reminder no longer applies.", claimed_at=None
            )
        counts["cancelled"] = len(stale)
    return [email for email in emails if email.pk not in stale]


def _record_failure(
    email: OutboxEmail, error: Exception, *, now: dt.datetime, counts: dict, permanent: bool = False
) -> None:
    # ``attempts`` already counts this try (it is raised when the row is claimed).
    permanent = permanent or is_permanent_failure(error) or email.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    message = f"{type(error).__name__}: {error}"[:2000]
    with scopes_disabled():
        if permanent:
            OutboxEmail.objects.filter(pk=email.pk).update(status=OutboxStatus.FAILED, last_error=message)
            counts["failed"] += 1
            logger.warning("Outbox email %s failed for good: %s", email.pk, message)
        else:
            OutboxEmail.objects.filter(pk=email.pk).update(
                status=OutboxStatus.QUEUED,
                last_error=message,
                next_attempt_at=now + retry_delay(email.attempts),
                claimed_at=None,
            )
            counts["retry"] += 1


def outbox_send_due(*, budget_seconds: float = 50.0, now: dt.datetime | None = None) -> dict[str, int]:
    """Claim and send batches until nothing is due or the time budget is spent."""
    totals = {"sent": 0, "retry": 0, "failed": 0}
    started = time.monotonic()
    connections = DeliveryConnections()
    try:
        while time.monotonic() - started < budget_seconds:
            claimed = outbox_claim(now=now or timezone.now(), limit=settings.OUTBOX_BATCH_SIZE)
            if not claimed:
                break
            for outcome, count in outbox_deliver(email_ids=claimed, now=now, connections=connections).items():
                totals[outcome] = totals.get(outcome, 0) + count
    finally:
        connections.close()
    return totals
