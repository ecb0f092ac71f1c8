"""axe reports no violation on the public agenda (with and without filters),
on a session's page and on the High-Level Track Facilitators page, in English
and in Arabic, at desktop and phone width."""

import datetime as dt
import zoneinfo

import pytest

from ocp.enums import OcpStatus, Participation
from ocp.facilitators import HIGH_LEVEL_POLICY_SESSION
from ocp.models import Session, SessionFacilitator, SessionSpeaker
from tests import factories
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.ocp.factories import HltfNominationFactory
from wsis_portal.reference.models import ActionLine, SessionFormat, SustainableDevelopmentGoal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")


@pytest.fixture
def sessions(tenant):
    edition = factories.EditionFactory(tenant=tenant, year=2031, title="WSIS Forum 2031")
    track = factories.TrackFactory(edition=edition, name="ICTs and Youth")
    made = []
    for index, (title, day, hour) in enumerate(
        [("Community networks", 19, 10), ("Digital skills for rural women", 19, 14), ("Open data", 20, 9)]
    ):
        session = Session.objects.create(
            edition=edition,
            title=title,
            description="How villages connect themselves.",
            starts_at=dt.datetime(2031, 5, day, hour, 0, tzinfo=GENEVA),
            ends_at=dt.datetime(2031, 5, day, hour + 1, 30, tzinfo=GENEVA),
            room="Room C1",
            virtual_url="https://meet.example.org/c1" if index == 0 else "",
            session_format=SessionFormat.objects.order_by("pk").first(),
            track=track if index != 2 else None,
            language="en",
            moderator="Amina Diallo",
            moderator_organisation="Internet Society",
            is_published=True,
        )
        session.action_lines.set(ActionLine.objects.order_by("pk")[:2])
        session.sdgs.set(SustainableDevelopmentGoal.objects.filter(number__in=[4, 9]))
        SessionSpeaker.objects.create(session=session, name="Grace Wanjiru", title="Director", organisation="KICTANet")
        SessionSpeaker.objects.create(session=session, name="Luis Pérez", participation=Participation.REMOTE)
        made.append(session)
    # The first session is a High-Level Policy Session with two selected
    # facilitators: one with a photo, one shown with the placeholder.
    made[0].session_format = SessionFormat.objects.get(name=HIGH_LEVEL_POLICY_SESSION)
    made[0].save()
    call = factories.CallFactory(edition=edition, kind="hltf", title="High-Level Track Facilitators")
    for position, (name, photo) in enumerate(
        [("Amina Diallo", "ocp/hltf-photos/2031/amina.png"), ("Grace Wanjiru", "")]
    ):
        nomination = HltfNominationFactory(
            call=call,
            status=OcpStatus.ACCEPTED,
            nominee_name=name,
            nominee_title="Minister of ICT",
            nominee_organisation="Ministry of ICT",
            nominee_country="KE",
            biography="Led the national broadband plan.\nChairs the regional ICT council.",
            photo=photo,
        )
        SessionFacilitator.objects.create(session=made[0], nomination=nomination, position=position)
    return made


@pytest.mark.parametrize("language", ["en", "ar"])
def test_agenda_pages_have_no_axe_violations(new_context, choose_language, sessions, language):
    context = new_context()
    choose_language(context, language)
    page = context.new_page()
    problems = []
    pages = [
        ("agenda", "/wsis/ocp/agenda/"),
        ("agenda-filtered", f"/wsis/ocp/agenda/?track={sessions[0].track_id}&language=en"),
        ("agenda-empty", "/wsis/ocp/agenda/?language=fr"),
        ("session", f"/wsis/ocp/agenda/{sessions[0].pk}/"),
        ("facilitators", "/wsis/ocp/facilitators/"),
    ]
    for name, path in pages:
        page.set_viewport_size(DESKTOP)
        response = page.goto(path)
        assert response.status == 200, name
        assert page.locator("html").get_attribute("lang") == language, name
        assert page.locator("main h1").count() == 1, name
        if name == "facilitators":
            # The photo's text alternative is the name; the placeholder is hidden.
            assert page.locator('main img[alt="Amina Diallo"]').count() == 1
            assert page.locator("main h2", has_text="Grace Wanjiru").count() == 1
        for width, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
            page.set_viewport_size(viewport)
            report = axe_report(page)
            if report:
                problems.append(f"[{name}-{language}, {width}] {report}")
    assert not problems, "\n".join(problems)
