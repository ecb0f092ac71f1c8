"""Queries and time of the OCP's list pages with 50 and with 500 rows; prints a
table and asserts nothing about time (only that each page answers 200).

Run: make bench   (or .venv/bin/pytest tests/bench/bench_ocp_lists.py -s -q -p no:xdist)
Not part of make test: pytest only collects test_*.py files, and this is bench_*.py.

Rows: N entries of each OCP kind (the workshop requests all of one owner, whose
"My submissions" and OCP overview are measured; the others of a second owner),
each workshop with two speakers, and N published sessions with a speaker, two
Action Lines and two SDGs, each facilitated by one of N selected (accepted)
High-Level Track Facilitators. The admin changelists show 100 rows a page.
"""

import datetime as dt
import statistics
import time

import pytest
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ocp.enums import OcpStatus
from ocp.models import (
    Contribution,
    ExhibitionRequest,
    FinalBrief,
    HltfNomination,
    Session,
    SessionFacilitator,
    SessionSpeaker,
    Speaker,
    SpeakerRecommendation,
    WorkshopRequest,
)
from tests import factories
from tests.conftest import record_second_factor
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import ActionLine, SessionFormat, StakeholderType, SustainableDevelopmentGoal

SIZES = [50, 500]
TIMED_RUNS = 5
ENTRY_MODELS = [Contribution, WorkshopRequest, ExhibitionRequest, SpeakerRecommendation, HltfNomination]
KINDS = [CallKind.OCP_CONTRIBUTION, CallKind.WORKSHOP, CallKind.EXHIBITION, CallKind.SPEAKER, CallKind.HLTF]
YEAR = 2031
COMMAND = "make bench   # .venv/bin/pytest tests/bench/bench_ocp_lists.py -s -q -p no:xdist"


