"""Export of the filtered OCP changelists to CSV and XLSX: every column, the
staff member's own tenant only, and a fixed number of queries."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ocp.enums import OcpStatus
from ocp.models import OCP_MODELS
from tests.ocp.conftest import make_ocp_edition
from tests.ocp.factories import FACTORY_BY_MODEL, SpeakerFactory, SpeakerRecommendationFactory, WorkshopRequestFactory

EXPORT = "admin:ocp_speakerrecommendation_export"
HEADER = [
    "ID",
    "call",
    "reference",
    "created",
    "updated",
    "submitted",
    "status",
    "name of the person",
    "title or position",
    "organisation",
    "topic",
    "why this person",
    "reviewers",
    "organisation",
    "stakeholder type",
    "country",
    "owner's email",
]


@pytest.fixture
def recommendation(calls, author):
    return SpeakerRecommendationFactory(
        call=calls["speaker"],
        owner=author,
        status=OcpStatus.SUBMITTED,
        reference="SPK-2021-00001",
        speaker_name="Ana Pérez",
        speaker_title="Director",
        speaker_organisation="Andes Digital",
        topic="=HYPERLINK(1)",
        reason="She built, community networks.",
    )


@pytest.fixture
def foreign_recommendation(other_tenant):
    edition = make_ocp_edition(other_tenant)
    return SpeakerRecommendationFactory(
        call=edition.calls.get(kind="speaker"), status=OcpStatus.SUBMITTED, reference="SPK-OTHER", speaker_name="Secret"
    )


def _row(entry):
    return [
        str(entry.pk),
        str(entry.call),
        "SPK-2021-00001",
        entry.created_at.isoformat(),
        entry.updated_at.isoformat(),
        "",
        "Submitted",
        "Ana Pérez",
        "Director",
        "Andes Digital",
        "'=HYPERLINK(1)",
        "She built, community networks.",
        "Reviewer Person",
        "Kenya ICT Network",
        "Civil Society",
        "Kenya",
        "stakeholder@example.org",
    ]


def test_csv_export_has_every_column_of_own_tenant_rows_only(
    recommendation, foreign_recommendation, reviewer, manager, admin_client_for
):
    reviewer.first_name, reviewer.last_name = "Reviewer", "Person"
    reviewer.save()
    recommendation.reviewers.add(reviewer)

    response = admin_client_for(manager).get(reverse(EXPORT, args=["csv"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="speakerrecommendation-')
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:])))
    assert rows == [HEADER, _row(recommendation)]


def test_xlsx_export_has_own_tenant_rows_only(recommendation, foreign_recommendation, manager, admin_client_for):
    response = admin_client_for(manager).get(reverse(EXPORT, args=["xlsx"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    assert [row[2] for row in rows[1:]] == ["SPK-2021-00001"]
    assert rows[1][10] == "'=HYPERLINK(1)"


def test_export_follows_the_changelist_filters_and_search(calls, author, manager, admin_client_for):
    SpeakerRecommendationFactory(call=calls["speaker"], owner=author, status=OcpStatus.ACCEPTED, reference="SPK-A")
    SpeakerRecommendationFactory(call=calls["speaker"], owner=author, status=OcpStatus.REJECTED, reference="SPK-R")
    client = admin_client_for(manager)

    filtered = client.get(reverse(EXPORT, args=["csv"]) + "?status__exact=accepted")
    searched = client.get(reverse(EXPORT, args=["csv"]) + "?q=SPK-R")

    assert [row[2] for row in list(csv.reader(io.StringIO(filtered.content.decode()[1:])))[1:]] == ["SPK-A"]
    assert [row[2] for row in list(csv.reader(io.StringIO(searched.content.decode()[1:])))[1:]] == ["SPK-R"]


def test_changelist_links_to_export_with_current_filters(recommendation, manager, admin_client_for):
    response = admin_client_for(manager).get(
        reverse("admin:ocp_speakerrecommendation_changelist") + "?status__exact=submitted"
    )
    content = response.content.decode()
    assert f'href="{reverse(EXPORT, args=["csv"])}?status__exact=submitted"' in content
    assert f'href="{reverse(EXPORT, args=["xlsx"])}?status__exact=submitted"' in content


def test_export_refused_to_other_tenant_staff_contains_nothing(recommendation, other_manager, admin_client_for):
    response = admin_client_for(other_manager).get(reverse(EXPORT, args=["csv"]))
    assert list(csv.reader(io.StringIO(response.content.decode()[1:]))) == [HEADER]


def test_export_unknown_format_is_refused(manager, admin_client_for):
    assert admin_client_for(manager).get(reverse(EXPORT, args=["pdf"])).status_code == 403


def test_export_refused_to_anonymous(client):
    response = client.get(reverse(EXPORT, args=["csv"]))
    assert response.status_code == 302


def test_workshop_export_lists_speakers(calls, author, manager, admin_client_for):
    workshop = WorkshopRequestFactory(call=calls["workshop"], owner=author, title="Youth online")
    SpeakerFactory(workshop=workshop, name="Ana Pérez", title="Director", organisation="Andes Digital", country="PE")
    SpeakerFactory(workshop=workshop, name="Li Wei", organisation="", country="CN")

    response = admin_client_for(manager).get(reverse("admin:ocp_workshoprequest_export", args=["csv"]))

    header, row = list(csv.reader(io.StringIO(response.content.decode()[1:])))
    assert header[-1] == "speakers"
    assert row[-1] == "Ana Pérez, Director, Andes Digital, Peru, Female | Li Wei, China, Female"


# Measured: 28 to 39 queries (by model; the changelist filters are built to
# read the query string, as on the list page) with 1 and with 50 rows.
EXPORT_QUERY_LIMIT = 39


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("model", OCP_MODELS, ids=lambda model: model.__name__)
def test_export_query_count(
    model, rows, file_format, calls, author, manager, admin_client_for, django_assert_max_num_queries
):
    for _index in range(rows):
        entry = FACTORY_BY_MODEL[model](call=calls[model.call_kind], owner=author)
        entry.reviewers.add(manager)
        if model.url_kind == "workshop":
            SpeakerFactory(workshop=entry)
    client = admin_client_for(manager)
    url = reverse(f"admin:ocp_{model._meta.model_name}_export", args=[file_format])

    with django_assert_max_num_queries(EXPORT_QUERY_LIMIT):
        response = client.get(url)

    assert response.status_code == 200
