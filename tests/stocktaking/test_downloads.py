import csv
import io
import json

import pytest
from django_scopes import scope

from stocktaking import opendata
from stocktaking.enums import EntryKind
from tests.stocktaking.factories import CollectionFactory

pytestmark = pytest.mark.django_db

BASE = "/wsis/stocktaking"


def _read(response) -> bytes:
    # Consumed as the server does, after the view returned: outside the
    # request's tenant scope (an enabled scope without a tenant fails closed).
    with scope():
        return b"".join(response.streaming_content)


def _csv_rows(response) -> list[dict]:
    text = _read(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_download_streams_published_entries_of_the_tenant(client, tenant, other_tenant, make_entry, make_published):
    collection = CollectionFactory(tenant=tenant, name="COVID-19 ICT Case Repository")
    entry = make_published(title="Public project", partners="=HYPERLINK(evil)")
    entry.collections.add(collection)
    make_entry(title="Draft project")
    make_published(title="Other forum's project", target_tenant=other_tenant)

    response = client.get(f"{BASE}/download.csv")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="stocktaking-wsis.csv"'
    rows = _csv_rows(response)
    assert [row["title"] for row in rows] == ["Public project"]
    row = rows[0]
    assert list(row) == opendata.CSV_COLUMNS
    assert row["id"] == str(entry.pk)
    assert row["url"] == f"http://testserver/wsis/stocktaking/{entry.pk}/"
    assert row["countries"] == "KE"
    assert row["regions"] == "Africa"
    assert row["action_lines"] == "C4"
    assert row["collections"] == "COVID-19 ICT Case Repository"
    assert row["partners"] == "'=HYPERLINK(evil)"


def test_json_download_streams_the_api_representation(client, tenant, other_tenant, make_entry, make_published):
    entry = make_published(title="Public project", description="Écoles connectées")
    make_entry(title="Draft project")
    make_published(title="Other forum's project", target_tenant=other_tenant)

    response = client.get(f"{BASE}/download.json")

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    records = json.loads(_read(response))
    assert [record["title"] for record in records] == ["Public project"]
    assert records[0]["id"] == entry.pk
    assert records[0]["description"] == "Écoles connectées"
    assert records[0]["action_lines"][0]["code"] == "C4"


def test_json_download_of_no_entry_is_an_empty_array(client, tenant):
    response = client.get(f"{BASE}/download.json")

    assert json.loads(_read(response)) == []


def test_downloads_keep_the_search_filters_and_sort(client, tenant, make_published):
    make_published(title="Telemedicine training", kind=EntryKind.TRAINING)
    make_published(title="Beta training", kind=EntryKind.TRAINING)
    make_published(title="Telemedicine project", kind=EntryKind.PROJECT)

    rows = _csv_rows(client.get(f"{BASE}/download.csv", {"kind": "training", "sort": "title"}))
    records = json.loads(_read(client.get(f"{BASE}/download.json", {"q": "telemedicine", "kind": "project"})))

    assert [row["title"] for row in rows] == ["Beta training", "Telemedicine training"]
    assert [record["title"] for record in records] == ["Telemedicine project"]


def test_download_queries_are_constant_per_chunk(
    client, tenant, make_published, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(opendata, "CHUNK_SIZE", 2)
    for number in range(5):
        make_published(title=f"Entry {number}")
    response = client.get(f"{BASE}/download.csv")

    # The entries once (a cursor read in chunks), then 4 prefetches per chunk of 2.
    with django_assert_num_queries(1 + 4 * 3):
        rows = _csv_rows(response)

    assert len(rows) == 5


def test_search_page_links_the_downloads_with_its_filters(client, tenant, make_published):
    make_published(title="Training", kind=EntryKind.TRAINING)

    response = client.get(f"{BASE}/", {"kind": "training", "page": "1"})

    assert 'href="/wsis/stocktaking/download.csv?kind=training"' in response.content.decode()
    assert 'href="/wsis/stocktaking/download.json?kind=training"' in response.content.decode()
