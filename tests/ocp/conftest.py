"""An edition of ``tenant`` whose five OCP calls take submissions until
25 January 2021, 23:00 Geneva time; the clock stands at 20 January."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from tests import factories
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import StakeholderType

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
NOW = dt.datetime(2021, 1, 20, 12, 0, tzinfo=GENEVA)
OPENS = dt.datetime(2020, 11, 5, tzinfo=GENEVA)
DEADLINE = dt.datetime(2021, 1, 25, 23, 0, tzinfo=GENEVA)
OCP_KINDS = [CallKind.OCP_CONTRIBUTION, CallKind.WORKSHOP, CallKind.EXHIBITION, CallKind.SPEAKER, CallKind.HLTF]


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_ocp_edition(tenant, *, year=2021):
    edition = factories.EditionFactory(tenant=tenant, year=year, title=f"WSIS Forum {year}")
    for position, kind in enumerate(OCP_KINDS):
        call = factories.CallFactory(edition=edition, kind=kind, title=f"OCP call {kind}", position=position)
        factories.PhaseFactory(call=call, opens_at=OPENS, closes_at=DEADLINE)
    return edition


@pytest.fixture
def edition(tenant):
    return make_ocp_edition(tenant)


@pytest.fixture
def calls(edition):
    return {call.kind: call for call in edition.calls.all()}


@pytest.fixture
def author(stakeholder):
    """The stakeholder with a complete profile."""
    stakeholder.stakeholder_type = StakeholderType.objects.get(slug="civil-society")
    stakeholder.save()
    assert stakeholder.profile_is_complete
    return stakeholder


@pytest.fixture
def other_author(db):
    organisation = factories.OrganisationFactory(name="Andes Digital")
    user = factories.UserFactory(email="other@example.org", organisation=organisation)
    user.stakeholder_type = organisation.stakeholder_type
    user.save()
    return user
