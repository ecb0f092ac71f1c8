"""Regional reports and special collections: public pages, figures, tenant
isolation and constant query counts."""

import pytest
from django.urls import reverse

from stocktaking import reports
from stocktaking.models import Collection
from tests.stocktaking.conftest import publish_directly
from wsis_portal.reference.models import StakeholderType, SustainableDevelopmentGoal

pytestmark = pytest.mark.django_db


def _url(name, tenant, **kwargs):
    return reverse(f"stocktaking:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_region_report_counts_the_regions_entries_active_that_year(tenant, make_published, make_entry, africa):
    government = StakeholderType.objects.get(slug="government")
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    make_published(title="Kenya schools", countries=["KE"], start_year=2019, sdgs=[goal])
    make_published(title="Senegal clinics", countries=["SN", "KE"], start_year=2020, stakeholder_type=government)
    make_published(title="Ended", countries=["NG"], start_year=2010, end_year=2015)
    make_published(title="Elsewhere", countries=["FR"], start_year=2019)
    make_entry(title="Draft", countries=["KE"], start_year=2019)

    report = reports.region_report(tenant=tenant, region=africa, year=2020)

    assert report.entries == 2
    tables = {table.slug: [(row.label, row.count) for row in table.rows] for table in report.tables}
    assert tables["countries"] == [("Kenya", 2), ("Senegal", 1)]
    assert tables["action-lines"] == [("C4 Capacity building", 2)]
    assert tables["sdgs"] == [(str(goal), 1)]
    assert tables["stakeholder-types"] == [("Civil Society", 1), ("Government", 1)]


def test_report_page_shows_charts_tables_and_entries(client, tenant, make_published, africa):
    make_published(title="Kenya schools", countries=["KE"], start_year=2019)

    response = client.get(_url("report", tenant, region=africa.slug, year=2020))

    assert response.status_code == 200
    content = response.content.decode()
    assert content.count('<svg role="img"') == 4
    assert "Kenya schools" in content
    assert f"?region={africa.pk}&amp;year=2020" in content


def test_report_page_answers_404_for_an_unknown_region_or_year(client, tenant, africa):
    assert client.get(_url("report", tenant, region="atlantis", year=2020)).status_code == 404
    assert client.get(_url("report", tenant, region=africa.slug, year=1200)).status_code == 404


def test_report_page_shows_only_the_tenants_entries(client, tenant, other_tenant, make_published, africa):
    make_published(title="Other forum's entry", target_tenant=other_tenant)

    response = client.get(_url("report", tenant, region=africa.slug, year=2020))

    assert response.context["report"].entries == 0
    assert "Other forum's entry" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 25])
def test_report_page_query_count_is_constant(client, tenant, make_published, africa, django_assert_num_queries, count):
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    for number in range(count):
        make_published(title=f"Entry {number:02d}", sdgs=[goal])

    # Tenant, region, entries count, 4 grouped counts, 3 label lists, page count, page.
    with django_assert_num_queries(12):
        response = client.get(_url("report", tenant, region=africa.slug, year=2020))

    assert response.context["report"].entries == count
    assert len(response.context["page"]) == min(count, 20)


def test_reports_index_links_every_region(client, tenant, africa):
    response = client.get(_url("reports", tenant))

    assert response.status_code == 200
    year = response.context["years"][0]
    assert _url("report", tenant, region=africa.slug, year=year) in response.content.decode()


@pytest.fixture
def covid(tenant):
    return Collection.objects.create(
        tenant=tenant, name="COVID-19 ICT Case Repository", slug="covid-19", description="ICT responses."
    )


def test_collection_page_lists_its_published_entries_and_links_the_search(
    client, tenant, covid, make_published, make_entry
):
    inside = make_published(title="Tracing app")
    inside.collections.add(covid)
    make_entry(title="Draft inside").collections.add(covid)
    make_published(title="Outside")

    response = client.get(_url("collection", tenant, slug="covid-19"))

    assert [entry.title for entry in response.context["page"]] == ["Tracing app"]
    assert f"?collection={covid.pk}" in response.content.decode()


def test_collection_of_another_tenant_answers_404(client, other_tenant, covid):
    assert client.get(_url("collection", other_tenant, slug="covid-19")).status_code == 404


def test_collections_index_counts_published_entries(client, tenant, covid, make_published, make_entry):
    make_published(title="Tracing app").collections.add(covid)
    make_entry(title="Draft").collections.add(covid)

    response = client.get(_url("collections", tenant))

    assert [(item.name, item.published) for item in response.context["collections"]] == [
        ("COVID-19 ICT Case Repository", 1)
    ]


@pytest.mark.parametrize("count", [1, 25])
def test_collection_pages_query_count_is_constant(client, tenant, covid, make_entry, django_assert_num_queries, count):
    for number in range(count):
        entry = publish_directly(make_entry(title=f"Entry {number:02d}"))
        entry.collections.add(covid)
        Collection.objects.create(tenant=tenant, name=f"Collection {number}", slug=f"collection-{number}")

    with django_assert_num_queries(4):  # tenant, collection, page count, page
        response = client.get(_url("collection", tenant, slug="covid-19"))
    assert len(response.context["page"]) == min(count, 20)
    with django_assert_num_queries(2):  # tenant, collections with their counts
        client.get(_url("collections", tenant))
