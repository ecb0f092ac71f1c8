"""The agenda: scheduling accepted workshops as sessions (service and admin
action), the public agenda page with its filters, session pages, and the
iCalendar files. The clock stands at 20 January 2021 (tests/ocp/conftest.py)."""

import datetime as dt
import zoneinfo

import pytest
from django.contrib.admin import helpers
from django.contrib.messages import get_messages
from django.urls import reverse
from icalendar import Calendar

from ocp.agenda import AgendaError, session_schedule_from_workshop
from ocp.enums import OcpStatus, Participation
from ocp.models import Session, SessionSpeaker
from tests import factories
from tests.ocp.conftest import make_ocp_edition
from tests.ocp.factories import SpeakerFactory, WorkshopRequestFactory
from wsis_portal.reference.models import ActionLine, SessionFormat, SustainableDevelopmentGoal

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
UTC = dt.UTC
CHANGELIST = "admin:ocp_workshoprequest_changelist"
# 18 May 2021, 10:00-11:30 Geneva time (UTC+2) is 08:00-09:30 UTC.
STARTS = dt.datetime(2021, 5, 18, 10, 0, tzinfo=GENEVA)
ENDS = dt.datetime(2021, 5, 18, 11, 30, tzinfo=GENEVA)


@pytest.fixture
def track(edition):
    return factories.TrackFactory(edition=edition, name="ICTs and Youth")


@pytest.fixture
def accepted(calls, author, track):
    workshop = WorkshopRequestFactory(
        call=calls["workshop"],
        owner=author,
        title="Community networks",
        abstract="How villages connect themselves.",
        status=OcpStatus.ACCEPTED,
        reference="WS-2021-00001",
        session_format=SessionFormat.objects.order_by("pk").first(),
        track=track,
        language="fr",
        moderator_name="Amina Diallo",
        moderator_organisation="Internet Society",
    )
    workshop.action_lines.set(ActionLine.objects.order_by("pk")[:2])
    workshop.sdgs.set(SustainableDevelopmentGoal.objects.filter(number__in=[4, 9]))
    SpeakerFactory(workshop=workshop, name="Grace Wanjiru", title="Director", position=0)
    SpeakerFactory(workshop=workshop, name="Luis Pérez", participation=Participation.REMOTE, position=1)
    return workshop


def _schedule(workshop, by, **extra):
    return session_schedule_from_workshop(workshop=workshop, starts_at=STARTS, ends_at=ENDS, by=by, **extra)


def make_session(edition, **fields):
    values = {
        "title": "A session",
        "starts_at": STARTS,
        "ends_at": ENDS,
        "is_published": True,
        **fields,
    }
    return Session.objects.create(edition=edition, **values)


# --- the scheduling service ---------------------------------------------------------


def test_schedule_copies_the_accepted_workshop(accepted, manager, track):
    session = _schedule(accepted, manager, room="Room C1", virtual_url="https://meet.example.org/c1")

    session = Session.objects.get(pk=session.pk)
    assert session.edition_id == accepted.call.edition_id
    assert session.workshop_id == accepted.pk
    assert (session.title, session.description) == ("Community networks", "How villages connect themselves.")
    assert (session.starts_at, session.ends_at) == (STARTS, ENDS)
    assert (session.room, session.virtual_url) == ("Room C1", "https://meet.example.org/c1")
    assert (session.session_format_id, session.track_id, session.language) == (
        accepted.session_format_id,
        track.pk,
        "fr",
    )
    assert (session.moderator, session.moderator_organisation) == ("Amina Diallo", "Internet Society")
    assert set(session.action_lines.all()) == set(accepted.action_lines.all())
    assert sorted(goal.number for goal in session.sdgs.all()) == [4, 9]
    assert [(s.name, s.title, s.participation) for s in session.speakers.all()] == [
        ("Grace Wanjiru", "Director", Participation.ON_SITE),
        ("Luis Pérez", "", Participation.REMOTE),
    ]
    assert session.is_published is False


