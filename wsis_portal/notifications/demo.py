"""Reminder rules of the demo: every call gets the default deadline reminders,
and the calls whose phases make news get phase-news rules to the stakeholders
who opted in (prizes: nominees announced, voting opens, winners announced;
stocktaking: the call for update opens). Running it again changes nothing."""

from __future__ import annotations

from wsis_portal.editions.enums import CallKind, PhaseEventKind

from .enums import NewsKind
from .models import ReminderRule
from .reminders import create_default_rules

PHASE_NEWS_TEMPLATE = "emails/reminders/phase_news"

# (call kind, phase key, boundary): what the news is.
DEMO_PHASE_NEWS = [
    (CallKind.PRIZES, "nomination", PhaseEventKind.CLOSED),  # nominees announced
    (CallKind.PRIZES, "voting", PhaseEventKind.OPENED),  # public voting opens
    (CallKind.PRIZES, "announcement", PhaseEventKind.OPENED),  # winners announced
    (CallKind.STOCKTAKING_UPDATE, "submission", PhaseEventKind.OPENED),  # call for update opened
]


def seed_demo_rules(*, edition) -> int:
    """Rules on every call of ``edition``; returns how many were created."""
    created = 0
    for call in edition.calls.prefetch_related("phases"):
        if not ReminderRule.objects.filter(call=call, on_boundary="").exists():
            created += len(create_default_rules(call=call))
        phases = {phase.key: phase for phase in call.phases.all()}
        for kind, key, event in DEMO_PHASE_NEWS:
            if call.kind != kind or key not in phases:
                continue
            _rule, was_created = ReminderRule.objects.get_or_create(
                call=call,
                phase=phases[key],
                on_boundary=event,
                audience="opted-in-stakeholders",
                defaults={"news_kind": NewsKind.PHASE_NEWS, "template": PHASE_NEWS_TEMPLATE, "offset": None},
            )
            created += was_created
    return created
