"""axe reports no violation on the WSIS Prizes pages (overview, the four
steps of an entry, its review page), in English and in Arabic, at desktop and
phone width."""

import datetime as dt

import pytest
from django.utils import timezone

from prizes.services import contest_ensure, special_prize_add
from tests import factories
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.prizes.factories import PrizeEntryFactory
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import StakeholderType

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def entry(tenant):
    now = timezone.now()
    year = now.year + 1
    edition = factories.EditionFactory(tenant=tenant, year=year, title=f"WSIS Forum {year}")
    call = factories.CallFactory(edition=edition, kind=CallKind.PRIZES, title=f"WSIS Prizes {year}")
    factories.PhaseFactory(call=call, opens_at=now - dt.timedelta(days=5), closes_at=now + dt.timedelta(days=30))
    factories.PhaseFactory(
        call=call,
        key="voting",
        name="Public online voting",
        opens_at=now + dt.timedelta(days=40),
        closes_at=now + dt.timedelta(days=70),
        accepts_submissions=False,
    )
    contest = contest_ensure(edition=edition)
    special_prize_add(contest=contest, name="Healthy Ageing Innovation")
    organisation = factories.OrganisationFactory(name="Kenya ICT Network")
    owner = factories.UserFactory(
        email="entrant@example.org",
        organisation=organisation,
        stakeholder_type=StakeholderType.objects.get(slug="civil-society"),
    )
    return PrizeEntryFactory(
        call=call, owner=owner, category=contest.categories.first(), title="Telemedicine for rural clinics"
    )


@pytest.mark.parametrize("language", ["en", "ar"])
def test_prizes_pages_have_no_axe_violations(new_context, choose_language, login_as, entry, language):
    context = new_context()
    choose_language(context, language)
    page = context.new_page()
    problems = []
    base = f"/wsis/prizes/entries/{entry.pk}/"
    pages = [("overview-anonymous", "/wsis/prizes/", False)]
    pages += [("overview", "/wsis/prizes/", True), ("review", base, True)]
    pages += [(f"step-{step}", f"{base}steps/{step}/", True) for step in ["basics", "descriptions", "impact", "links"]]
    for name, path, logged_in in pages:
        if logged_in:
            login_as(context, entry.owner)
        page.set_viewport_size(DESKTOP)
        response = page.goto(path)
        assert response.status == 200, name
        assert page.locator("html").get_attribute("lang") == language, name
        assert page.locator("main h1").count() == 1, name
        for width, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
            page.set_viewport_size(viewport)
            report = axe_report(page)
            if report:
                problems.append(f"[{name}-{language}, {width}] {report}")
    assert not problems, "\n".join(problems)