def test_schedule_is_idempotent(accepted, manager):
    first = _schedule(accepted, manager)
    second = session_schedule_from_workshop(
        workshop=accepted, starts_at=STARTS + dt.timedelta(days=1), ends_at=ENDS + dt.timedelta(days=1), by=manager
    )

    assert second.pk == first.pk
    assert Session.objects.filter(workshop=accepted).count() == 1
    assert SessionSpeaker.objects.filter(session=first).count() == 2
    assert Session.objects.get(pk=first.pk).starts_at == STARTS


@pytest.mark.parametrize(
    "status",
    [OcpStatus.DRAFT, OcpStatus.SUBMITTED, OcpStatus.UNDER_REVIEW, OcpStatus.REJECTED, OcpStatus.CHANGES_REQUESTED],
)
def test_schedule_refuses_a_workshop_not_accepted(accepted, manager, status):
    type(accepted).objects.filter(pk=accepted.pk).update(status=status)
    accepted.refresh_from_db()

    with pytest.raises(AgendaError, match="only accepted workshops"):
        _schedule(accepted, manager)
    assert not Session.objects.exists()


@pytest.mark.parametrize("persona", ["viewer", "reviewer", "other_manager", "stakeholder"])
def test_schedule_needs_a_manager_of_the_tenant(accepted, persona, request):
    with pytest.raises(AgendaError, match="You may not schedule"):
        _schedule(accepted, request.getfixturevalue(persona))
    assert not Session.objects.exists()


def test_schedule_refuses_an_end_before_the_start(accepted, manager):
    with pytest.raises(AgendaError, match="end after it starts"):
        session_schedule_from_workshop(workshop=accepted, starts_at=ENDS, ends_at=STARTS, by=manager)
    assert not Session.objects.exists()


# --- the admin action ------------------------------------------------------------------


def _act(client, workshops, **extra):
    data = {"action": "schedule_as_session", helpers.ACTION_CHECKBOX_NAME: [w.pk for w in workshops], **extra}
    return client.post(reverse(CHANGELIST), data, follow=True)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_manager_schedules_through_the_intermediate_form(accepted, manager, admin_client_for):
    client = admin_client_for(manager)

    form_page = _act(client, [accepted])
    assert form_page.status_code == 200
    assert "admin/ocp/schedule_session.html" in [t.name for t in form_page.templates]
    assert "Geneva time" in form_page.content.decode()

    response = _act(
        client,
        [accepted],
        apply="1",
        day="2021-05-18",
        start="10:00",
        end="11:30",
        room="Room C1",
        virtual_url="https://meet.example.org/c1",
    )

    session = Session.objects.get(workshop=accepted)
    assert (session.starts_at, session.ends_at) == (
        dt.datetime(2021, 5, 18, 8, 0, tzinfo=UTC),
        dt.datetime(2021, 5, 18, 9, 30, tzinfo=UTC),
    )
    assert (session.room, session.virtual_url) == ("Room C1", "https://meet.example.org/c1")
    assert _messages(response) == [
        "WS-2021-00001 is scheduled as session “Community networks”; publish it to show it on the agenda."
    ]


def test_admin_form_errors_keep_the_form(accepted, manager, admin_client_for):
    response = _act(admin_client_for(manager), [accepted], apply="1", day="2021-05-18", start="11:00", end="10:00")

    assert response.status_code == 200
    assert "The session must end after it starts." in response.content.decode()
    assert not Session.objects.exists()


def test_admin_action_refuses_a_workshop_not_accepted(calls, author, manager, admin_client_for):
    submitted = WorkshopRequestFactory(call=calls["workshop"], owner=author, status=OcpStatus.SUBMITTED)

    response = _act(admin_client_for(manager), [submitted], apply="1", day="2021-05-18", start="10:00", end="11:00")

    assert not Session.objects.exists()
    assert any("only accepted workshops" in message for message in _messages(response))


