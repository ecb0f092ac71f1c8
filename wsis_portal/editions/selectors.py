"""Reads for the public and stakeholder pages; the tenant is always explicit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Prefetch, QuerySet

from .enums import EditionStatus
from .models import Call, Edition, Meeting, Phase, Submission


def published_editions(*, tenant) -> QuerySet[Edition]:
    return Edition.objects.filter(tenant=tenant, status=EditionStatus.PUBLISHED)


def current_edition(*, tenant, today: dt.date) -> Edition | None:
    """The nearest published edition whose final week has not ended; else the latest."""
    editions = published_editions(tenant=tenant)
    upcoming = editions.filter(ends_on__gte=today).order_by("year").first()
    return upcoming or editions.order_by("-year").first()


def calls_with_phases(*, edition: Edition) -> QuerySet[Call]:
    return Call.objects.filter(edition=edition).prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("opens_at", "position")),
        "extensions",
    )


def open_calls(*, edition: Edition, now: dt.datetime) -> list[Call]:
    return [call for call in calls_with_phases(edition=edition) if call.accepts_submissions_at(now)]


@dataclass(frozen=True)
class TimelineItem:
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    title: str
    kind: str  # "phase" or "meeting"
    subject: object


def edition_timeline(*, edition: Edition, calls: list[Call]) -> list[TimelineItem]:
    items = [
        TimelineItem(phase.opens_at, call.phase_closes_at(phase), f"{call.title}: {phase.name}", "phase", phase)
        for call in calls
        for phase in call.ordered_phases()
    ]
    items += [
        TimelineItem(meeting.starts_at, meeting.ends_at, meeting.title, "meeting", meeting)
        for meeting in Meeting.objects.filter(edition=edition)
    ]
    return sorted(items, key=lambda item: item.starts_at)


def submission_models() -> list[type[Submission]]:
    """Every concrete Submission model of every installed app."""
    return [model for model in apps.get_models() if issubclass(model, Submission) and not model._meta.abstract]


def submissions_for_owner(*, tenant, user) -> list[Submission]:
    """The user's submissions of every kind in this tenant, newest change first
    (three queries per submission model)."""
    found: list[Submission] = []
    for model in submission_models():
        found.extend(
            model.objects.filter(tenant=tenant, owner=user)
            .select_related("call__edition")
            .prefetch_related("call__phases", "call__extensions")
        )
    return sorted(found, key=lambda submission: submission.updated_at, reverse=True)


@dataclass(frozen=True)
class PhaseRow:
    phase: Phase
    closes_at: dt.datetime
    state: str  # "upcoming", "open" or "closed"


def phase_rows(*, call: Call, now: dt.datetime) -> list[PhaseRow]:
    rows = []
    for phase in call.ordered_phases():
        closes_at = call.phase_closes_at(phase)
        state = "upcoming" if now < phase.opens_at else "open" if now < closes_at else "closed"
        rows.append(PhaseRow(phase, closes_at, state))
    return rows
