"""axe reports no violation on the voting pages (the categories, a category's
nominees, My votes, the staff dashboard), in English and Arabic, at desktop
and phone width; and a vote can be cast with the keyboard alone."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from prizes import voting, voting_integrity
from prizes.models import Vote
from prizes.services import contest_ensure
from tests import factories
from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.prizes.factories import WORDS_170, PrizeEntryFactory
from wsis_portal.editions.enums import CallKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def contest(tenant):
    now = timezone.now()
    year = now.year + 1
    edition = factories.EditionFactory(tenant=tenant, year=year, title=f"WSIS Forum {year}")
    call = factories.CallFactory(edition=edition, kind=CallKind.PRIZES, title=f"WSIS Prizes {year}")
    factories.PhaseFactory(
        call=call,
        key="voting",
        name="Public online voting",
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=20),
        accepts_submissions=False,
    )
    contest = contest_ensure(edition=edition)
    category = contest.categories.first()
    for index in range(3):
        organisation = factories.OrganisationFactory(name=f"Network {index}", country="KE")
        PrizeEntryFactory(
            call=call,
            category=category,
            owner=factories.UserFactory(email=f"nominee{index}@example.org", organisation=organisation),
            title=f"Telemedicine {index}",
            short_description=WORDS_170,
            country="KE",
            status="submitted",
            nominated_at=now - dt.timedelta(days=3),
        )
    return contest


@pytest.fixture
def voter(contest):
    """A voter who already voted in the first category (My votes has a row;
    the dashboard a column)."""
    user = factories.UserFactory(email="voter@example.org")
    category = contest.categories.first()
    entry = category.entries.first()
    voting.vote_cast(
        category_id=category.pk,
        entry_id=entry.pk,
        voter=user,
        signals=voting_integrity.VoteSignals(user_agent="Mozilla/5.0", account_age_seconds=10**6),
    )
    return user


@pytest.mark.parametrize("language", ["en", "ar"])
def test_voting_pages_have_no_axe_violations(new_context, choose_language, login_as, contest, voter, manager, language):
    category = contest.categories.first()
    fresh = factories.UserFactory(email="fresh@example.org")
    pages = [
        ("index", "/wsis/prizes/voting/", voter),
        ("category-anonymous", f"/wsis/prizes/voting/categories/{category.pk}/", None),
        ("category", f"/wsis/prizes/voting/categories/{category.pk}/", fresh),
        ("category-voted", f"/wsis/prizes/voting/categories/{category.pk}/", voter),
        ("my-votes", "/wsis/prizes/voting/my-votes/", voter),
        ("dashboard", "/wsis/prizes/voting/dashboard/", manager),
    ]
    problems = []
    for name, path, user in pages:
        context = new_context()
        choose_language(context, language)
        if user is not None:
            login_as(context, user)
        page = context.new_page()
        page.set_viewport_size(DESKTOP)
        response = page.goto(path)
        assert response.status == 200, name
        assert page.locator("main h1").count() == 1, name
        for width, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
            page.set_viewport_size(viewport)
            report = axe_report(page)
            if report:
                problems.append(f"[{name}-{language}, {width}] {report}")
        context.close()
    assert not problems, "\n".join(problems)


def test_vote_is_cast_with_the_keyboard_alone(new_context, login_as, contest):
    category = contest.categories.first()
    keyboard_voter = factories.UserFactory(email="keys@example.org")
    context = new_context()
    login_as(context, keyboard_voter)
    page = context.new_page()
    page.goto(f"/wsis/prizes/voting/categories/{category.pk}/")

    # Skip the menu, then Tab to the first vote button and press Enter.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    for _ in range(20):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
        if focused.startswith("Vote for "):
            break
    else:
        pytest.fail("no vote button reached with Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Thank you: your vote is recorded.")).to_be_visible()
    title = focused.removeprefix("Vote for ")
    expect(page.locator("#your-vote")).to_contain_text(f"You voted for {title} in this category.")
    assert Vote.objects.get(voter=keyboard_voter).entry.title == title


def test_login_by_emailed_code_pages_have_no_axe_violations_and_log_in(new_context, contest):
    import re

    from django.core import mail

    voter = factories.UserFactory(email="coded@example.org")
    category = contest.categories.first()
    page = new_context().new_page()
    page.goto(f"/accounts/login/?next=/wsis/prizes/voting/categories/{category.pk}/")
    page.get_by_role("link", name=re.compile("sign-in code", re.IGNORECASE)).click()
    problems = [f"[request code] {report}"] if (report := axe_report(page)) else []
    page.locator("main input[type=email]").fill(voter.email)
    page.locator("main form button[type=submit]").first.click()
    page.locator("main input[name=code]").wait_for()
    if report := axe_report(page):
        problems.append(f"[confirm code] {report}")
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    page.locator("main input[name=code]").fill(code)
    page.locator("main form button[type=submit]").first.click()

    expect(page.get_by_role("button", name=re.compile("^Vote for "))).to_have_count(3)
    assert not problems, "\n".join(problems)