def test_viewer_cannot_schedule(accepted, viewer, admin_client_for):
    client = admin_client_for(viewer)
    changelist = client.get(reverse(CHANGELIST))
    assert "schedule_as_session" not in changelist.content.decode()

    _act(client, [accepted], apply="1", day="2021-05-18", start="10:00", end="11:00")

    assert not Session.objects.exists()


def test_other_tenants_workshop_is_404(accepted, other_manager, admin_client_for):
    client = admin_client_for(other_manager)
    make_ocp_edition(other_manager.memberships.get().tenant, year=2021)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "schedule_as_session", helpers.ACTION_CHECKBOX_NAME: [accepted.pk]},
    )

    assert response.status_code == 404
    assert not Session.objects.exists()


def test_session_admin_lists_the_tenants_sessions_only(edition, other_tenant, manager, admin_client_for):
    make_session(edition, title="Ours")
    make_session(make_ocp_edition(other_tenant, year=2021), title="Theirs")

    response = admin_client_for(manager).get(reverse("admin:ocp_session_changelist"))

    assert response.status_code == 200
    assert [session.title for session in response.context["cl"].result_list] == ["Ours"]


# --- the public agenda --------------------------------------------------------------


def _agenda_url(tenant, **params):
    from urllib.parse import urlencode

    url = reverse("ocp:agenda", kwargs={"tenant_slug": tenant.slug})
    return f"{url}?{urlencode(params)}" if params else url


def _titles(response):
    return [session.title for day in response.context["days"] for session in day.sessions]


def test_agenda_groups_published_sessions_by_day_in_the_editions_time_zone(client, tenant, edition):
    make_session(edition, title="Opening", starts_at=STARTS, ends_at=ENDS)
    # 17 May, 22:30 UTC is 18 May, 00:30 in Geneva.
    make_session(
        edition,
        title="Night owls",
        starts_at=dt.datetime(2021, 5, 17, 22, 30, tzinfo=UTC),
        ends_at=dt.datetime(2021, 5, 17, 23, 30, tzinfo=UTC),
    )
    make_session(
        edition,
        title="Monday",
        starts_at=dt.datetime(2021, 5, 17, 9, 0, tzinfo=GENEVA),
        ends_at=dt.datetime(2021, 5, 17, 10, 0, tzinfo=GENEVA),
    )
    make_session(edition, title="Not yet published", is_published=False)

    response = client.get(_agenda_url(tenant))

    assert response.status_code == 200
    assert [(day.date, [s.title for s in day.sessions]) for day in response.context["days"]] == [
        (dt.date(2021, 5, 17), ["Monday"]),
        (dt.date(2021, 5, 18), ["Night owls", "Opening"]),
    ]
    content = response.content.decode()
    assert "Not yet published" not in content
    assert "17 May 2021" in content and "18 May 2021" in content
    assert "00:30" in content and "10:00" in content


def test_agenda_of_another_edition_by_year(client, tenant, edition):
    older = make_ocp_edition(tenant, year=2020)
    make_session(
        older, title="Last year", starts_at=STARTS - dt.timedelta(days=365), ends_at=ENDS - dt.timedelta(days=365)
    )
    make_session(edition, title="This year")

    assert _titles(client.get(_agenda_url(tenant))) == ["This year"]
    assert _titles(client.get(_agenda_url(tenant, edition=2020))) == ["Last year"]
    assert client.get(_agenda_url(tenant, edition=1999)).status_code == 404
    assert client.get(_agenda_url(tenant, edition="x")).status_code == 404


def test_agenda_never_shows_another_tenants_sessions(client, tenant, edition, other_tenant):
    make_session(make_ocp_edition(other_tenant, year=2021), title="Theirs")
    make_session(edition, title="Ours")

    assert _titles(client.get(_agenda_url(tenant))) == ["Ours"]


