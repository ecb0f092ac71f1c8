import pytest
from django.db import connection

from stocktaking import search, services
from stocktaking.enums import EntryKind
from stocktaking.search import SearchParams
from tests.stocktaking.conftest import requires_postgres
from wsis_portal.reference.models import ActionLine, SustainableDevelopmentGoal

pytestmark = pytest.mark.django_db

# On SQLite a result page reads its rows' Action Line codes in a query of its
# own (on PostgreSQL they come with the rows).
CODES_QUERY = 0 if connection.vendor == "postgresql" else 1


def _titles(tenant, **params):
    params.setdefault("sort", "relevance")
    found = search.search_entries(tenant=tenant, params=SearchParams(**params))
    return [entry.title for entry in search.sort_entries(found, sort=params["sort"], has_keyword=bool(params.get("q")))]


def test_title_match_ranks_above_description_match(tenant, make_published):
    make_published(title="Rural broadband survey", description="A study of telemedicine in villages.")
    make_published(title="Telemedicine for villages", description="Clinics online.")

    assert _titles(tenant, q="telemedicine") == ["Telemedicine for villages", "Rural broadband survey"]


def test_keyword_fallback_ranks_title_above_description(tenant, make_published):
    # The SQLite path, exercised on any database.
    make_published(title="Rural broadband survey", description="A study of telemedicine in villages.")
    make_published(title="Telemedicine for villages", description="Clinics online.")
    found = search._keyword_fallback(search.published_entries(tenant=tenant), "telemedicine")

    ordered = search.sort_entries(found, sort="relevance", has_keyword=True)

    assert [entry.title for entry in ordered] == ["Telemedicine for villages", "Rural broadband survey"]


@requires_postgres
def test_query_without_accents_finds_accented_title(tenant, make_published):
    make_published(title="Éducation numérique au Sénégal", description="Écoles connectées.", language="fr")
    make_published(title="Unrelated", description="Nothing.")

    assert _titles(tenant, q="education numerique") == ["Éducation numérique au Sénégal"]


@requires_postgres
def test_query_in_entry_language_matches_stemmed_words(tenant, make_published):
    make_published(title="Connecting schools", description="The school networks", language="en")

    assert _titles(tenant, q="connected school") == ["Connecting schools"]


@requires_postgres
def test_misspelt_keyword_finds_title_by_trigram(tenant, make_published):
    make_published(title="Telemedicine for villages", description="Clinics online.")
    make_published(title="Open data portal", description="Statistics.")

    assert _titles(tenant, q="telemedcine") == ["Telemedicine for villages"]


@requires_postgres
def test_arabic_title_is_found(tenant, make_published):
    make_published(title="التعليم الرقمي في المدارس", description="مشروع", language="ar")

    assert _titles(tenant, q="التعليم") == ["التعليم الرقمي في المدارس"]


def test_only_published_entries_are_found(tenant, make_entry, make_published, stakeholder):
    make_published(title="Public telemedicine")
    make_entry(title="Draft telemedicine")

    assert _titles(tenant, q="telemedicine") == ["Public telemedicine"]
    assert _titles(tenant) == ["Public telemedicine"]


def test_pending_revision_is_not_public(tenant, make_published, stakeholder):
    entry = make_published(title="Public title")
    services.entry_update(entry=entry, by=stakeholder, data={"title": "Proposed title"})

    assert _titles(tenant) == ["Public title"]


def test_other_tenant_entries_are_not_found(tenant, other_tenant, make_published):
    make_published(title="Ours")
    make_published(title="Theirs", target_tenant=other_tenant)

    assert _titles(tenant) == ["Ours"]


def test_action_line_filter_includes_sub_lines(tenant, make_published):
    c7 = ActionLine.objects.get(code="C7")
    make_published(title="Health app", action_lines=[ActionLine.objects.get(code="C7.e-health")])
    make_published(title="Capacity", action_lines=[ActionLine.objects.get(code="C4")])

    assert _titles(tenant, action_line=c7.pk) == ["Health app"]


def test_action_line_filter_lists_an_entry_of_a_line_and_its_sub_line_once(tenant, make_published):
    c7 = ActionLine.objects.get(code="C7")
    make_published(title="Health app", action_lines=[c7, ActionLine.objects.get(code="C7.e-health")])

    assert _titles(tenant, action_line=c7.pk) == ["Health app"]
    found = search.search_entries(tenant=tenant, params=SearchParams(action_line=c7.pk))
    assert found.count() == 1