class _Rows:
    """Grows the data to N rows of each list; rows already made are kept."""

    def __init__(self, tenant):
        now = timezone.now()
        self.tenant = tenant
        self.edition = factories.EditionFactory(tenant=tenant, year=YEAR, title=f"WSIS Forum {YEAR}")
        self.calls = {}
        for position, kind in enumerate(KINDS):
            call = factories.CallFactory(edition=self.edition, kind=kind, title=f"Call for {kind}", position=position)
            factories.PhaseFactory(call=call, opens_at=now - dt.timedelta(days=3), closes_at=now + dt.timedelta(days=9))
            self.calls[kind] = call
        civil_society = StakeholderType.objects.get(slug="civil-society")
        self.author = factories.UserFactory(
            email="bench-author@example.org",
            organisation=factories.OrganisationFactory(name="Kenya ICT Network"),
            stakeholder_type=civil_society,
        )
        self.other = factories.UserFactory(
            email="bench-other@example.org",
            organisation=factories.OrganisationFactory(name="Andes Digital"),
            stakeholder_type=civil_society,
        )
        self.format = SessionFormat.objects.filter(name="High-Level Policy Session").first() or (
            SessionFormat.objects.order_by("pk").first()
        )
        self.lines = list(ActionLine.objects.order_by("pk")[:2])
        self.goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:2])
        self.count = 0

    def grow(self, to: int) -> None:
        new = range(self.count, to)
        submitted_at = timezone.now() - dt.timedelta(days=1)
        for model in ENTRY_MODELS:
            owner = self.author if model is WorkshopRequest else self.other
            extra = {
                WorkshopRequest: lambda index: {"title": f"Workshop {index}", "session_format": self.format},
                # Selected facilitators: the facilitators page lists them.
                HltfNomination: lambda index: {"nominee_name": f"Nominee {index:04d}", "status": OcpStatus.ACCEPTED},
            }.get(model, lambda index: {})
            entries = model.objects.bulk_create(
                model(
                    tenant=self.tenant,
                    call=self.calls[model.call_kind],
                    owner=owner,
                    organisation=owner.organisation,
                    reference=f"{model.reference_prefix}-{YEAR}-{index + 1:05d}",
                    submitted_at=submitted_at,
                    **{"status": OcpStatus.SUBMITTED, **extra(index)},
                )
                for index in new
            )
            if model is WorkshopRequest:
                Speaker.objects.bulk_create(
                    Speaker(workshop=entry, name=f"Speaker {entry.pk}-{position}", position=position, country="KE")
                    for entry in entries
                    for position in range(2)
                )
            if model is HltfNomination:
                nominations = entries
        starts = dt.datetime(YEAR, 5, 19, 8, 0, tzinfo=dt.UTC)
        sessions = Session.objects.bulk_create(
            Session(
                edition=self.edition,
                title=f"Session {index}",
                starts_at=starts + dt.timedelta(hours=index % 40, days=index // 40 % 5),
                ends_at=starts + dt.timedelta(hours=index % 40, days=index // 40 % 5, minutes=90),
                room=f"Room {index % 7}",
                session_format=self.format,
                language="en",
                is_published=True,
            )
            for index in new
        )
        SessionSpeaker.objects.bulk_create(SessionSpeaker(session=session, name="Grace Mwangi") for session in sessions)
        for name, choices in (("action_lines", self.lines), ("sdgs", self.goals)):
            through = Session._meta.get_field(name).remote_field.through
            target = f"{Session._meta.get_field(name).m2m_reverse_field_name()}_id"
            through.objects.bulk_create(
                through(session_id=session.pk, **{target: choice.pk}) for session in sessions for choice in choices
            )
        SessionFacilitator.objects.bulk_create(
            SessionFacilitator(session=session, nomination=nomination)
            for session, nomination in zip(sessions, nominations, strict=True)
        )
        self.count = to


def _measure(client, url):
    """Queries of one request (after a warm-up), and the median time of a few more."""
    client.get(url)
    # The log keeps at most 9000 queries; once full, CaptureQueriesContext would count none.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Counted now: the next request clears the log that ``queries`` reads from.
    query_count = len(queries)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _run in range(TIMED_RUNS):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    return query_count, statistics.median(samples)


def _url(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@pytest.mark.django_db
def test_bench_ocp_list_pages(tenant, manager, with_totp):
    rows = _Rows(tenant)
    FinalBrief.objects.create(edition=rows.edition, published_at=timezone.now() - dt.timedelta(minutes=1))
    staff = Client()
    with_totp(manager)
    staff.force_login(manager)
    record_second_factor(staff, manager)
    author = Client()
    author.force_login(rows.author)
    visitor = Client()

    pages = [
        (f"admin: {model._meta.verbose_name_plural}", staff, f"ocp_{model._meta.model_name}") for model in ENTRY_MODELS
    ]
    pages = [(label, client, reverse(f"admin:{name}_changelist")) for label, client, name in pages]
    pages.append(("admin: sessions", staff, reverse("admin:ocp_session_changelist")))
    public = [
        ("agenda", visitor, "ocp:agenda"),
        ("agenda (iCalendar)", visitor, "ocp:agenda_ics"),
        ("OCP overview (author)", author, "ocp:overview"),
        ("My submissions (author)", author, "editions:my_submissions"),
        ("facilitators", visitor, "ocp:facilitators"),
        ("final brief", visitor, "ocp:brief"),
    ]
    skipped = []
    for label, client, name in public:
        url = _url(name, tenant_slug=tenant.slug)
        if url is None:
            skipped.append(f"{label} ({name} does not resolve)")
        else:
            pages.append((label, client, url))

    results = {}
    for size in SIZES:
        rows.grow(size)
        for label, client, url in pages:
            results[(label, size)] = _measure(client, url)

    width = max(len(label) for label, _client, _url_ in pages)
    lines = [
        "",
        f"OCP list pages, {connection.vendor}; command: {COMMAND}",
        f"{'page':<{width}}  " + "  ".join(f"{'rows':>5} {'queries':>7} {'time ms':>8}" for _size in SIZES),
    ]
    for label, _client, _url_ in pages:
        cells = []
        for size in SIZES:
            queries, milliseconds = results[(label, size)]
            cells.append(f"{size:>5} {queries:>7} {milliseconds:>8.1f}")
        lines.append(f"{label:<{width}}  " + "  ".join(cells))
    lines.extend(f"skipped: {reason}" for reason in skipped)
    print("\n".join(lines))
