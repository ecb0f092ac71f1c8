"""The public agenda of an edition: accepted workshops become sessions.

``session_schedule_from_workshop`` is the only way a workshop becomes a
session; the selectors below list what the public agenda shows, and
``sessions_as_ical`` writes them as an iCalendar file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from .enums import OcpStatus
from .facilitators import facilitators_prefetch
from .models import Session, SessionFacilitator, SessionSpeaker, WorkshopRequest


class AgendaError(Exception):
    """A scheduling the service refuses; ``message`` is meant for the staff member."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def session_schedule_from_workshop(
    *,
    workshop: WorkshopRequest,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    room: str = "",
    virtual_url: str = "",
    by,
) -> Session:
    """Make the accepted ``workshop`` a session of its edition's agenda (not yet
    published), copying its title, abstract, format, track, Action Lines,
    SDGs, language, moderator and speakers.

    Only managers of the workshop's tenant; only accepted workshops. One
    session per workshop: when it is already scheduled, the existing session is
    returned unchanged (change it in the admin)."""
    if not by.has_perm("ocp.decide_entry", workshop):
        raise AgendaError(_("You may not schedule %(reference)s.") % {"reference": workshop})
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise AgendaError(_("The start and end need a time zone."))
    if ends_at <= starts_at:
        raise AgendaError(_("The session must end after it starts."))
    with transaction.atomic():
        # Locking the workshop makes two managers scheduling it at once wait for each other.
        locked = WorkshopRequest.objects.select_for_update().select_related("call").get(pk=workshop.pk)
        if locked.status != OcpStatus.ACCEPTED:
            raise AgendaError(
                _("%(reference)s is not accepted; only accepted workshops become sessions.") % {"reference": workshop}
            )
        existing = Session.objects.filter(workshop=locked).first()
        if existing is not None:
            return existing
        moderator_name = locked.moderator_name
        session = Session.objects.create(
            edition_id=locked.call.edition_id,
            workshop=locked,
            title=locked.title or str(locked),
            description=locked.abstract,
            starts_at=starts_at,
            ends_at=ends_at,
            room=room.strip(),
            virtual_url=virtual_url.strip(),
            session_format_id=locked.session_format_id,
            track_id=locked.track_id,
            language=locked.language,
            moderator=moderator_name,
            moderator_organisation=locked.moderator_organisation,
        )
        session.action_lines.set(locked.action_lines.all())
        session.sdgs.set(locked.sdgs.all())
        SessionSpeaker.objects.bulk_create(
            SessionSpeaker(
                session=session,
                name=speaker.name,
                title=speaker.title,
                organisation=speaker.organisation,
                country=speaker.country,
                participation=speaker.participation,
                position=index,
            )
            for index, speaker in enumerate(locked.speakers.all())
        )
    return session


# Selectors of the public agenda.

FILTERS = ("track", "format", "action_line", "sdg", "language")


def published_sessions(*, edition) -> QuerySet[Session]:
    """The edition's published sessions with what the agenda and its
    calendar show: speakers and facilitators (``facilitator_list``), a fixed
    number of queries however many sessions. Action Lines and SDGs only
    filter the list, so they are not loaded."""
    return (
        Session.objects.filter(edition=edition, is_published=True)
        .select_related("session_format", "track")
        .prefetch_related(
            Prefetch("speakers", queryset=SessionSpeaker.objects.order_by("position", "id")),
            facilitators_prefetch(),
        )
        .order_by("starts_at", "title", "pk")
    )


def filter_sessions(queryset: QuerySet[Session], *, params: dict[str, str]) -> QuerySet[Session]:
    """Applies the agenda's GET filters (unknown or malformed values are ignored)."""
    lookups = {
        "track": "track_id",
        "format": "session_format_id",
        "action_line": "action_lines__id",
        "sdg": "sdgs__id",
    }
    for name, lookup in lookups.items():
        value = (params.get(name) or "").strip()
        if value.isdigit():
            queryset = queryset.filter(**{lookup: int(value)})
    language = (params.get("language") or "").strip()
    if language:
        queryset = queryset.filter(language=language)
    if params.get("action_line", "").strip().isdigit() or params.get("sdg", "").strip().isdigit():
        queryset = queryset.distinct()
    return queryset


def published_session(*, tenant, pk: int) -> Session:
    """One published session of ``tenant`` (any of its editions) with its
    facilitators in ``facilitator_list``; 404 otherwise. The facilitators are
    read only when the session has some (most sessions have none)."""
    from django.shortcuts import get_object_or_404

    session = get_object_or_404(
        Session.objects.filter(edition__tenant=tenant, is_published=True)
        .select_related("edition", "session_format", "track")
        .annotate(has_facilitators=Exists(SessionFacilitator.objects.filter(session=OuterRef("pk"))))
        .prefetch_related("action_lines", "sdgs", "speakers"),
        pk=pk,
    )
    if session.has_facilitators:
        prefetch_related_objects([session], facilitators_prefetch())
    else:
        session.facilitator_list = []
    return session


@dataclass
class AgendaDay:
    date: dt.date
    sessions: list[Session]


def sessions_by_day(sessions: Iterable[Session], *, zone) -> list[AgendaDay]:
    """Groups sessions (ordered by start) by their day in ``zone``."""
    days: list[AgendaDay] = []
    for session in sessions:
        day = timezone.localtime(session.starts_at, zone).date()
        if not days or days[-1].date != day:
            days.append(AgendaDay(date=day, sessions=[]))
        days[-1].sessions.append(session)
    return days


# iCalendar.


def session_uid(session: Session, *, tenant) -> str:
    """Stable for a session of a tenant: calendars update the event, never duplicate it."""
    return f"ocp-session-{session.pk}@{tenant.slug}.wsis-portal"


def _session_description(session: Session) -> str:
    lines = [session.description.strip()] if session.description.strip() else []
    if session.moderator:
        lines.append(_("Moderator: %(name)s") % {"name": session.moderator})
    speakers = list(session.speakers.all())
    if speakers:
        lines.append(_("Speakers: %(names)s") % {"names": ", ".join(speaker.name for speaker in speakers)})
    facilitators = getattr(session, "facilitator_list", [])
    if facilitators:
        lines.append(
            _("High-Level Track Facilitators: %(names)s")
            % {"names": ", ".join(item.nomination.nominee_name for item in facilitators)}
        )
    return "\n\n".join(lines)


def sessions_as_ical(
    sessions: Iterable[Session], *, tenant, name: str, url_for, now: dt.datetime | None = None
) -> bytes:
    """An iCalendar file of ``sessions``; ``url_for(session)`` is each session's absolute page address."""
    from icalendar import Calendar, Event

    stamp = (now or timezone.now()).astimezone(dt.UTC)
    calendar = Calendar()
    calendar.add("prodid", "-//WSIS Forum Portal//OCP agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for session in sessions:
        event = Event()
        event.add("uid", session_uid(session, tenant=tenant))
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(dt.UTC))
        event.add("dtend", session.ends_at.astimezone(dt.UTC))
        event.add("summary", session.title)
        description = _session_description(session)
        if description:
            event.add("description", description)
        location = session.room or session.virtual_url
        if location:
            event.add("location", location)
        event.add("url", url_for(session))
        calendar.add_component(event)
    return calendar.to_ical()
