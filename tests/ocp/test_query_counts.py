"""OCP lists without a query-count test elsewhere: the same number of queries
with 1 and with 50 rows. (The entries' changelists are in test_admin.py, the
agenda and its iCalendar file in test_agenda.py, the overview and "My
submissions" in test_views.py, the final brief in test_brief.py.)"""

import datetime as dt

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ocp.models import Session, SessionSpeaker
from tests import factories
from tests.ocp.conftest import GENEVA
from wsis_portal.reference.models import ActionLine, SessionFormat, SustainableDevelopmentGoal

# Measured: 13 (session, user, memberships and tenants, the counts, the page of
# rows with its joins, and the filters' choices: editions, tracks, formats,
# Action Lines and SDGs), with 1 and with 50 rows.
SESSION_CHANGELIST_QUERIES = 13


def _add_sessions(edition, *, start: int, stop: int) -> None:
    track = factories.TrackFactory(edition=edition)
    session_format = SessionFormat.objects.order_by("pk").first()
    lines = list(ActionLine.objects.order_by("pk")[:2])
    goals = list(SustainableDevelopmentGoal.objects.order_by("number")[:2])
    for index in range(start, stop):
        starts_at = dt.datetime(2021, 5, 17, 9, tzinfo=GENEVA) + dt.timedelta(hours=index)
        session = Session.objects.create(
            edition=edition,
            title=f"Session {index}",
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=45),
            room="Room C1",
            track=track,
            session_format=session_format,
            is_published=index % 2 == 0,
        )
        session.action_lines.set(lines)
        session.sdgs.set(goals)
        SessionSpeaker.objects.create(session=session, name=f"Speaker {index}")


def _count_queries(client, url):
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_session_changelist_query_count_is_the_same_for_1_and_50_rows(edition, manager, admin_client_for):
    client = admin_client_for(manager)
    url = reverse("admin:ocp_session_changelist")
    client.get(url)  # the first request of a session caches what later ones reuse

    _add_sessions(edition, start=0, stop=1)
    with_one, response_one = _count_queries(client, url)
    _add_sessions(edition, start=1, stop=50)
    with_fifty, response_fifty = _count_queries(client, url)

    assert (response_one.context["cl"].result_count, response_fifty.context["cl"].result_count) == (1, 50)
    assert with_one == with_fifty, [query["sql"] for query in connection.queries]
    assert with_fifty <= SESSION_CHANGELIST_QUERIES
