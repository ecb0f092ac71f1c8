import datetime as dt

import pytest
from django.utils import timezone

from stocktaking import updates
from stocktaking.demo import DEMO_OWNED, seed_stocktaking_demo
from stocktaking.models import Entry
from tests import factories
from wsis_portal.editions.enums import CallKind

pytestmark = pytest.mark.django_db


def test_demo_gives_the_demo_stakeholder_entries_awaiting_the_call_for_update(tenant):
    owner = factories.UserFactory(email="stakeholder@wsis.demo")
    call = factories.open_call(tenant=tenant, kind=CallKind.STOCKTAKING_UPDATE)
    now = timezone.now()

    created = seed_stocktaking_demo(tenant=tenant, now=now, count=60)
    again = seed_stocktaking_demo(tenant=tenant, now=now, count=60)

    assert (created, again) == (60, 0)
    call = updates.update_calls(tenant=tenant).get(pk=call.pk)
    awaiting = updates.awaiting_update(tenant=tenant, user=owner, call=call)
    assert len(awaiting) == DEMO_OWNED
    assert Entry.objects.filter(owner=owner).count() == DEMO_OWNED
    stale = updates.filter_freshness(Entry.objects.all(), updates.STALE, now=now + dt.timedelta(seconds=1))
    assert 0 < stale.count() < 60
