"""Stocktaking fixtures: entries created and moderated through the services,
so that their country rows, regions and search vectors are as in production."""

import pytest
from django.conf import settings
from django.utils import timezone

from stocktaking import services
from stocktaking.enums import EntryStatus
from stocktaking.models import Entry
from stocktaking.search import entry_refresh_search
from wsis_portal.reference.models import ActionLine, Region, StakeholderType

requires_postgres = pytest.mark.skipif(not settings.USING_POSTGRES, reason="PostgreSQL search only")


@pytest.fixture
def action_line(db):
    return ActionLine.objects.get(code="C4")


@pytest.fixture
def africa(db):
    region = Region.objects.get(name="Africa")
    region.countries = ["KE", "NG", "SN"]
    region.save()
    return region


@pytest.fixture
def make_entry(tenant, stakeholder, action_line, africa):
    """A draft of ``stakeholder`` in ``tenant`` (any field may be overridden)."""

    def make(*, owner=None, target_tenant=None, action_lines=None, sdgs=(), **fields):
        data = {
            "title": "Digital schools for rural Kenya",
            "description": "Connecting rural schools to broadband.",
            "organisation_name": "Kenya ICT Network",
            "countries": ["KE"],
            "start_year": 2019,
            "stakeholder_type": StakeholderType.objects.get(slug="civil-society"),
        }
        data.update(fields)
        many = {"action_lines": action_lines if action_lines is not None else [action_line], "sdgs": list(sdgs)}
        return services.entry_create(tenant=target_tenant or tenant, by=owner or stakeholder, data=data, many=many)

    return make


def publish_directly(entry: Entry) -> Entry:
    """Mark an entry published without moderation (arranging search tests)."""
    Entry.objects.filter(pk=entry.pk).update(status=EntryStatus.PUBLISHED, published_at=timezone.now())
    entry_refresh_search(entry_ids=[entry.pk])
    entry.refresh_from_db()
    return entry


@pytest.fixture
def make_published(make_entry):
    def make(**fields):
        return publish_directly(make_entry(**fields))

    return make