@pytest.fixture
def filterable(edition, track):
    formats = list(SessionFormat.objects.order_by("pk")[:2])
    lines = list(ActionLine.objects.order_by("pk")[:2])
    goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:2])
    first = make_session(edition, title="First", track=track, session_format=formats[0], language="fr")
    first.action_lines.set([lines[0]])
    first.sdgs.set(goals)
    second = make_session(edition, title="Second", session_format=formats[1], language="en")
    second.action_lines.set(lines)
    return {"track": track, "formats": formats, "lines": lines, "goals": goals}


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        ("track", lambda f: f["track"].pk, ["First"]),
        ("format", lambda f: f["formats"][1].pk, ["Second"]),
        ("action_line", lambda f: f["lines"][0].pk, ["First", "Second"]),
        ("action_line", lambda f: f["lines"][1].pk, ["Second"]),
        ("sdg", lambda f: f["goals"][1].pk, ["First"]),
        ("language", lambda f: "en", ["Second"]),
        ("language", lambda f: "xx", ["First", "Second"]),  # not a choice: ignored
        ("track", lambda f: "nonsense", ["First", "Second"]),
    ],
)
def test_agenda_filters(client, tenant, filterable, param, value, expected):
    response = client.get(_agenda_url(tenant, **{param: value(filterable)}))

    assert response.status_code == 200
    assert _titles(response) == expected


def test_agenda_filter_form_is_labelled(client, tenant, filterable):
    content = client.get(_agenda_url(tenant)).content.decode()

    for name in ["track", "format", "action_line", "sdg", "language"]:
        assert f'<label class="form-label" for="id_{name}">' in content
        assert f'id="id_{name}"' in content


def test_agenda_without_edition(client, tenant):
    response = client.get(_agenda_url(tenant))

    assert response.status_code == 200
    assert "No edition has been published yet." in response.content.decode()


def _make_sessions(edition, count):
    formats = list(SessionFormat.objects.order_by("pk")[:2])
    lines = list(ActionLine.objects.order_by("pk")[:2])
    goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:2])
    track = factories.TrackFactory(edition=edition)
    for index in range(count):
        session = make_session(
            edition,
            title=f"Session {index}",
            starts_at=STARTS + dt.timedelta(hours=index),
            ends_at=ENDS + dt.timedelta(hours=index),
            track=track,
            session_format=formats[index % 2],
            language="en",
        )
        session.action_lines.set(lines)
        session.sdgs.set(goals)
        SessionSpeaker.objects.create(session=session, name=f"Speaker {index}")


AGENDA_QUERIES = 10  # tenant, edition, 4 filter choice lists, sessions and 3 prefetches


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize("params", [{}, {"action_line": "FIRST"}])
def test_agenda_query_count_is_constant(client, tenant, edition, django_assert_max_num_queries, count, params):
    _make_sessions(edition, count)
    if params:
        params = {"action_line": ActionLine.objects.order_by("pk").first().pk}

    with django_assert_max_num_queries(AGENDA_QUERIES):
        response = client.get(_agenda_url(tenant, **params))

    assert len(_titles(response)) == count


@pytest.mark.parametrize("count", [1, 50])
def test_agenda_ics_query_count_is_constant(client, tenant, edition, django_assert_max_num_queries, count):
    _make_sessions(edition, count)

    with django_assert_max_num_queries(AGENDA_QUERIES):
        response = client.get(reverse("ocp:agenda_ics", kwargs={"tenant_slug": tenant.slug}))

    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == count


# --- a session's page ------------------------------------------------------------------


def _session_url(tenant, session, ics=False):
    return reverse("ocp:session_ics" if ics else "ocp:session", kwargs={"tenant_slug": tenant.slug, "pk": session.pk})


def test_session_page_is_public(client, tenant, edition, accepted, manager):
    session = _schedule(accepted, manager, room="Room C1", virtual_url="https://meet.example.org/c1")
    Session.objects.filter(pk=session.pk).update(is_published=True)

    response = client.get(_session_url(tenant, session))

    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "Community networks",
        "18 May 2021, 10:00 Geneva time (UTC+2) – 11:30",
        "Room C1",
        "https://meet.example.org/c1",
        "Amina Diallo, Internet Society",
        "Grace Wanjiru, Director, Kenya ICT Network",
        "Luis Pérez, Kenya ICT Network (Remote)",
        "SDG 4",
        "ICTs and Youth",
        _session_url(tenant, session, ics=True),
    ]:
        assert text in content, text


