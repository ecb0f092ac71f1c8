"""Reminder rules: which are due, and their fan-out to the outbox.

- :func:`due_reminders` lists every (active rule, deadline) whose moment
  (``deadline - offset``) has passed while the deadline has not, and that has no
  ``ReminderRun`` yet. The deadline honours whole-call extensions; every
  per-organisation extension is a deadline of its own, reaching the members of
  that organisation (by ``User.organisation``) only.
- :func:`reminders_tick` (beat, every tick) records one ``ReminderRun`` per due
  (rule, deadline) - the unique constraint makes it once however often the tick
  runs - and after commit queues :func:`reminder_fan_out`.
- The fan-out walks the audience by primary key and queues one
  :func:`reminder_send_chunk` per ``CHUNK_SIZE`` recipients (a range of keys,
  so a message stays small for any audience).
- The fan-out records each chunk as a ``ReminderChunk`` before queueing it,
  and the chunk task marks it done in the transaction that writes its outbox
  rows. The tick queues again (:func:`requeue_lost_work`) every chunk not done
  ``REMINDER_LEASE_SECONDS`` after it was queued, and every run whose fan-out
  was not planned by then: a message lost with a killed worker is re-run, and a
  re-run writes nothing twice.
- A chunk evaluates the audience again (someone who submitted meanwhile is no
  longer a draft owner; someone who unsubscribed is left out), renders each
  email in the recipient's language (a few renderings per chunk:
  ``rendering.ReminderRenderer``) and writes all rows at once, ignoring
  conflicts (``rendering.outbox_insert_rows``) on ``dedup_key =
  reminder:<rule>:<user>:<deadline ISO>``: a rule run twice, a tick run twice or
  a retried chunk write each email once, and an extension (a new deadline)
  writes one new one.

A rule never fires for a moment that passed before the rule existed (a call
created 10 days before its deadline gets no "14 days before" reminder), and when
several rules of one audience are due at once (the tick was down, or an
extension moved the deadline), only the one closest to the deadline sends; the
others are recorded as superseded.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from wsis_portal.editions.engine import on_phase_boundary
from wsis_portal.editions.enums import PhaseEventKind

from .audiences import address_recipients, keys_among, links_for, recipients
from .models import OutboxEmail, ReminderChunk, ReminderRule, ReminderRun
from .rendering import Recipient, ReminderRenderer, outbox_insert_rows
from .services import _kick_sender_on_commit

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
# The ``after_pk`` (and ``last_pk``) of the one chunk of a run that holds the
# recipients known by address only (nominees without an account).
ADDRESS_CHUNK = -1
# A chunk (or a fan-out) not done this long after it was queued is queued again.
DEFAULT_LEASE_SECONDS = 120
# A chunk that failed this many times is left for a human (it is logged).
MAX_CHUNK_QUEUES = 10
# The fan-out queues the sender after every this many chunks (see reminder_fan_out).
SENDER_EVERY_CHUNKS = 2
# Phase news has no deadline: its lost chunks are queued again for this long.
PHASE_NEWS_RETRY_WINDOW = dt.timedelta(days=1)


def chunk_size() -> int:
    return getattr(settings, "REMINDER_CHUNK_SIZE", CHUNK_SIZE)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "REMINDER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


DEFAULT_OFFSETS = (dt.timedelta(days=14), dt.timedelta(days=3), dt.timedelta(days=1))


def create_default_rules(*, call) -> list[ReminderRule]:
    """Reminders 14, 3 and 1 days before the deadline to owners of drafts."""
    return ReminderRule.objects.bulk_create(
        [ReminderRule(call=call, offset=offset, audience="draft-owners") for offset in DEFAULT_OFFSETS]
    )


# --- Deadlines ------------------------------------------------------------------


def rule_phase(rule: ReminderRule):
    return rule.phase if rule.phase_id else rule.call.submission_phase


def rule_deadline(rule: ReminderRule, organisation_id: int | None = None) -> dt.datetime | None:
    """The deadline the rule counts back from, for members of ``organisation_id``;
    for phase news, the instant of its boundary."""
    phase = rule_phase(rule)
    if phase is None:
        return None
    if rule.on_boundary == PhaseEventKind.OPENED:
        return phase.opens_at
    return rule.call.phase_closes_at(phase, organisation_id)


def rule_deadlines(rule: ReminderRule) -> set[dt.datetime]:
    """Every distinct deadline of the rule: everyone's, and each organisation's own."""
    general = rule_deadline(rule)
    if general is None:
        return set()
    deadlines = {general}
    for extension in rule.call.extensions.all():
        if extension.organisation_id is not None:
            deadlines.add(rule_deadline(rule, extension.organisation_id))
    return deadlines


def _with_call(queryset):
    return queryset.select_related("call__edition__tenant", "phase").prefetch_related(
        "call__phases", "call__extensions"
    )


@dataclass(frozen=True)
class DueReminder:
    rule: ReminderRule
    deadline: dt.datetime
    superseded: bool


def is_due(rule: ReminderRule, deadline: dt.datetime, now: dt.datetime) -> bool:
    moment = deadline - rule.offset
    return moment <= now < deadline and rule.created_at <= moment


def due_reminders(*, now: dt.datetime) -> list[DueReminder]:
    with scopes_disabled():
        rules = list(
            _with_call(
                ReminderRule.objects.filter(is_active=True, on_boundary="").filter(
                    Q(call__phases__closes_at__gt=now) | Q(call__extensions__closes_at__gt=now)
                )
            ).distinct()
        )
        ran = set(ReminderRun.objects.filter(rule__in=rules).values_list("rule_id", "deadline"))
    candidates = [
        (rule, deadline)
        for rule in rules
        for deadline in rule_deadlines(rule)
        if is_due(rule, deadline, now) and (rule.pk, deadline) not in ran
    ]
    # Of several due rules for the same people and deadline, the closest to it wins.
    closest: dict[tuple, ReminderRule] = {}
    for rule, deadline in candidates:
        group = (rule.call_id, rule.phase_id, rule.audience, rule.news_kind, deadline)
        if group not in closest or rule.offset < closest[group].offset:
            closest[group] = rule
    due = [
        DueReminder(
            rule,
            deadline,
            superseded=closest[(rule.call_id, rule.phase_id, rule.audience, rule.news_kind, deadline)] is not rule,
        )
        for rule, deadline in candidates
    ]
    return sorted(due, key=lambda item: (item.deadline - item.rule.offset, item.rule.pk))


def reminders_tick(*, now: dt.datetime | None = None) -> int:
    """Record every due (rule, deadline) once and queue its fan-out; returns how many started."""
    from .tasks import reminder_fan_out as fan_out_task

    now = now or timezone.now()
    requeue_lost_work(now=now)
    started = 0
    for item in due_reminders(now=now):
        with scope(tenant=item.rule.call.edition.tenant_id), transaction.atomic():
            try:
                with transaction.atomic():
                    run = ReminderRun.objects.create(
                        rule=item.rule,
                        deadline=item.deadline,
                        started_at=now,
                        queued_at=now,
                        superseded=item.superseded,
                    )
            except IntegrityError:
                continue
            if not item.superseded:
                fan_out_task.delay_on_commit(run_id=run.pk)
                started += 1
    return started


# --- Phase news -------------------------------------------------------------------


def phase_news_start(*, phase, event: str, now: dt.datetime) -> int:
    """Start the phase news rules of ``phase`` for ``event``. Runs inside the phase
    engine's boundary transaction, which makes it once per boundary; the run's
    unique constraint would too."""
    from .tasks import reminder_fan_out as fan_out_task

    started = 0
    rules = _with_call(ReminderRule.objects.filter(phase=phase, on_boundary=event, is_active=True))
    for rule in rules:
        boundary_at = rule_deadline(rule)
        try:
            with transaction.atomic():
                run = ReminderRun.objects.create(rule=rule, deadline=boundary_at, started_at=now, queued_at=now)
        except IntegrityError:
            continue
        fan_out_task.delay_on_commit(run_id=run.pk)
        started += 1
    return started


@on_phase_boundary(event=PhaseEventKind.OPENED)
def _phase_opened(*, phase, event, now) -> None:
    phase_news_start(phase=phase, event=event, now=now)


@on_phase_boundary(event=PhaseEventKind.CLOSED)
def _phase_closed(*, phase, event, now) -> None:
    phase_news_start(phase=phase, event=event, now=now)


# --- Fan-out --------------------------------------------------------------------


def _load_run(run_id: int) -> ReminderRun | None:
    with scopes_disabled():
        return (
            ReminderRun.objects.select_related("rule__call__edition__tenant", "rule__phase")
            .prefetch_related("rule__call__phases", "rule__call__extensions")
            .filter(pk=run_id)
            .first()
        )


def chunk_bounds(pks, size: int = CHUNK_SIZE) -> list[tuple[int, int]]:
    """``(after_pk, last_pk)`` ranges of ``size`` keys each, from ascending ``pks``."""
    bounds, after, count, last = [], 0, 0, None
    for pk in pks:
        count, last = count + 1, pk
        if count == size:
            bounds.append((after, pk))
            after, count = pk, 0
    if count:
        bounds.append((after, last))
    return bounds


def reminder_fan_out(*, run_id: int, now: dt.datetime | None = None) -> int:
    """Record the run's chunks of ``chunk_size()`` recipients and queue one task
    per chunk; returns the number of chunks. A run already planned (a fan-out
    redelivered or queued again) plans nothing: its lost chunks are the tick's."""
    from .tasks import reminder_send_chunk as chunk_task
    from .tasks import send_outbox

    now = now or timezone.now()
    run = _load_run(run_id)
    if run is None or run.superseded:
        return 0
    with scope(tenant=run.rule.call.edition.tenant_id), transaction.atomic():
        # The lock makes two fan-outs of one run (redelivered and queued again) plan once.
        if not ReminderRun.objects.select_for_update().filter(pk=run.pk, planned_at__isnull=True).exists():
            return 0
        size = chunk_size()
        pks = recipients(run.rule).values_list("pk", flat=True).iterator(chunk_size=size * 5)
        bounds = chunk_bounds(pks, size=size)
        if address_recipients(run.rule):
            bounds.append((ADDRESS_CHUNK, ADDRESS_CHUNK))
        ReminderChunk.objects.bulk_create(
            [ReminderChunk(run=run, after_pk=after, last_pk=last, queued_at=now) for after, last in bounds],
            batch_size=1000,
        )
        ReminderRun.objects.filter(pk=run.pk).update(chunks=len(bounds), planned_at=now)
    # Queued after the commit; a worker lost before the last one is queued
    # leaves chunks that the tick queues again after the lease.
    for index, (after_pk, last_pk) in enumerate(bounds, start=1):
        chunk_task.delay(run_id=run.pk, after_pk=after_pk, last_pk=last_pk)
        if index % SENDER_EVERY_CHUNKS == 0:
            # The sender between the chunks: the wave's first emails leave
            # while the rest is written, not once every chunk ahead of it in
            # the queue is done (a sender with nothing due returns at once).
            send_outbox.delay()
    return len(bounds)


def _live_runs(now: dt.datetime) -> Q:
    """Runs that may still send: their deadline is ahead, or phase news of the last day."""
    return Q(rule__on_boundary="", deadline__gt=now) | (
        ~Q(rule__on_boundary="") & Q(started_at__gt=now - PHASE_NEWS_RETRY_WINDOW)
    )


def requeue_lost_work(*, now: dt.datetime, limit: int = 1000) -> tuple[int, int]:
    """Queue again the fan-outs not planned and the chunks not done a lease
    after they were queued (their message died with a worker); returns
    ``(fan-outs, chunks)`` queued again. A chunk queued ``MAX_CHUNK_QUEUES``
    times is left and logged."""
    from .tasks import reminder_fan_out as fan_out_task
    from .tasks import reminder_send_chunk as chunk_task

    cutoff = now - lease()
    # A compare-and-set per row (on ``queued_at``) rather than a locking
    # transaction: two ticks never queue one chunk twice, and no lock is held
    # that a chunk task would wait on.
    with scopes_disabled():
        candidates = ReminderRun.objects.filter(
            _live_runs(now), superseded=False, planned_at__isnull=True, queued_at__lt=cutoff
        ).values_list("pk", "queued_at")[:limit]
        runs = [
            pk
            for pk, queued_at in candidates
            if ReminderRun.objects.filter(pk=pk, queued_at=queued_at, planned_at__isnull=True).update(queued_at=now)
        ]
        pending = ReminderChunk.objects.filter(
            done_at__isnull=True,
            queued_at__lt=cutoff,
            queued_count__lt=MAX_CHUNK_QUEUES,
            run__in=ReminderRun.objects.filter(_live_runs(now)),
        ).values_list("pk", "queued_at", "run_id", "after_pk", "last_pk")[:limit]
        chunks = [
            (pk, run_id, after_pk, last_pk)
            for pk, queued_at, run_id, after_pk, last_pk in pending
            if ReminderChunk.objects.filter(pk=pk, queued_at=queued_at, done_at__isnull=True).update(
                queued_at=now, queued_count=F("queued_count") + 1
            )
        ]
    for run_id in runs:
        logger.warning("Reminder run %s was not fanned out within its lease: queued again", run_id)
        fan_out_task.delay(run_id=run_id)
    for _pk, run_id, after_pk, last_pk in chunks:
        logger.warning(
            "Reminder chunk (%s, %s] of run %s was not done within its lease: queued again", after_pk, last_pk, run_id
        )
        chunk_task.delay(run_id=run_id, after_pk=after_pk, last_pk=last_pk)
    return len(runs), len(chunks)


def reminder_email(
    *, rule: ReminderRule, user, deadline: dt.datetime, links: list, run: ReminderRun | None = None
) -> OutboxEmail:
    """The (unsaved) outbox row of one reminder, rendered in ``user``'s language."""
    renderer = ReminderRenderer(rule=rule, deadline=deadline, run=run)
    return renderer.email(recipient=Recipient(email=user.email, user=user), links=links)


def reminder_send_chunk(*, run_id: int, after_pk: int, last_pk: int, now: dt.datetime | None = None) -> int:
    """Write the reminders of the run's recipients with ``after_pk < pk <= last_pk``
    and mark the chunk done, in one transaction; returns how many rows were
    offered to the outbox (duplicates are ignored). A chunk already done
    (its message redelivered, or queued again by the tick) writes nothing."""
    now = now or timezone.now()
    run = _load_run(run_id)
    if run is None:
        return 0
    rule = run.rule
    with scope(tenant=rule.call.edition.tenant_id), transaction.atomic():
        # Locked: a second copy of this chunk waits here, then finds it done.
        chunk = (
            ReminderChunk.objects.select_for_update()
            .filter(run=run, after_pk=after_pk, last_pk=last_pk)
            .values_list("pk", "done_at")
            .first()
        )
        if chunk is not None and chunk[1] is not None:
            return 0
        written = 0
        if not run.superseded and (rule.on_boundary or now < run.deadline):
            written = _write_chunk(run, after_pk=after_pk, last_pk=last_pk)
        if chunk is not None:
            ReminderChunk.objects.filter(pk=chunk[0]).update(done_at=now)
    return written


