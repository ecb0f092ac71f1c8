"""An edition of ``tenant`` whose WSIS Prizes take submissions until
25 January 2021, 23:00 Geneva time, with the contest's five phases; the clock
stands at 20 January."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from prizes.services import contest_ensure
from tests import factories
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import StakeholderType

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
NOW = dt.datetime(2021, 1, 20, 12, 0, tzinfo=GENEVA)
OPENS = dt.datetime(2020, 11, 5, tzinfo=GENEVA)
DEADLINE = dt.datetime(2021, 1, 25, 23, 0, tzinfo=GENEVA)
PHASES = [
    ("submission", "Submission", OPENS, DEADLINE, True),
    (
        "nomination",
        "Nomination",
        dt.datetime(2021, 2, 1, tzinfo=GENEVA),
        dt.datetime(2021, 2, 27, tzinfo=GENEVA),
        False,
    ),
    (
        "voting",
        "Public online voting",
        dt.datetime(2021, 3, 1, tzinfo=GENEVA),
        dt.datetime(2021, 3, 31, 23, tzinfo=GENEVA),
        False,
    ),
    ("selection", "Selection", dt.datetime(2021, 4, 1, tzinfo=GENEVA), dt.datetime(2021, 4, 13, tzinfo=GENEVA), False),
    (
        "announcement",
        "Announcement",
        dt.datetime(2021, 5, 17, tzinfo=GENEVA),
        dt.datetime(2021, 5, 22, tzinfo=GENEVA),
        False,
    ),
]


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def make_prizes_edition(tenant, *, year=2021):
    edition = factories.EditionFactory(tenant=tenant, year=year, title=f"WSIS Forum {year}")
    call = factories.CallFactory(edition=edition, kind=CallKind.PRIZES, title=f"WSIS Prizes {year}")
    for position, (key, name, opens_at, closes_at, accepts) in enumerate(PHASES):
        factories.PhaseFactory(
            call=call,
            key=key,
            name=name,
            opens_at=opens_at,
            closes_at=closes_at,
            accepts_submissions=accepts,
            position=position,
        )
    return edition


@pytest.fixture
def edition(tenant):
    return make_prizes_edition(tenant)


@pytest.fixture
def call(edition):
    return edition.calls.get(kind=CallKind.PRIZES)


@pytest.fixture
def contest(edition):
    return contest_ensure(edition=edition)


@pytest.fixture
def categories(contest):
    return list(contest.categories.all())


@pytest.fixture
def author(stakeholder):
    """The stakeholder with a complete profile."""
    stakeholder.stakeholder_type = StakeholderType.objects.get(slug="civil-society")
    stakeholder.save()
    assert stakeholder.profile_is_complete
    return stakeholder


@pytest.fixture
def colleague(author):
    """Another person acting for the author's organisation."""
    user = factories.UserFactory(email="colleague@example.org", organisation=author.organisation)
    user.stakeholder_type = author.stakeholder_type
    user.save()
    return user


@pytest.fixture
def other_author(db):
    organisation = factories.OrganisationFactory(name="Andes Digital", country="PE")
    user = factories.UserFactory(email="other@example.org", organisation=organisation)
    user.stakeholder_type = organisation.stakeholder_type
    user.save()
    return user
