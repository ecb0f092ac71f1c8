"""``manage.py import_stocktaking``: legacy entries created or updated by
external id, rejected rows reported with their line and reasons."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from stocktaking.enums import EntryStatus
from stocktaking.importer import COLUMNS, import_rows, read_csv
from stocktaking.models import Collection, Entry, EntryCountry
from stocktaking.search import SearchParams, search_entries
from tests.stocktaking.conftest import requires_postgres

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "stocktaking_import_sample.csv"
HEADER = ",".join(COLUMNS)


def _csv(tmp_path, *lines, name="legacy.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def covid(tenant):
    return Collection.objects.create(tenant=tenant, name="COVID-19 ICT Case Repository", slug="covid-19")


def test_sample_file_imports_two_entries_and_rejects_one_with_reasons(tenant, africa, covid, capsys):
    call_command("import_stocktaking", str(SAMPLE), "--tenant", tenant.slug)

    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("2 created, 0 updated, 0 unchanged, 1 rejected in ")
    assert out.splitlines()[1] == (
        "line 4 (WSIS-2020-09999): unknown Action Line “C99”; unknown SDG “18”; unknown country “Atlantis”; "
        "bad start_year “20x0” (a year from 1990 to 2100)"
    )
    schools = Entry.objects.get(external_id="WSIS-2015-00017")
    assert schools.status == EntryStatus.PUBLISHED
    assert sorted(schools.action_lines.values_list("code", flat=True)) == ["C4", "C7.e-learning"]
    assert sorted(schools.sdgs.values_list("number", flat=True)) == [4, 9]
    assert schools.partners == "ITU\nUNESCO"
    assert schools.published_at == dt.datetime(2015, 3, 2, 12, tzinfo=dt.UTC)
    assert schools.confirmed_at == dt.datetime(2023, 2, 10, 12, tzinfo=dt.UTC)
    senegal = Entry.objects.get(external_id="WSIS-2020-01234")
    assert [country.code for country in senegal.countries] == ["CI", "SN"]
    assert sorted(EntryCountry.objects.filter(entry=senegal).values_list("country", flat=True)) == ["CI", "SN"]
    assert list(senegal.regions.all()) == [africa]
    assert list(senegal.collections.all()) == [covid]
    assert senegal.stakeholder_type.slug == "government"
    assert senegal.confirmed_at == senegal.published_at


def test_import_is_idempotent_and_updates_by_external_id(tenant, africa, covid, tmp_path, capsys):
    first = _csv(tmp_path, "L-1,Telemedicine,Old text,,en,,,KE,,C4,3,2019,,,,,,,2019-05-01,")
    second = _csv(
        tmp_path, "L-1,Telemedicine in Kenya,New text,,en,,,KE;NG,,C4,3;4,2019,,,,,,,2019-05-01,", name="b.csv"
    )

    call_command("import_stocktaking", str(first), "--tenant", tenant.slug)
    call_command("import_stocktaking", str(first), "--tenant", tenant.slug)
    again = capsys.readouterr().out.splitlines()[1]
    call_command("import_stocktaking", str(second), "--tenant", tenant.slug)

    entry = Entry.objects.get()
    assert (entry.title, entry.description) == ("Telemedicine in Kenya", "New text")
    assert sorted(entry.sdgs.values_list("number", flat=True)) == [3, 4]
    assert EntryCountry.objects.filter(entry=entry).count() == 2
    assert entry.action_lines.count() == 1
    assert again.startswith("0 created, 0 updated, 1 unchanged, 0 rejected in ")
    assert entry.history.count() == 2  # created, then changed once


def test_imported_entries_are_found_by_the_search(tenant, africa, tmp_path):
    path = _csv(tmp_path, "L-1,Telemedicine network,Remote consultations,,en,,,KE,,C4,3,2019,,,,,,,,")

    call_command("import_stocktaking", str(path), "--tenant", tenant.slug)

    assert [entry.title for entry in search_entries(tenant=tenant, params=SearchParams(q="telemedicine"))] == [
        "Telemedicine network"
    ]
    assert search_entries(tenant=tenant, params=SearchParams(region=africa.pk)).count() == 1


@requires_postgres
def test_imported_entries_are_found_by_a_misspelt_keyword(tenant, tmp_path):
    path = _csv(tmp_path, "L-1,Telemedicine network,Remote consultations,,en,,,KE,,C4,3,2019,,,,,,,,")

    call_command("import_stocktaking", str(path), "--tenant", tenant.slug)

    assert search_entries(tenant=tenant, params=SearchParams(q="telemedecine")).count() == 1


def test_import_with_status_pending_waits_for_moderation(tenant, tmp_path):
    path = _csv(tmp_path, "L-1,Telemedicine,,,en,,,KE,,C4,,2019,,,,,,,,")

    call_command("import_stocktaking", str(path), "--tenant", tenant.slug, "--status", "pending")

    entry = Entry.objects.get()
    assert (entry.status, entry.published_at, entry.confirmed_at) == (EntryStatus.PENDING, None, None)
    assert entry.submitted_at is not None


def test_rejected_rows_name_the_line_and_every_reason(tenant, tmp_path):
    path = _csv(
        tmp_path,
        ",No id,,,en,,,KE,,C4,,2019,,,,,,,,",
        "L-2,,,,en,,,KE,,C4,,2019,,,,,,,,",
        "L-3,Bad years,,,en,,,KE,,C4,,2019,2010,,,,,,,",
        'L-4,"Two-line\ntitle",,gadget,xx,,nobody,KE,,,,1800,,,not a url,,,unknown,2020-13-01,',
        "L-5,Fine,,,en,,,KE,,C4,,2019,,,,,,,,",
        "L-5,Duplicate,,,en,,,KE,,C4,,2019,,,,,,,,",
    )

    report = import_rows(read_csv(path), tenant=tenant)

    assert report.created == 1
    assert [(item.line, item.reasons) for item in report.rejected] == [
        (2, ["missing external_id"]),
        (3, ["missing title"]),
        (4, ["end_year 2010 before start_year 2019"]),
        (
            5,
            [
                "missing action_lines",
                "unknown collection “unknown”",
                "unknown stakeholder type “nobody”",
                "bad start_year “1800” (a year from 1990 to 2100)",
                "unknown language “xx”",
                "bad website “not a url”",
                "unknown kind “gadget”",
                "bad published_on “2020-13-01” (YYYY-MM-DD)",
            ],
        ),
        (8, ["external_id “L-5” already on line 7"]),
    ]


def test_import_refuses_a_file_without_the_required_columns(tenant, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("id,name\n1,x\n", encoding="utf-8")

    with pytest.raises(CommandError, match="Missing column"):
        call_command("import_stocktaking", str(path), "--tenant", tenant.slug)


def test_import_keeps_tenants_apart(tenant, other_tenant, tmp_path):
    path = _csv(tmp_path, "L-1,Telemedicine,,,en,,,KE,,C4,,2019,,,,,,,,")

    call_command("import_stocktaking", str(path), "--tenant", tenant.slug)
    call_command("import_stocktaking", str(path), "--tenant", other_tenant.slug)

    assert sorted(Entry.objects.values_list("tenant__slug", flat=True)) == ["regional", "wsis"]
