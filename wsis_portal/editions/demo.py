"""The demo tenant "wsis": WSIS Forum 2021 with its real dates, and the same
calendar shifted by whole weeks so that its calls are open today.

Dates are Geneva wall-clock times from the forum's public calls (see
shared/reference/WSIS_FACTS.md); the stocktaking and partnership windows are
illustrative. Everything is keyed on natural keys, so running it again
updates rows in place.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from allauth.account.models import EmailAddress
from django.db import transaction
from django_scopes import scopes_disabled

from wsis_portal.accounts.models import Organisation, User
from wsis_portal.reference.models import SpecialTrack, StakeholderType
from wsis_portal.tenants.enums import Role
from wsis_portal.tenants.models import Membership, Tenant

from .enums import CallKind, EditionStatus, MeetingFormat, PhaseEventKind
from .models import Call, Edition, Meeting, Phase, PhaseEvent, Track

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
DEMO_PASSWORD = "wsis-demo-2021"
THEME_2021 = (
    "Building Back Better: ICTs for Inclusive, Resilient and Sustainable Societies and Economies "
    "(WSIS Action Lines for achieving the Sustainable Development Goals)"
)
# The day of the 2021 calendar that "today" becomes in the shifted edition.
SHIFT_ANCHOR = dt.date(2020, 12, 14)

D = dt.datetime  # wall-clock Geneva times below

CALENDAR_2021 = {
    CallKind.OCP_CONTRIBUTION: (
        "Open Consultation Process: official contributions",
        [
            ("submission", "Submissions", D(2020, 9, 9, 0, 0), D(2021, 3, 8, 23, 0), True),
            ("final-brief", "Final brief", D(2021, 4, 19, 0, 0), D(2021, 5, 22, 0, 0), False),
        ],
    ),
    CallKind.WORKSHOP: (
        "Workshop requests",
        [
            ("submission", "Submissions", D(2020, 9, 9, 0, 0), D(2021, 3, 8, 23, 0), True),
        ],
    ),
    CallKind.EXHIBITION: (
        "Exhibition space requests",
        [
            ("submission", "Submissions", D(2020, 9, 9, 0, 0), D(2021, 3, 8, 23, 0), True),
        ],
    ),
    CallKind.SPEAKER: (
        "Speaker recommendations",
        [
            ("submission", "Submissions", D(2020, 9, 9, 0, 0), D(2021, 3, 8, 23, 0), True),
        ],
    ),
    CallKind.HLTF: (
        "High-Level Track Facilitator nominations",
        [
            ("submission", "Nominations", D(2020, 9, 9, 0, 0), D(2021, 3, 8, 23, 0), True),
        ],
    ),
    CallKind.PRIZES: (
        "WSIS Prizes 2021",
        [
            ("submission", "Submission", D(2020, 11, 5, 0, 0), D(2021, 1, 25, 23, 0), True),
            ("nomination", "Nomination (expert review)", D(2021, 2, 1, 0, 0), D(2021, 2, 27, 0, 0), False),
            ("voting", "Public online voting", D(2021, 3, 1, 0, 0), D(2021, 3, 31, 23, 0), False),
            ("selection", "Selection of the winners", D(2021, 4, 1, 0, 0), D(2021, 4, 13, 0, 0), False),
            ("announcement", "Announcement at the forum", D(2021, 5, 17, 0, 0), D(2021, 5, 22, 0, 0), False),
        ],
    ),
    CallKind.PHOTO: (
        "Photo and video contest",
        [
            ("submission", "Submissions", D(2020, 12, 1, 0, 0), D(2021, 3, 8, 23, 0), True),
        ],
    ),
    CallKind.STOCKTAKING_UPDATE: (
        "WSIS Stocktaking: call for update and new entries",
        [
            ("submission", "Updates and new entries", D(2020, 10, 1, 0, 0), D(2021, 2, 26, 23, 0), True),
        ],
    ),
    CallKind.PARTNERSHIP: (
        "Partnership requests",
        [
            ("submission", "Expressions of interest", D(2020, 9, 9, 0, 0), D(2021, 4, 30, 23, 0), True),
        ],
    ),
}

MEETINGS_2021 = [
    (
        "Open Consultation Process meeting at the IGF",
        MeetingFormat.VIRTUAL,
        D(2020, 11, 6, 14, 0),
        D(2020, 11, 6, 15, 30),
        "Internet Governance Forum (online)",
    ),
    (
        "Final Open Consultation Process meeting",
        MeetingFormat.VIRTUAL,
        D(2021, 2, 1, 14, 0),
        D(2021, 2, 1, 15, 0),
        "Online",
    ),
]

TRACKS = ["ICTs and Youth", "ICTs and Gender Mainstreaming", "ICTs and Older Persons", "Cybersecurity"]

DEMO_USERS = [
    # email, first name, last name, role in the demo tenant, superuser
    ("operator@wsis.demo", "Platform", "Operator", None, True),
    ("manager@wsis.demo", "Maria", "Manager", Role.MANAGER, False),
    ("reviewer@wsis.demo", "Ravi", "Reviewer", Role.REVIEWER, False),
    ("expert@wsis.demo", "Esther", "Expert", Role.EXPERT, False),
    ("viewer@wsis.demo", "Victor", "Viewer", Role.VIEWER, False),
    ("stakeholder@wsis.demo", "Sami", "Stakeholder", None, False),
]


def shift_days(today: dt.date) -> int:
    """Whole weeks from the 2021 calendar to today, so weekdays stay the same."""
    return (today - SHIFT_ANCHOR).days // 7 * 7


def _aware(local: dt.datetime, days: int) -> dt.datetime:
    return (local + dt.timedelta(days=days)).replace(tzinfo=GENEVA)


def _seed_edition(*, tenant: Tenant, days: int, now: dt.datetime) -> Edition:
    starts_on = dt.date(2021, 5, 17) + dt.timedelta(days=days)
    year = starts_on.year
    edition, _ = Edition.objects.update_or_create(
        tenant=tenant,
        year=year,
        defaults={
            "title": f"WSIS Forum {year}",
            "theme": THEME_2021,
            "description": "Virtual pre-events from January onwards; the final week brings the community together.",
            "starts_on": starts_on,
            "ends_on": starts_on + dt.timedelta(days=4),
            "venue": "Geneva, Switzerland, and online",
            "timezone": "Europe/Zurich",
            "status": EditionStatus.PUBLISHED,
        },
    )
    for position, (kind, (title, phases)) in enumerate(CALENDAR_2021.items()):
        call, _ = Call.objects.update_or_create(
            edition=edition, kind=kind, defaults={"title": title.replace("2021", str(year)), "position": position}
        )
        for phase_position, (key, name, opens, closes, accepts) in enumerate(phases):
            phase, _ = Phase.objects.update_or_create(
                call=call,
                key=key,
                defaults={
                    "name": name,
                    "opens_at": _aware(opens, days),
                    "closes_at": _aware(closes, days),
                    "accepts_submissions": accepts,
                    "position": phase_position,
                },
            )
            # Seeded history is already done: the tick must not replay it.
            for kind_of_event, boundary in (
                (PhaseEventKind.OPENED, phase.opens_at),
                (PhaseEventKind.CLOSED, phase.closes_at),
            ):
                if boundary <= now:
                    PhaseEvent.objects.get_or_create(
                        phase=phase, kind=kind_of_event, defaults={"boundary_at": boundary, "ran_at": boundary}
                    )
    for title, meeting_format, starts, ends, place in MEETINGS_2021:
        Meeting.objects.update_or_create(
            edition=edition,
            title=title,
            defaults={
                "format": meeting_format,
                "starts_at": _aware(starts, days),
                "ends_at": _aware(ends, days),
                "place": place,
            },
        )
    for position, name in enumerate(TRACKS):
        Track.objects.update_or_create(
            edition=edition,
            name=name,
            defaults={"special_track": SpecialTrack.objects.filter(name=name).first(), "position": position},
        )
    return edition


def _seed_users(tenant: Tenant) -> list[tuple[str, str]]:
    government = StakeholderType.objects.get(slug="government")
    organisation, _ = Organisation.objects.get_or_create(
        name="Ministry of Digital Affairs (demo)",
        country="CH",
        defaults={"stakeholder_type": government, "website": "https://example.org"},
    )
    logins = []
    for email, first_name, last_name, role, superuser in DEMO_USERS:
        user = User.objects.filter(email=email).first() or User(email=email)
        user.first_name, user.last_name = first_name, last_name
        user.is_staff = bool(role) or superuser
        user.is_superuser = superuser
        user.country = "CH"
        user.stakeholder_type = government
        user.organisation = organisation
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if role:
            Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role})
        logins.append((email, role.label if role else ("Platform operator" if superuser else "Stakeholder")))
    return logins


@transaction.atomic
def seed_demo(*, now: dt.datetime) -> dict:
    with scopes_disabled():
        tenant, _ = Tenant.objects.update_or_create(
            slug="wsis",
            defaults={
                "name": "WSIS Forum",
                "organiser": "ITU, with UNESCO, UNCTAD and UNDP",
                "contact_email": "wsis-info@example.org",
            },
        )
        historic = _seed_edition(tenant=tenant, days=0, now=now)
        current = _seed_edition(tenant=tenant, days=shift_days(now.astimezone(GENEVA).date()), now=now)
        logins = _seed_users(tenant)
        # Reminder rules on every call: deadline reminders, and phase news where the call makes news.
        from wsis_portal.notifications.demo import seed_demo_rules

        for edition in (historic, current):
            seed_demo_rules(edition=edition)
        # The OCP app's demo entries: about 300 answers to the 2021 calls, drafts today.
        from ocp.demo import seed_ocp_demo

        ocp_counts = seed_ocp_demo(tenant=tenant, edition=historic, now=now, current=current)
        # The WSIS Prizes: a contest per edition and about 100 entries into 2021's.
        from prizes.demo import seed_prizes_demo

        seed_prizes_demo(tenant=tenant, editions=[historic, current], history_edition=historic)
        # 2,500 published WSIS Stocktaking entries, a few awaiting the demo stakeholder's update.
        from stocktaking.demo import seed_stocktaking_demo

        seed_stocktaking_demo(tenant=tenant, now=now)
    return {
        "tenant": tenant,
        "editions": [historic, current],
        "logins": logins,
        "password": DEMO_PASSWORD,
        "ocp": ocp_counts,
    }
