"""axe reports no violation on the selection pages: the expert's categories,
a category's Champions with the ranking form (also with its errors), the
results and the Success Stories, in English and in Arabic, at desktop and
phone width."""

import datetime as dt

import pytest
from django.utils import timezone

from prizes.enums import VoteStatus
from prizes.models import CategoryExpert, Vote
from prizes.selection import results_announce, tally_run, winner_confirm
from prizes.services import contest_ensure, special_prize_add
from tests import factories
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.prizes.factories import WORDS_170, PrizeEntryFactory
from wsis_portal.editions.enums import CallKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHASES = [
    # key, days from now it opens, days from now it closes
    ("submission", -90, -60),
    ("nomination", -55, -40),
    ("voting", -35, -10),
    ("selection", -9, 5),
    ("announcement", 30, 35),
]


@pytest.fixture
def selection(tenant):
    """A contest whose votes are counted and whose selection is open; an expert
    of two categories, each with three Champions."""
    now = timezone.now()
    year = now.year + 1
    edition = factories.EditionFactory(tenant=tenant, year=year, title=f"WSIS Forum {year}")
    call = factories.CallFactory(edition=edition, kind=CallKind.PRIZES, title=f"WSIS Prizes {year}")
    for position, (key, opens, closes) in enumerate(PHASES):
        factories.PhaseFactory(
            call=call,
            key=key,
            name=key.capitalize(),
            opens_at=now + dt.timedelta(days=opens),
            closes_at=now + dt.timedelta(days=closes),
            accepts_submissions=key == "submission",
            position=position,
        )
    contest = contest_ensure(edition=edition)
    special_prize_add(contest=contest, name="Healthy Ageing Innovation")
    expert = factories.UserFactory(email="expert-e2e@example.org", is_staff=True)
    factories.MembershipFactory(tenant=tenant, user=expert, role="expert")
    manager = factories.UserFactory(email="manager-e2e@example.org", is_staff=True)
    factories.MembershipFactory(tenant=tenant, user=manager, role="manager")
    categories = [contest.categories.first(), contest.categories.get(special_name="Healthy Ageing Innovation")]
    for index, category in enumerate(categories):
        CategoryExpert.objects.create(category=category, user=expert)
        for offset in range(3):
            number = index * 10 + offset
            entry = PrizeEntryFactory(
                call=call,
                category=category,
                status="submitted",
                reference=f"PRZ-{year}-{number:05d}",
                title=f"Telemedicine network {number}",
                short_description=WORDS_170,
                full_description="Rural clinics linked to specialists by video.",
                social_impact="Fewer journeys for patients.",
                country="KE",
                nominated_at=now - dt.timedelta(days=40),
            )
            Vote.objects.bulk_create(
                Vote(
                    category=category,
                    entry=entry,
                    voter=factories.UserFactory(),
                    cast_at=now - dt.timedelta(days=20),
                    status=VoteStatus.VALID,
                )
                for _ in range(offset + 1)
            )
    tally_run(contest=contest, now=now)
    return {"contest": contest, "categories": categories, "expert": expert, "manager": manager}


def _audit(page, name, language, problems):
    for width, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        page.set_viewport_size(viewport)
        report = axe_report(page)
        if report:
            problems.append(f"[{name}-{language}, {width}] {report}")
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_selection_pages_have_no_axe_violations(new_context, choose_language, login_as, selection, language):
    context = new_context()
    choose_language(context, language)
    login_as(context, selection["expert"])
    page = context.new_page()
    problems = []
    category = selection["categories"][0]
    pages = [
        ("expert-categories", "/wsis/prizes/selection/"),
        ("expert-category", f"/wsis/prizes/selection/{category.pk}/"),
    ]
    for name, path in pages:
        response = page.goto(path)
        assert response.status == 200, name
        assert page.locator("html").get_attribute("lang") == language, name
        assert page.locator("main h1").count() == 1, name
        _audit(page, name, language, problems)

    # The ranking form with an error: the same place twice.
    selects = page.locator("main form select")
    assert selects.count() == 3
    for index in range(3):
        selects.nth(index).select_option("1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".invalid-feedback").count() == 2
    _audit(page, "expert-category-errors", language, problems)

    winner_confirm(category=category, entry=category.champions.first().entry, by=selection["manager"])
    results_announce(contest=selection["contest"])
    for name, path in [("results", "/wsis/prizes/results/"), ("success-stories", "/wsis/prizes/success-stories/")]:
        response = page.goto(path)
        assert response.status == 200, name
        assert page.locator("main h1").count() == 1, name
        _audit(page, name, language, problems)
    assert not problems, "\n".join(problems)
