import re

import pytest
from django.db import connection
from django.urls import reverse

from stocktaking import services
from stocktaking.enums import EntryStatus
from stocktaking.models import Entry
from tests import factories
from tests.stocktaking.conftest import requires_postgres

pytestmark = pytest.mark.django_db

# On SQLite a result page reads its rows' Action Line codes in a query of its
# own (on PostgreSQL they come with the rows).
CODES_QUERY = 0 if connection.vendor == "postgresql" else 1


def _url(name, tenant, **kwargs):
    return reverse(f"stocktaking:{name}", kwargs={"tenant_slug": tenant.slug, **kwargs})


def test_search_page_lists_published_entries_for_anonymous(client, tenant, make_published, make_entry):
    make_published(title="Telemedicine for villages")
    make_entry(title="A draft")

    response = client.get(_url("search", tenant))

    assert response.status_code == 200
    assert [entry.title for entry in response.context["page"]] == ["Telemedicine for villages"]
    content = response.content.decode()
    assert "1 entry found" in content
    assert "A draft" not in content


def test_search_page_keeps_filters_in_the_url_and_counts_facets(client, tenant, make_published, action_line):
    make_published(title="Telemedicine", kind="training")
    make_published(title="Portal", kind="website")

    response = client.get(_url("search", tenant), {"kind": "training"})

    assert [entry.title for entry in response.context["page"]] == ["Telemedicine"]
    kind = next(facet for facet in response.context["facets"] if facet.name == "kind")
    assert [(item.value, item.count) for item in kind.values] == [("training", 1)]
    line = next(facet for facet in response.context["facets"] if facet.name == "action_line")
    assert line.values[0].url == f"?kind=training&action_line={action_line.pk}"


def test_search_page_ignores_invalid_filter_values(client, tenant, make_published):
    make_published(title="Telemedicine")

    response = client.get(_url("search", tenant), {"sdg": "nope", "year": "x", "sort": "bogus"})

    assert response.status_code == 200
    assert [entry.title for entry in response.context["page"]] == ["Telemedicine"]


def test_search_page_paginates_by_twenty(client, tenant, make_published):
    for number in range(21):
        make_published(title=f"Entry {number:02d}")

    response = client.get(_url("search", tenant), {"sort": "title", "page": 2})

    assert [entry.title for entry in response.context["page"]] == ["Entry 20"]


@pytest.mark.parametrize("count", [1, 50])
def test_search_page_query_count_is_constant(client, tenant, make_published, django_assert_num_queries, count):
    for number in range(count):
        make_published(title=f"Telemedicine {number}")

    # Tenant, 5 choice lists, data version, all facets in one statement, then
    # the count and the page's ids in one scan (relevance), the page's rows
    # with their Action Line codes.
    with django_assert_num_queries(10 + CODES_QUERY):
        response = client.get(_url("search", tenant), {"q": "telemedicine", "sort": "relevance"})

    assert response.context["count"] == count


@pytest.mark.parametrize("count", [1, 50])
def test_search_page_without_keyword_query_count_is_constant(
    client, tenant, make_published, django_assert_num_queries, count
):
    for number in range(count):
        make_published(title=f"Entry {number}", kind="training", countries=["KE"])

    # Tenant, 5 choice lists, data version, all facets, count, the page's rows
    # with their Action Line codes.
    with django_assert_num_queries(10 + CODES_QUERY):
        response = client.get(_url("search", tenant), {"country": "KE", "kind": "training"})

    assert response.context["count"] == count


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_search_page_repeated_reads_its_cached_parts(client, tenant, make_published, django_assert_num_queries):
    make_published(title="Telemedicine")
    params = {"q": "telemedicine", "kind": "project"}
    first = client.get(_url("search", tenant), params)

    # Tenant, data version, the page's ids (the search's SQL compiled once per
    # process), their rows with their Action Line codes: the choice lists, the
    # count and the filter column (form and facets) come from the cache.
    with django_assert_num_queries(4 + CODES_QUERY):
        again = client.get(_url("search", tenant), params)

    assert again.context["count"] == first.context["count"] == 1
    assert _without_csrf(again.content.decode()) == _without_csrf(first.content.decode())


@requires_postgres
def test_search_page_ranks_the_same_with_and_without_a_cached_count(client, tenant, make_published):
    # Without a cached count, a relevance search takes its count and page
    # from one scan (search.ranked_page); with it, from the ordered query.
    for number in range(30):
        title = f"Entry {number:02d}" + (" telemedicine" if number % 5 == 0 else "")
        make_published(title=title, description="telemedicine " * (number % 4) + "clinics")
    url = _url("search", tenant)

    def titles(page):
        response = client.get(url, {"q": "telemedicine", "page": page})
        return response.context["count"], [entry.title for entry in response.context["page"]]

    cold_first = titles(1)
    cold_second = titles(2)  # the count of this search is cached from here on
    warm_first = titles(1)
    make_published(title="Unrelated")  # a new data version: nothing cached
    cold_second_alone = titles(2)
    make_published(title="Unrelated too")
    beyond = titles(9)  # past the last page: the last page, as Paginator.get_page does
    beyond_cached = titles(9)  # the same with the count cached
    not_a_number = titles("abc")  # the first page

    # 22 descriptions name it, and two titles without it in the description.
    assert cold_first[0] == 24
    assert len(cold_first[1]) == 20
    assert cold_first == warm_first
    assert cold_second == cold_second_alone == beyond == beyond_cached
    assert not_a_number == cold_first
    assert len(cold_second[1]) == 4
    assert set(cold_first[1]).isdisjoint(cold_second[1])


