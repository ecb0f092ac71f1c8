"""The call for update: owners confirm or update their published entries while
the edition's ``stocktaking_update`` call is open; entries not confirmed for
``STOCKTAKING_STALE_AFTER_YEARS`` years are stale."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stocktaking import services, updates
from stocktaking.models import Entry
from tests import factories
from wsis_portal.editions.enums import CallKind

pytestmark = pytest.mark.django_db

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
OPENS = dt.datetime(2026, 1, 5, 0, 0, tzinfo=GENEVA)
DEADLINE = dt.datetime(2026, 2, 27, 23, 0, tzinfo=GENEVA)
DURING = dt.datetime(2026, 2, 1, 12, 0, tzinfo=GENEVA)


@pytest.fixture
def update_call(tenant):
    edition = factories.EditionFactory(tenant=tenant, year=2026, timezone="Europe/Zurich")
    call = factories.CallFactory(edition=edition, kind=CallKind.STOCKTAKING_UPDATE, title="Call for update 2026")
    factories.PhaseFactory(call=call, opens_at=OPENS, closes_at=DEADLINE)
    return call


@pytest.fixture
def published(make_entry, stakeholder, manager):
    """A published entry of the stakeholder, first published in 2023."""

    def make(**fields):
        entry = make_entry(**fields)
        services.entry_submit(entry=entry, by=stakeholder)
        services.entry_publish(entry=entry, by=manager, now=dt.datetime(2023, 3, 1, tzinfo=dt.UTC))
        entry.refresh_from_db()
        return entry

    return make


def test_publishing_counts_as_a_confirmation(published):
    entry = published()

    assert entry.confirmed_at == dt.datetime(2023, 3, 1, tzinfo=dt.UTC)


def test_publishing_a_revision_counts_as_a_confirmation(published, stakeholder, manager):
    entry = published()
    revision = services.entry_update(entry=entry, by=stakeholder, data={"title": "Renamed"})
    services.entry_submit(entry=revision, by=stakeholder)
    when = dt.datetime(2026, 2, 2, tzinfo=dt.UTC)

    services.entry_publish(entry=revision, by=manager, now=when)

    entry.refresh_from_db()
    assert (entry.title, entry.confirmed_at) == ("Renamed", when)


def test_confirm_while_the_call_is_open_sets_the_date_and_keeps_history(published, stakeholder, update_call):
    entry = published()

    with time_machine.travel(DURING, tick=False):
        updates.entry_confirm(entry=entry, by=stakeholder)

    entry.refresh_from_db()
    assert entry.confirmed_at == DURING
    latest = entry.history.order_by("-history_id").first()
    assert (latest.history_change_reason, latest.confirmed_at, latest.history_user) == (
        "confirmed",
        DURING,
        stakeholder,
    )


def test_confirm_is_refused_at_the_deadline_to_the_second(published, stakeholder, update_call):
    entry = published()

    with time_machine.travel(DEADLINE - dt.timedelta(seconds=1), tick=False):
        updates.entry_confirm(entry=entry, by=stakeholder)
    other = published(title="Another entry")
    with time_machine.travel(DEADLINE, tick=False), pytest.raises(services.ModerationError) as refused:
        updates.entry_confirm(entry=other, by=stakeholder)

    assert (
        refused.value.message
        == "The deadline passed on 27 February 2026, 23:00 Geneva time (UTC+1); nothing can be changed any more."
    )


def test_confirm_before_the_call_opens_says_when_it_opens(published, stakeholder, update_call):
    entry = published()

    with (
        time_machine.travel(OPENS - dt.timedelta(seconds=1), tick=False),
        pytest.raises(services.ModerationError) as refused,
    ):
        updates.entry_confirm(entry=entry, by=stakeholder)

    assert refused.value.message.startswith("This call opens on 5 January 2026")


def test_confirm_refuses_twice_in_a_call_another_person_and_a_draft(published, make_entry, stakeholder, update_call):
    entry = published()
    stranger = factories.UserFactory()

    with time_machine.travel(DURING, tick=False):
        updates.entry_confirm(entry=entry, by=stakeholder)
        with pytest.raises(services.ModerationError):
            updates.entry_confirm(entry=entry, by=stakeholder)
        with pytest.raises(services.ModerationError):
            updates.entry_confirm(entry=published(title="Other"), by=stranger)
        with pytest.raises(services.ModerationError):
            updates.entry_confirm(entry=make_entry(title="Draft"), by=stakeholder)


def test_confirm_without_any_call_is_refused(published, stakeholder):
    with pytest.raises(services.ModerationError) as refused:
        updates.entry_confirm(entry=published(), by=stakeholder)

    assert refused.value.message == "There is no call for update at the moment."


def test_stale_after_the_configured_years(published, settings):
    settings.STOCKTAKING_STALE_AFTER_YEARS = 2
    old = published(title="Old")
    fresh = published(title="Fresh")
    Entry.objects.filter(pk=fresh.pk).update(confirmed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    now = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)

    stale = updates.filter_freshness(Entry.objects.all(), updates.STALE, now=now)
    up_to_date = updates.filter_freshness(Entry.objects.all(), updates.FRESH, now=now)

    assert [entry.title for entry in stale] == ["Old"]
    assert [entry.title for entry in up_to_date] == ["Fresh"]
    assert old.is_stale(before=updates.stale_before(now))
    settings.STOCKTAKING_STALE_AFTER_YEARS = 3
    assert updates.filter_freshness(Entry.objects.all(), updates.STALE, now=now).count() == 0


def _url(name, tenant, **kwargs):
    return reverse(f"stocktaking:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_mine_lists_what_awaits_an_update_with_confirm_and_update(client, tenant, published, stakeholder, update_call):
    entry = published(title="Telemedicine")
    client.force_login(stakeholder)

    with time_machine.travel(DURING, tick=False):
        response = client.get(_url("mine", tenant))

    assert [row["entry"].title for row in response.context["awaiting"]] == ["Telemedicine"]
    content = response.content.decode()
    assert _url("confirm", tenant, pk=entry.pk) in content
    assert "Confirm: still accurate" in content
    assert response.context["update_deadline"] == DEADLINE


def test_mine_shows_no_call_once_it_closed(client, tenant, published, stakeholder, update_call):
    published()
    client.force_login(stakeholder)

    with time_machine.travel(DEADLINE, tick=False):
        response = client.get(_url("mine", tenant))

    assert response.context["update_call"] is None
    assert "Confirm: still accurate" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 15])
def test_mine_query_count_is_constant(
    client, tenant, published, stakeholder, update_call, django_assert_num_queries, count
):
    for number in range(count):
        published(title=f"Entry {number}")
    client.force_login(stakeholder)

    # Session, user, tenant, entries + revisions, calls for update + phases + extensions, awaiting + revisions.
    with time_machine.travel(DURING, tick=False), django_assert_num_queries(9):
        response = client.get(_url("mine", tenant))

    assert len(response.context["awaiting"]) == count


def test_confirm_view_confirms_and_leaves_the_list(client, tenant, published, stakeholder, update_call):
    entry = published(title="Telemedicine")
    client.force_login(stakeholder)

    with time_machine.travel(DURING, tick=False):
        response = client.post(_url("confirm", tenant, pk=entry.pk), follow=True)

    assert response.redirect_chain == [(_url("mine", tenant), 302)]
    assert response.context["awaiting"] == []
    assert "Thank you: “Telemedicine” is confirmed as up to date." in response.content.decode()


def test_confirm_view_answers_404_for_another_owner_and_another_tenant(
    client, tenant, other_tenant, published, make_entry, stakeholder, update_call
):
    entry = published()
    stranger = factories.UserFactory()
    client.force_login(stranger)

    assert client.post(_url("confirm", tenant, pk=entry.pk)).status_code == 404
    client.force_login(stakeholder)
    assert client.post(_url("confirm", other_tenant, pk=entry.pk)).status_code == 404


def test_entry_page_marks_a_stale_entry(client, tenant, published, settings):
    entry = published()

    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), tick=False):
        response = client.get(_url("detail", tenant, pk=entry.pk))

    assert "Stale: last confirmed in 2023" in response.content.decode()
    Entry.objects.filter(pk=entry.pk).update(confirmed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), tick=False):
        response = client.get(_url("detail", tenant, pk=entry.pk))
    assert "Stale:" not in response.content.decode()


def test_search_marks_stale_entries_and_filters_them(client, tenant, published):
    published(title="Old")
    fresh = published(title="Fresh")
    Entry.objects.filter(pk=fresh.pk).update(confirmed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))

    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), tick=False):
        everything = client.get(_url("search", tenant), {"sort": "title"})
        stale = client.get(_url("search", tenant), {"freshness": "stale"})
        up_to_date = client.get(_url("search", tenant), {"freshness": "fresh"})

    assert [entry.title for entry in everything.context["page"]] == ["Fresh", "Old"]
    assert everything.content.decode().count("Stale: last confirmed in 2023") == 1
    assert [entry.title for entry in stale.context["page"]] == ["Old"]
    assert [entry.title for entry in up_to_date.context["page"]] == ["Fresh"]


def test_a_confirmation_shows_at_once_in_the_stale_filter_count(client, tenant, published, stakeholder, update_call):
    entry = published(title="Old")
    published(title="Older")

    with time_machine.travel(DURING, tick=False):
        before = client.get(_url("search", tenant), {"freshness": "stale"})
        updates.entry_confirm(entry=entry, by=stakeholder)
        after = client.get(_url("search", tenant), {"freshness": "stale"})

    assert before.context["count"] == 2
    assert after.context["count"] == 1
    assert [row.title for row in after.context["page"]] == ["Older"]
    assert "1 entry found" in after.content.decode()


def test_stale_filter_adds_no_query_to_the_search_page(client, tenant, published):
    published(title="Old")
    client.get(_url("search", tenant), {"kind": "website"})  # the choice lists are cached from here on

    with CaptureQueriesContext(connection) as plain:
        client.get(_url("search", tenant), {"kind": "project"})
    with CaptureQueriesContext(connection) as stale:
        response = client.get(_url("search", tenant), {"kind": "project", "freshness": "stale"})

    assert response.context["count"] == 1
    assert len(stale) == len(plain)
