"""Public and stakeholder pages: allowed, denied, other tenant, anonymous, query counts."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from tests import factories
from tests.sampleapp.models import SampleEntry
from wsis_portal.editions.enums import CallKind, EditionStatus
from wsis_portal.editions.selectors import submission_models

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
NOW = dt.datetime(2021, 1, 20, 12, 0, tzinfo=GENEVA)


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def _edition_with_calls(tenant, *, calls=1, year=2021):
    edition = factories.EditionFactory(tenant=tenant, year=year, title=f"WSIS Forum {year}")
    kinds = list(CallKind.values)
    for index in range(calls):
        call = factories.CallFactory(edition=edition, kind=kinds[index], title=f"Call number {index}")
        factories.PhaseFactory(
            call=call,
            opens_at=dt.datetime(2020, 11, 5, tzinfo=GENEVA),
            closes_at=dt.datetime(2021, 1, 25, 23, 0, tzinfo=GENEVA),
        )
    return edition


def test_tenant_home_shows_open_calls_with_geneva_deadline(client, tenant):
    edition = _edition_with_calls(tenant)
    factories.MeetingFactory(
        edition=edition,
        title="Final OCP meeting",
        starts_at=dt.datetime(2021, 2, 1, 14, 0, tzinfo=GENEVA),
        ends_at=dt.datetime(2021, 2, 1, 15, 0, tzinfo=GENEVA),
    )
    response = client.get(reverse("editions:tenant_home", kwargs={"tenant_slug": "wsis"}))
    assert response.status_code == 200
    assert response.context["edition"] == edition
    assert [call.title for call in response.context["open_calls"]] == ["Call number 0"]
    content = response.content.decode()
    assert "25 January 2021, 23:00 Geneva time (UTC+1)" in content
    assert 'datetime="2021-01-25T22:00:00+00:00"' in content
    assert "Final OCP meeting" in content


def test_tenant_home_hides_closed_and_future_calls(client, tenant):
    edition = _edition_with_calls(tenant)
    closed = factories.CallFactory(edition=edition, kind=CallKind.PHOTO, title="Closed call")
    factories.PhaseFactory(call=closed, opens_at=NOW - dt.timedelta(days=30), closes_at=NOW - dt.timedelta(seconds=1))
    future = factories.CallFactory(edition=edition, kind=CallKind.HLTF, title="Future call")
    factories.PhaseFactory(call=future, opens_at=NOW + dt.timedelta(seconds=1), closes_at=NOW + dt.timedelta(days=3))
    response = client.get("/wsis/")
    assert [call.title for call in response.context["open_calls"]] == ["Call number 0"]


def test_tenant_home_ignores_draft_editions_and_other_tenants(client, tenant, other_tenant):
    factories.EditionFactory(tenant=tenant, year=2022, status=EditionStatus.DRAFT, title="Secret draft")
    _edition_with_calls(other_tenant, year=2021)
    response = client.get("/wsis/")
    assert response.status_code == 200
    assert response.context["edition"] is None
    assert "Secret draft" not in response.content.decode()


def test_unknown_or_inactive_tenant_answers_404(client, tenant):
    assert client.get("/nowhere/").status_code == 404
    tenant.is_active = False
    tenant.save()
    assert client.get("/wsis/").status_code == 404


def test_platform_home_redirects_to_the_only_tenant(client, tenant):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/wsis/"


def test_platform_home_lists_tenants_when_several(client, tenant, other_tenant):
    response = client.get("/")
    assert response.status_code == 200
    assert [t.slug for t in response.context["tenants"]] == ["regional", "wsis"]


def test_edition_detail_shows_phases_and_states(client, tenant):
    _edition_with_calls(tenant, calls=2)
    response = client.get("/wsis/editions/2021/")
    assert response.status_code == 200
    states = [[row.state for row in rows] for _, rows in response.context["calls"]]
    assert states == [["open"], ["open"]]


def test_edition_of_another_tenant_answers_404(client, tenant, other_tenant):
    _edition_with_calls(other_tenant, year=2023)
    assert client.get("/wsis/editions/2023/").status_code == 404
    assert client.get("/regional/editions/2023/").status_code == 200


def test_draft_edition_answers_404_to_visitors_and_opens_for_staff(client, tenant, manager, other_manager):
    factories.EditionFactory(tenant=tenant, year=2024, status=EditionStatus.DRAFT)
    assert client.get("/wsis/editions/2024/").status_code == 404
    client.force_login(other_manager)
    assert client.get("/wsis/editions/2024/").status_code == 404
    client.force_login(manager)
    assert client.get("/wsis/editions/2024/").status_code == 200


def test_my_submissions_asks_anonymous_to_log_in(client, tenant):
    response = client.get("/wsis/my-submissions/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/wsis/my-submissions/"


def _entry(call, owner, title):
    return SampleEntry.objects.create(tenant=call.edition.tenant, call=call, owner=owner, title=title)


def test_my_submissions_lists_only_own_entries_in_this_tenant(client, tenant, other_tenant, stakeholder):
    call = _edition_with_calls(tenant).calls.get()
    other_call = _edition_with_calls(other_tenant).calls.get()
    _entry(call, stakeholder, "Mine here")
    _entry(call, factories.UserFactory(), "Someone else's")
    _entry(other_call, stakeholder, "Mine elsewhere")
    client.force_login(stakeholder)
    response = client.get("/wsis/my-submissions/")
    assert response.status_code == 200
    assert [entry.title for entry in response.context["submissions"]] == ["Mine here"]
    content = response.content.decode()
    assert "Someone else" not in content
    assert "Mine elsewhere" not in content


@pytest.mark.parametrize("rows", [1, 12])
def test_my_submissions_query_count(client, tenant, stakeholder, django_assert_max_num_queries, rows):
    call = _edition_with_calls(tenant).calls.get()
    for index in range(rows):
        _entry(call, stakeholder, f"Entry {index}")
    client.force_login(stakeholder)
    # Session, user, tenant, then one query per kind of submission, plus two
    # (phases, extensions) for the kind that has rows: never one per row.
    with django_assert_max_num_queries(5 + len(submission_models()) + 2):
        response = client.get("/wsis/my-submissions/")
    assert len(response.context["submissions"]) == rows


@pytest.mark.parametrize("calls", [1, 9])
def test_tenant_home_query_count(client, tenant, django_assert_max_num_queries, calls):
    _edition_with_calls(tenant, calls=calls)
    with django_assert_max_num_queries(8):
        response = client.get("/wsis/")
    assert len(response.context["open_calls"]) == calls


@pytest.mark.parametrize("calls", [1, 9])
def test_edition_detail_query_count(client, tenant, django_assert_max_num_queries, calls):
    edition = _edition_with_calls(tenant, calls=calls)
    for index in range(calls):
        factories.TrackFactory(edition=edition, name=f"Track {index}")
    with django_assert_max_num_queries(8):
        response = client.get("/wsis/editions/2021/")
    assert len(response.context["calls"]) == calls