def test_search_page_shows_a_change_at_once(client, tenant, make_published):
    make_published(title="Telemedicine", kind="training")
    before = client.get(_url("search", tenant), {"q": "telemedicine"})

    make_published(title="Telemedicine portal", kind="website")
    after = client.get(_url("search", tenant), {"q": "telemedicine"})

    assert before.context["count"] == 1
    assert after.context["count"] == 2
    assert "2 entries found" in after.content.decode()
    kind = next(facet for facet in after.context["facets"] if facet.name == "kind")
    assert sorted((item.value, item.count) for item in kind.values) == [("training", 1), ("website", 1)]


def test_search_page_keeps_a_filter_in_its_place_in_the_facet_links(client, tenant, make_published, action_line):
    make_published(title="Telemedicine", kind="training", countries=["KE"])

    response = client.get(_url("search", tenant), {"kind": "training", "q": "telemedicine", "page": "1"})

    kind = next(facet for facet in response.context["facets"] if facet.name == "kind")
    country = next(facet for facet in response.context["facets"] if facet.name == "country")
    assert kind.values[0].url == "?kind=training&q=telemedicine"
    assert country.values[0].url == "?kind=training&q=telemedicine&country=KE"


def test_search_page_shows_the_twelve_most_frequent_values_of_a_facet(client, tenant, make_published):
    codes = ["KE", "NG", "GH", "SN", "TZ", "UG", "RW", "ET", "ZA", "EG", "MA", "TN", "CM", "CI"]
    make_published(title="Everywhere", countries=codes)
    make_published(title="Kenya again", countries=["KE", "NG"])

    response = client.get(_url("search", tenant))

    country = next(facet for facet in response.context["facets"] if facet.name == "country")
    assert len(country.values) == 12
    assert [(item.value, item.count) for item in country.values[:2]] == [("KE", 2), ("NG", 2)]
    assert response.content.decode().count('href="?country=') == 12


def test_entry_page_shows_published_entry(client, tenant, make_published):
    entry = make_published(title="Telemedicine for villages")

    response = client.get(_url("detail", tenant, pk=entry.pk))

    assert response.status_code == 200
    assert "Telemedicine for villages" in response.content.decode()


def test_entry_page_of_draft_or_other_tenant_answers_404(client, tenant, other_tenant, make_entry, make_published):
    draft = make_entry()
    theirs = make_published(target_tenant=other_tenant)

    assert client.get(_url("detail", tenant, pk=draft.pk)).status_code == 404
    assert client.get(_url("detail", tenant, pk=theirs.pk)).status_code == 404


def test_my_entries_needs_login(client, tenant):
    response = client.get(_url("mine", tenant))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_entries_lists_only_own_entries(client, tenant, stakeholder, make_entry):
    make_entry(title="Mine")
    make_entry(title="Someone else's", owner=factories.UserFactory())
    client.force_login(stakeholder)

    response = client.get(_url("mine", tenant))

    assert [row["entry"].title for row in response.context["rows"]] == ["Mine"]


def _form_data(action_line, **overrides):
    data = {
        "title": "Community networks in Nepal",
        "description": "Villages build their own networks.",
        "kind": "project",
        "language": "en",
        "organisation_name": "Nepal Wireless",
        "countries": ["NP"],
        "coverage": "national",
        "start_year": "2018",
        "project_status": "ongoing",
        "action_lines": [str(action_line.pk)],
        "action": "save",
    }
    data.update(overrides)
    return data


def test_owner_creates_and_submits_an_entry(client, tenant, stakeholder, action_line):
    client.force_login(stakeholder)

    response = client.post(_url("create", tenant), _form_data(action_line, action="submit"))

    entry = Entry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("mine", tenant)
    assert (entry.owner, entry.tenant, entry.status) == (stakeholder, tenant, EntryStatus.PENDING)
    assert [country.code for country in entry.countries] == ["NP"]


def test_create_form_shows_errors(client, tenant, stakeholder, action_line):
    client.force_login(stakeholder)

    data = _form_data(action_line, title="", start_year="2020", end_year="2010")
    response = client.post(_url("create", tenant), data)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title", "end_year"}
    assert not Entry.objects.exists()


def test_owner_edits_published_entry_through_a_revision(client, tenant, stakeholder, manager, make_entry, action_line):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)
    services.entry_publish(entry=entry, by=manager)
    client.force_login(stakeholder)

    client.post(_url("edit", tenant, pk=entry.pk), _form_data(action_line, title="New title", action="submit"))

    entry.refresh_from_db()
    revision = entry.revisions.get()
    assert (entry.title, entry.status) == ("Digital schools for rural Kenya", EntryStatus.PUBLISHED)
    assert (revision.title, revision.status) == ("New title", EntryStatus.PENDING)
    page = client.get(_url("edit", tenant, pk=entry.pk))
    assert page.context["editable"] is False


def test_other_owner_and_other_tenant_get_404(client, tenant, other_tenant, make_entry, action_line):
    entry = make_entry()
    intruder = factories.UserFactory()
    client.force_login(intruder)

    assert client.get(_url("edit", tenant, pk=entry.pk)).status_code == 404
    assert client.post(_url("edit", tenant, pk=entry.pk), _form_data(action_line)).status_code == 404
    assert client.post(_url("submit", tenant, pk=entry.pk)).status_code == 404
    client.force_login(entry.owner)
    assert client.get(_url("edit", other_tenant, pk=entry.pk)).status_code == 404


def test_submit_view_reports_what_is_missing(client, tenant, stakeholder, make_entry):
    entry = make_entry(description="")
    client.force_login(stakeholder)

    response = client.post(_url("submit", tenant, pk=entry.pk), follow=True)

    assert "description" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT
