import pytest
from django.core.management import call_command

from stocktaking import search
from stocktaking.demo import seed_stocktaking
from stocktaking.models import Entry, EntryCountry
from stocktaking.search import SearchParams

pytestmark = pytest.mark.django_db


def test_seed_creates_published_searchable_entries_and_tops_up(tenant):
    created = seed_stocktaking(tenant=tenant, count=40)
    again = seed_stocktaking(tenant=tenant, count=40)
    more = seed_stocktaking(tenant=tenant, count=45)

    assert (created, again, more) == (40, 0, 5)
    found = search.search_entries(tenant=tenant, params=SearchParams())
    assert found.count() == 45
    assert set(Entry.objects.values_list("language", flat=True)) >= {"en", "fr", "ar"}
    assert EntryCountry.objects.count() >= 45
    assert all(entry.action_lines.exists() for entry in Entry.objects.all()[:5])
    counts = search.facet_counts(found)
    assert sum(counts["kind"].values()) == 45


def test_seed_command_reports_what_it_did(tenant, capsys):
    call_command("seed_stocktaking", "--count", "3", "--tenant", tenant.slug)

    assert capsys.readouterr().out.startswith("3 stocktaking entries created in ")
