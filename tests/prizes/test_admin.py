"""The contest and its entries in the admin: lists, filters, inlines, the
seed action and the CSV export, the staff member's own tenant only."""

import csv
import io

import pytest
from django.urls import reverse

from prizes.models import Criterion
from tests.prizes.conftest import make_prizes_edition
from tests.prizes.factories import PrizeEntryFactory
from wsis_portal.editions.enums import CallKind

CHANGELIST = "admin:prizes_prizeentry_changelist"


@pytest.fixture
def entry(call, categories, author):
    return PrizeEntryFactory(
        call=call,
        owner=author,
        category=categories[9],
        title="=Telemedicine for rural clinics",
        country="KE",
        status="submitted",
        reference="PRZ-2021-00001",
    )


@pytest.fixture
def foreign_entry(other_tenant, other_author):
    edition = make_prizes_edition(other_tenant)
    return PrizeEntryFactory(call=edition.calls.get(kind=CallKind.PRIZES), owner=other_author, title="Secret project")


def test_changelist_lists_own_tenant_entries_with_filters(admin_client_for, manager, entry, foreign_entry):
    client = admin_client_for(manager)

    response = client.get(reverse(CHANGELIST))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Telemedicine for rural clinics" in content
    assert "Secret project" not in content
    filters = [spec.title for spec in response.context["cl"].filter_specs]
    assert [str(title) for title in filters[:4]] == ["status", "category", "stakeholder type", "country"]


@pytest.mark.parametrize(("query", "found"), [({"status__exact": "submitted"}, 1), ({"status__exact": "draft"}, 0)])
def test_changelist_filters_by_status(admin_client_for, manager, entry, query, found):
    response = admin_client_for(manager).get(reverse(CHANGELIST), query)
    assert response.context["cl"].result_count == found


def test_changelist_search_by_title(admin_client_for, manager, entry):
    response = admin_client_for(manager).get(reverse(CHANGELIST), {"q": "Telemedicine"})
    assert response.context["cl"].result_count == 1


def test_csv_export_of_selected_entries(admin_client_for, manager, entry, foreign_entry):
    client = admin_client_for(manager)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "export_csv", "_selected_action": [entry.pk, foreign_entry.pk]},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][:4] == ["reference", "status", "category", "project title"]
    assert len(rows) == 2
    assert rows[1][:2] == ["PRZ-2021-00001", "Submitted"]
    assert rows[1][3] == "'=Telemedicine for rural clinics"


def test_contest_change_page_has_categories_and_criteria_inlines(admin_client_for, manager, contest):
    response = admin_client_for(manager).get(reverse("admin:prizes_contest_change", args=[contest.pk]))

    assert response.status_code == 200
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["categories", "criteria"]
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 18


def test_seed_action_adds_missing_criteria(admin_client_for, manager, contest):
    Criterion.objects.filter(contest=contest, name="Sustainability").delete()

    admin_client_for(manager).post(
        reverse("admin:prizes_contest_changelist"),
        {"action": "add_reference_categories_and_criteria", "_selected_action": [contest.pk]},
    )

    assert Criterion.objects.filter(contest=contest).count() == 8


def test_reviewer_cannot_run_seed_action_changes(admin_client_for, reviewer, contest):
    Criterion.objects.filter(contest=contest, name="Sustainability").delete()

    admin_client_for(reviewer).post(
        reverse("admin:prizes_contest_changelist"),
        {"action": "add_reference_categories_and_criteria", "_selected_action": [contest.pk]},
    )

    assert Criterion.objects.filter(contest=contest).count() == 7


@pytest.mark.parametrize("rows", [1, 50])
def test_changelist_query_count(admin_client_for, manager, call, author, django_assert_max_num_queries, rows):
    from tests import factories

    for index in range(rows):
        owner = factories.UserFactory(organisation=author.organisation if index == 0 else None)
        PrizeEntryFactory(call=call, owner=owner, title=f"Project {index}", country="KE")
    client = admin_client_for(manager)

    with django_assert_max_num_queries(20):
        response = client.get(reverse(CHANGELIST))

    assert response.context["cl"].result_count == rows
