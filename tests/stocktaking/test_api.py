import datetime as dt
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.throttling import AnonRateThrottle

from stocktaking.enums import EntryKind
from stocktaking.models import Entry
from tests.stocktaking.openapi import api_schema, assert_matches_schema
from wsis_portal.reference.models import ActionLine, Region, SustainableDevelopmentGoal

pytestmark = pytest.mark.django_db

API = "/api/v1/wsis/stocktaking"


@pytest.fixture(autouse=True)
def _generous_throttle(monkeypatch):
    # The throttle counts in the shared cache by address: each test its own
    # address, so that neither earlier tests nor parallel runs trip it.
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute"})


@pytest.fixture
def api(client):
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"

    def get(url, **params):
        response = client.get(url, params, REMOTE_ADDR=address)
        assert_matches_schema(response)
        return response

    return get


def test_schema_is_valid_openapi():
    schema = api_schema()

    validate_schema(schema)
    assert sorted(schema["paths"]) == [
        "/api/v1/{tenant_slug}/stocktaking/action-lines/",
        "/api/v1/{tenant_slug}/stocktaking/action-lines/{id}/",
        "/api/v1/{tenant_slug}/stocktaking/entries/",
        "/api/v1/{tenant_slug}/stocktaking/entries/{id}/",
        "/api/v1/{tenant_slug}/stocktaking/regions/",
        "/api/v1/{tenant_slug}/stocktaking/regions/{id}/",
        "/api/v1/{tenant_slug}/stocktaking/sdgs/",
        "/api/v1/{tenant_slug}/stocktaking/sdgs/{id}/",
    ]


def test_schema_generates_without_warnings(tmp_path):
    # A warning means a guessed type (e.g. an untyped path parameter).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


def test_schema_is_served_as_json(client):
    response = client.get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"] == "3.1.0"


def test_entry_list_shows_only_published_entries_of_the_tenant(api, tenant, other_tenant, make_entry, make_published):
    published = make_published(title="Public project")
    make_entry(title="Draft project")
    make_published(title="Other forum's project", target_tenant=other_tenant)

    response = api(f"{API}/entries/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["title"] for item in body["results"]] == ["Public project"]
    item = body["results"][0]
    assert item["id"] == published.pk
    assert item["url"] == f"http://testserver/wsis/stocktaking/{published.pk}/"
    assert item["countries"] == ["KE"]
    assert item["action_lines"] == [{"id": ActionLine.objects.get(code="C4").pk, "code": "C4"}]
    assert item["regions"] == [{"id": Region.objects.get(name="Africa").pk, "name": "Africa"}]
    assert item["stakeholder_type"] == {"id": published.stakeholder_type.pk, "name": published.stakeholder_type.name}


def test_entry_list_applies_the_search_filters(api, tenant, make_published):
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    make_published(title="Telemedicine training", kind=EntryKind.TRAINING, sdgs=[goal])
    make_published(title="Telemedicine project", kind=EntryKind.PROJECT)
    make_published(title="Open data portal", kind=EntryKind.TRAINING, countries=["NG"])

    def titles(**params):
        return [item["title"] for item in api(f"{API}/entries/", sort="title", **params).json()["results"]]

    assert titles(kind="training") == ["Open data portal", "Telemedicine training"]
    assert titles(sdg=goal.pk) == ["Telemedicine training"]
    assert titles(country="NG") == ["Open data portal"]
    assert titles(q="telemedicine", kind="project") == ["Telemedicine project"]


def test_entry_list_filters_by_last_confirmation_as_the_search_page(api, client, tenant, make_published):
    make_published(title="Never confirmed")
    old = make_published(title="Confirmed in 2023")
    fresh = make_published(title="Confirmed in 2025")
    Entry.objects.filter(pk=old.pk).update(confirmed_at=dt.datetime(2023, 3, 1, tzinfo=dt.UTC))
    Entry.objects.filter(pk=fresh.pk).update(confirmed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))

    def titles(**params):
        return [item["title"] for item in api(f"{API}/entries/", sort="title", **params).json()["results"]]

    with time_machine.travel(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), tick=False):
        stale = titles(freshness="stale")
        up_to_date = titles(freshness="fresh")
        everything = titles()
        page = client.get(reverse("stocktaking:search", kwargs={"tenant_slug": tenant.slug}), {"freshness": "stale"})

    assert stale == ["Confirmed in 2023", "Never confirmed"]
    assert up_to_date == ["Confirmed in 2025"]
    assert everything == ["Confirmed in 2023", "Confirmed in 2025", "Never confirmed"]
    assert sorted(entry.title for entry in page.context["page"]) == stale