def test_filters_by_country_region_sdg_kind_and_year(tenant, make_published, africa):
    goal = SustainableDevelopmentGoal.objects.get(number=4)
    make_published(
        title="Kenya", countries=["KE"], sdgs=[goal], kind=EntryKind.TRAINING, start_year=2015, end_year=2018
    )
    make_published(title="France", countries=["FR"], start_year=2020)

    assert _titles(tenant, country="FR") == ["France"]
    assert _titles(tenant, region=africa.pk) == ["Kenya"]
    assert _titles(tenant, sdg=goal.pk) == ["Kenya"]
    assert _titles(tenant, kind=EntryKind.TRAINING) == ["Kenya"]
    assert _titles(tenant, year=2016) == ["Kenya"]
    assert _titles(tenant, year=2021) == ["France"]


def test_sort_by_title(tenant, make_published):
    for title in ["beta", "Alpha", "gamma"]:
        make_published(title=title)

    assert _titles(tenant, sort="title") == ["Alpha", "beta", "gamma"]


def test_facets_add_up_to_the_total(tenant, make_published, africa):
    make_published(title="One", kind=EntryKind.TRAINING, countries=["KE"])
    make_published(title="Two", kind=EntryKind.TRAINING, countries=["FR"])
    make_published(title="Three", kind=EntryKind.WEBSITE, countries=["KE", "FR"])
    found = search.search_entries(tenant=tenant, params=SearchParams())

    counts = search.facet_counts(found)

    total = found.count()
    assert total == 3
    assert counts["kind"] == {EntryKind.TRAINING: 2, EntryKind.WEBSITE: 1}
    assert sum(counts["kind"].values()) == total
    assert sum(counts["status"].values()) == total
    assert sum(counts["stakeholder_type"].values()) == total
    assert counts["country"] == {"KE": 2, "FR": 2}
    assert counts["region"] == {africa.pk: 2}
    assert sum(counts["action_line"].values()) == total


def test_facets_of_a_keyword_search_count_the_matches_only(tenant, make_published):
    make_published(title="Telemedicine for villages", kind=EntryKind.TRAINING, countries=["KE"])
    make_published(title="Open data portal", kind=EntryKind.WEBSITE, countries=["FR"])
    found = search.search_entries(tenant=tenant, params=SearchParams(q="telemedicine"))

    counts = search.facet_counts(found)

    assert counts["kind"] == {EntryKind.TRAINING: 1}
    assert counts["country"] == {"KE": 1}


def test_facets_of_a_keyword_search_count_a_bounded_sample(tenant, make_published):
    make_published(title="Telemedicine network", kind=EntryKind.TRAINING)
    make_published(title="Rural clinics", description="Telemedicine in villages.", kind=EntryKind.WEBSITE)
    found = search.search_entries(tenant=tenant, params=SearchParams(q="telemedicine"))

    counts = search.facet_counts(found, sample=1)

    assert sum(counts["kind"].values()) == 1


def test_facet_counts_are_one_statement_and_cached_until_an_entry_changes(
    tenant, make_published, django_assert_num_queries
):
    make_published(title="One", kind=EntryKind.TRAINING)
    found = search.search_entries(tenant=tenant, params=SearchParams())
    with django_assert_num_queries(2):  # data version, every facet
        search.facet_counts(found)

    with django_assert_num_queries(1):  # data version; the counts come from the cache
        cached = search.facet_counts(found)
    make_published(title="Two", kind=EntryKind.WEBSITE)
    fresh = search.facet_counts(found)

    assert cached["kind"] == {EntryKind.TRAINING: 1}
    assert fresh["kind"] == {EntryKind.TRAINING: 1, EntryKind.WEBSITE: 1}


@pytest.mark.parametrize("count", [1, 50])
def test_search_page_runs_at_most_twelve_queries_whatever_the_size(
    client, tenant, make_published, django_assert_num_queries, count
):
    for number in range(count):
        make_published(title=f"Telemedicine {number}", countries=["KE"])
    url = f"/{tenant.slug}/stocktaking/"

    # Tenant, 5 choice lists, data version, all facets, then the count and the
    # page's ids in one scan (relevance), the page's rows with their Action Line codes.
    with django_assert_num_queries(10 + CODES_QUERY):
        response = client.get(url, {"q": "telemedicine", "country": "KE", "kind": EntryKind.PROJECT})

    assert response.context["count"] == count