def _write_chunk(run: ReminderRun, *, after_pk: int, last_pk: int) -> int:
    rule = run.rule
    if after_pk == ADDRESS_CHUNK:
        return _write_address_chunk(run)
    users = [
        user
        for user in recipients(rule)
        .filter(pk__gt=after_pk, pk__lte=last_pk)
        .only("pk", "email", "first_name", "last_name", "preferred_language", "organisation_id")
        # Members of an organisation with its own deadline hear about that one.
        if rule.on_boundary or rule_deadline(rule, user.organisation_id) == run.deadline
    ]
    if not users:
        return 0
    links = links_for(rule, users)
    # Each template is rendered a few times per chunk (per language and shape), not per recipient.
    renderer = ReminderRenderer(rule=rule, deadline=run.deadline, run=run)
    now = timezone.now()
    rows = [
        renderer.row(recipient=Recipient(email=user.email, user=user), links=links.get(user.pk, []), now=now)
        for user in users
    ]
    # Rows, not model instances: a chunk's thousand OutboxEmail objects cost more than their rendering.
    outbox_insert_rows(rows)
    _kick_sender_on_commit()
    return len(rows)


def _write_address_chunk(run: ReminderRun) -> int:
    """The recipients known by address only (nominees without an account), in
    the portal's default language; they share the run's general deadline."""
    rule = run.rule
    if not rule.on_boundary and rule_deadline(rule) != run.deadline:
        return 0
    addresses = address_recipients(rule)
    if not addresses:
        return 0
    renderer = ReminderRenderer(rule=rule, deadline=run.deadline, run=run)
    now = timezone.now()
    rows = [renderer.row(recipient=Recipient(email=address), links=[], now=now) for address in addresses]
    outbox_insert_rows(rows)
    _kick_sender_on_commit()
    return len(rows)