def test_entry_shows_when_its_owner_last_confirmed_it(api, make_published):
    never = make_published(title="Never confirmed")
    confirmed = make_published(title="Confirmed in 2025")
    Entry.objects.filter(pk=confirmed.pk).update(confirmed_at=dt.datetime(2025, 6, 1, 9, 30, tzinfo=dt.UTC))

    items = {item["id"]: item for item in api(f"{API}/entries/").json()["results"]}

    assert items[never.pk]["confirmed_at"] is None
    assert items[confirmed.pk]["confirmed_at"] == "2025-06-01T09:30:00Z"


def test_entry_list_documents_the_freshness_filter():
    operation = api_schema()["paths"]["/api/v1/{tenant_slug}/stocktaking/entries/"]["get"]
    freshness = next(parameter for parameter in operation["parameters"] if parameter["name"] == "freshness")

    assert freshness["in"] == "query"
    assert freshness["schema"]["enum"] == ["fresh", "stale"]


def test_entry_list_rejects_an_invalid_filter(api, tenant):
    response = api(f"{API}/entries/", kind="spaceship", year="1200", freshness="recent")

    assert response.status_code == 400
    assert sorted(response.json()) == ["freshness", "kind", "year"]


def test_entry_list_paginates_with_a_maximum_page_size(api, tenant, make_published, settings):
    for number in range(3):
        make_published(title=f"Entry {number}")

    first = api(f"{API}/entries/", page_size=2, sort="title").json()
    second = api(f"{API}/entries/", page_size=2, sort="title", page=2).json()
    capped = api(f"{API}/entries/", page_size=1000)

    assert [item["title"] for item in first["results"]] == ["Entry 0", "Entry 1"]
    assert first["next"] == f"http://testserver{API}/entries/?page=2&page_size=2&sort=title"
    assert [item["title"] for item in second["results"]] == ["Entry 2"]
    assert second["next"] is None
    assert capped.status_code == 200
    assert api(f"{API}/entries/", page=9).status_code == 404


@pytest.mark.parametrize("count", [1, 50])
def test_entry_list_query_count_is_constant(api, tenant, make_published, django_assert_num_queries, count):
    for number in range(count):
        make_published(title=f"Entry {number}")

    # tenant (middleware), count, page, four prefetches.
    with django_assert_num_queries(7):
        response = api(f"{API}/entries/")

    assert response.json()["count"] == count


def test_entry_detail_of_published_entry(api, tenant, make_published):
    entry = make_published(title="Public project")

    response = api(f"{API}/entries/{entry.pk}/")

    assert response.status_code == 200
    assert response.json()["title"] == "Public project"


def test_entry_detail_of_draft_or_other_tenant_answers_404(api, tenant, other_tenant, make_entry, make_published):
    draft = make_entry(title="Draft")
    elsewhere = make_published(title="Elsewhere", target_tenant=other_tenant)

    assert api(f"{API}/entries/{draft.pk}/").status_code == 404
    assert api(f"{API}/entries/{elsewhere.pk}/").status_code == 404


def test_unknown_tenant_answers_404(client, tenant):
    # The portal's 404 page, answered by the tenant middleware before the API.
    assert client.get("/api/v1/nowhere/stocktaking/entries/").status_code == 404


def test_reference_lists(api, tenant):
    lines = api(f"{API}/action-lines/", page_size=100).json()
    goals = api(f"{API}/sdgs/", page_size=100).json()
    regions = api(f"{API}/regions/", page_size=100).json()
    africa = Region.objects.get(name="Africa")
    one = api(f"{API}/regions/{africa.pk}/").json()

    assert lines["count"] == ActionLine.objects.count()
    assert [goal["number"] for goal in goals["results"]] == list(range(1, 18))
    assert regions["count"] == Region.objects.count()
    assert one["name"] == "Africa"


def test_api_is_read_only(client, tenant):
    response = client.post(f"{API}/entries/", {}, content_type="application/json")

    assert response.status_code == 405


def test_anonymous_clients_are_throttled(api, tenant, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})

    statuses = [api(f"{API}/sdgs/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