@pytest.mark.parametrize("ics", [False, True])
def test_unpublished_session_is_404(client, tenant, edition, ics):
    session = make_session(edition, is_published=False)

    assert client.get(_session_url(tenant, session, ics=ics)).status_code == 404


@pytest.mark.parametrize("ics", [False, True])
def test_other_tenants_session_is_404(client, tenant, edition, other_tenant, ics):
    theirs = make_session(make_ocp_edition(other_tenant, year=2021), title="Theirs")

    assert client.get(_session_url(tenant, theirs, ics=ics)).status_code == 404
    assert client.get(_session_url(other_tenant, theirs, ics=ics)).status_code == 200


def test_session_page_query_count(client, tenant, edition, django_assert_max_num_queries):
    _make_sessions(edition, 1)
    session = Session.objects.get()

    with django_assert_max_num_queries(5):
        assert client.get(_session_url(tenant, session)).status_code == 200


# --- iCalendar -----------------------------------------------------------------------


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_session_ics(client, tenant, edition, accepted, manager):
    session = _schedule(accepted, manager, room="Room C1")
    Session.objects.filter(pk=session.pk).update(is_published=True)

    [event] = _events(client.get(_session_url(tenant, session, ics=True)))

    assert str(event["UID"]) == f"ocp-session-{session.pk}@wsis.wsis-portal"
    assert event.decoded("DTSTART") == dt.datetime(2021, 5, 18, 8, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == dt.datetime(2021, 5, 18, 9, 30, tzinfo=UTC)
    assert event["DTSTART"].to_ical() == b"20210518T080000Z"
    assert str(event["SUMMARY"]) == "Community networks"
    assert str(event["DESCRIPTION"]) == (
        "How villages connect themselves.\n\nModerator: Amina Diallo\n\nSpeakers: Grace Wanjiru, Luis Pérez"
    )
    assert str(event["LOCATION"]) == "Room C1"
    assert str(event["URL"]) == f"http://testserver{_session_url(tenant, session)}"


def test_session_ics_uses_the_link_when_there_is_no_room(client, tenant, edition):
    session = make_session(edition, title="Online only", virtual_url="https://meet.example.org/x")

    [event] = _events(client.get(_session_url(tenant, session, ics=True)))

    assert str(event["LOCATION"]) == "https://meet.example.org/x"
    assert "DESCRIPTION" not in event


def test_uid_is_stable_and_per_tenant(client, tenant, edition):
    session = make_session(edition)

    first = _events(client.get(_session_url(tenant, session, ics=True)))[0]["UID"]
    again = _events(client.get(_session_url(tenant, session, ics=True)))[0]["UID"]
    whole = _events(client.get(reverse("ocp:agenda_ics", kwargs={"tenant_slug": tenant.slug})))[0]["UID"]

    assert str(first) == str(again) == str(whole)
    assert tenant.slug in str(first)


def test_agenda_ics_is_filtered_and_published_only(client, tenant, filterable, edition):
    make_session(edition, title="Hidden", is_published=False)
    url = reverse("ocp:agenda_ics", kwargs={"tenant_slug": tenant.slug})

    everything = _events(client.get(url))
    french = _events(client.get(f"{url}?language=fr"))

    assert sorted(str(event["SUMMARY"]) for event in everything) == ["First", "Second"]
    assert [str(event["SUMMARY"]) for event in french] == ["First"]
    cal = Calendar.from_ical(client.get(url).content)
    assert str(cal["X-WR-CALNAME"]) == "WSIS Forum 2021: agenda"


def test_agenda_ics_without_edition_is_404(client, tenant):
    assert client.get(reverse("ocp:agenda_ics", kwargs={"tenant_slug": tenant.slug})).status_code == 404