def stale_reminders(emails: list[OutboxEmail], *, now: dt.datetime) -> set[int]:
    """Of claimed outbox rows, the ids of reminders that no longer apply: their
    deadline passed, or the recipient left the audience (submitted, unsubscribed)
    since the chunk wrote them. A few queries per reminder run in the batch."""
    by_run: dict[int, list[OutboxEmail]] = {}
    for email in emails:
        if email.reminder_run_id is not None:
            by_run.setdefault(email.reminder_run_id, []).append(email)
    stale: set[int] = set()
    for run_id, run_emails in by_run.items():
        run = _load_run(run_id)
        if run is None or (not run.rule.on_boundary and now >= run.deadline):
            stale.update(email.pk for email in run_emails)
            continue
        with scope(tenant=run.rule.call.edition.tenant_id):
            addresses: set[str] = set()
            user_ids = [email.user_id for email in run_emails if email.user_id is not None]
            still = (
                set(recipients(run.rule).filter(keys_among("pk", user_ids)).values_list("pk", flat=True))
                if user_ids
                else set()
            )
            if len(user_ids) < len(run_emails):
                addresses = set(address_recipients(run.rule, with_account_since=True))
        stale.update(
            email.pk
            for email in run_emails
            if (email.user_id not in still if email.user_id is not None else email.recipient.lower() not in addresses)
        )
    return stale


# --- Preview ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReminderPreview:
    count: int
    first: list
    sample: OutboxEmail | None
    deadline: dt.datetime | None


def reminder_preview(*, rule: ReminderRule, limit: int = 20) -> ReminderPreview:
    """Who the rule would reach now, and the email the first of them would get
    (nothing is written)."""
    audience = recipients(rule)
    first = list(audience.select_related("organisation")[:limit])
    deadline = rule_deadline(rule)
    sample = None
    if first and deadline is not None:
        user = first[0]
        user_deadline = rule_deadline(rule, user.organisation_id)
        sample = reminder_email(
            rule=rule, user=user, deadline=user_deadline, links=links_for(rule, [user]).get(user.pk, [])
        )
    # People known by address only (nominees without an account) count too.
    count = audience.count() + len(address_recipients(rule))
    return ReminderPreview(count=count, first=first, sample=sample, deadline=deadline)
