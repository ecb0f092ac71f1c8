"""The phase engine: runs each phase boundary's side effects exactly once.

Programme apps register what happens at a boundary::

    @on_phase_boundary(call_kind=CallKind.PRIZES, phase_key="voting", event=PhaseEventKind.CLOSED)
    def tally_votes(*, phase, event, now): ...

The beat tick (``editions.tick``, every minute) calls :func:`run_due_boundaries`.
Each boundary inserts its ``PhaseEvent`` row and runs its handlers in one
transaction: the unique constraint makes a second tick (or a concurrent one)
skip it, and a failing handler rolls the row back so the next tick retries.
Missed ticks are caught up because "due" means "passed and not yet recorded".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .enums import PhaseEventKind
from .models import Phase, PhaseEvent

logger = logging.getLogger(__name__)

BoundaryFunction = Callable[..., None]


@dataclass(frozen=True)
class BoundaryHandler:
    function: BoundaryFunction
    event: str
    call_kind: str | None
    phase_key: str | None

    def matches(self, phase: Phase, event: str) -> bool:
        return (
            self.event == event
            and (self.call_kind is None or self.call_kind == phase.call.kind)
            and (self.phase_key is None or self.phase_key == phase.key)
        )


_handlers: list[BoundaryHandler] = []


def on_phase_boundary(*, event: str, call_kind: str | None = None, phase_key: str | None = None):
    """Register ``function(*, phase, event, now)`` for a boundary; ``None`` matches any."""
    if event not in PhaseEventKind.values:
        raise ValueError(f"unknown phase event {event!r}")

    def register(function: BoundaryFunction) -> BoundaryFunction:
        handler = BoundaryHandler(function=function, event=event, call_kind=call_kind, phase_key=phase_key)
        if handler not in _handlers:
            _handlers.append(handler)
        return function

    return register


def handlers_for(phase: Phase, event: str) -> list[BoundaryHandler]:
    return [handler for handler in _handlers if handler.matches(phase, event)]


def due_boundaries(*, now: dt.datetime) -> list[tuple[Phase, str, dt.datetime]]:
    """Every (phase, event, boundary instant) that has passed and has no event row, oldest first."""
    with scopes_disabled():
        phases = (
            Phase.objects.filter(opens_at__lte=now)
            .annotate(recorded=Count("events"))
            .filter(recorded__lt=len(PhaseEventKind.values))
            .select_related("call__edition__tenant")
            .prefetch_related("call__extensions", "events")
        )
        due = []
        for phase in phases:
            done = {event.kind for event in phase.events.all()}
            if PhaseEventKind.OPENED not in done:
                due.append((phase, PhaseEventKind.OPENED.value, phase.opens_at))
            closes_at = phase.call.phase_closes_at(phase)
            if PhaseEventKind.CLOSED not in done and closes_at <= now:
                due.append((phase, PhaseEventKind.CLOSED.value, closes_at))
    return sorted(due, key=lambda item: item[2])


def run_boundary(*, phase: Phase, event: str, boundary_at: dt.datetime, now: dt.datetime) -> bool:
    """Record the boundary and run its handlers once; False if it had already run."""
    with scope(tenant=phase.call.edition.tenant_id), transaction.atomic():
        try:
            with transaction.atomic():
                PhaseEvent.objects.create(phase=phase, kind=event, boundary_at=boundary_at, ran_at=now)
        except IntegrityError:
            return False
        for handler in handlers_for(phase, event):
            handler.function(phase=phase, event=event, now=now)
    return True


def run_due_boundaries(*, now: dt.datetime | None = None) -> int:
    """Run every due boundary; returns how many ran now. One failing boundary
    does not hold up the others: it is logged and retried on the next tick."""
    now = now or timezone.now()
    ran = 0
    for phase, event, boundary_at in due_boundaries(now=now):
        try:
            ran += run_boundary(phase=phase, event=event, boundary_at=boundary_at, now=now)
        except Exception:
            logger.exception("Phase boundary %s %s (phase %s) failed; it will be retried", event, phase.key, phase.pk)
    return ran
