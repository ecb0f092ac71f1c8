"""The WSIS Prizes from an entry to the results, in one Chromium journey.

A stakeholder submits their entry; a manager nominates it in the admin
(password and TOTP); a voter confirms their email address with the link and
votes; the tally at the close of the voting makes the entry a Champion; an
expert ranks it first on the selection page and the manager confirms it as
the Winner; when the announcement opens, the public results page shows it.

The contest moves from phase to phase as the demo does
(``prizes.demo.contest_move_to_phase``: the phases are re-dated and the
phase engine runs the boundaries that passed), since the live server shares
the real clock.
"""

# ruff: noqa: F811 (fixtures imported from another test module are used as parameters)

import datetime as dt

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from prizes.demo import contest_move_to_phase
from prizes.models import CategoryExpert, Champion, PrizeEntry, Winner
from prizes.services import contest_ensure
from tests import factories
from tests.e2e.test_ocp_full_journey import _admin_login, _run_action, manager_secret  # noqa: F401
from tests.prizes.factories import PrizeEntryFactory, complete_values
from wsis_portal.editions.enums import CallKind
from wsis_portal.reference.models import StakeholderType, SustainableDevelopmentGoal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Not a headless agent: such votes would be quarantined, and a quarantined vote does not count.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
TITLE = "Telemedicine for rural clinics"
PHASES = ["submission", "nomination", "voting", "selection", "announcement"]


@pytest.fixture
def contest(tenant):
    now = timezone.now()
    year = now.year + 1
    edition = factories.EditionFactory(tenant=tenant, year=year, title=f"WSIS Forum {year}")
    call = factories.CallFactory(edition=edition, kind=CallKind.PRIZES, title=f"WSIS Prizes {year}")
    for position, key in enumerate(PHASES):
        factories.PhaseFactory(
            call=call,
            key=key,
            name=key.capitalize(),
            opens_at=now + dt.timedelta(days=20 * position - 5),
            closes_at=now + dt.timedelta(days=20 * position + 10),
            accepts_submissions=key == "submission",
            position=position,
        )
    return contest_ensure(edition=edition)


@pytest.fixture
def draft(contest, stakeholder):
    """The stakeholder's complete draft, in the first category."""
    stakeholder.stakeholder_type = StakeholderType.objects.get(slug="civil-society")
    stakeholder.save()
    values = complete_values(contest.categories.first(), stakeholder.stakeholder_type)
    values["title"] = TITLE
    entry = PrizeEntryFactory(
        call=contest.edition.calls.get(kind=CallKind.PRIZES),
        owner=stakeholder,
        organisation=stakeholder.organisation,
        **values,
    )
    entry.sdgs.add(SustainableDevelopmentGoal.objects.get(number=3))
    return entry


def _browser(new_context, login_as, user=None):
    context = new_context(user_agent=USER_AGENT)
    if user is not None:
        login_as(context, user)
    return context.new_page()


def test_entry_becomes_champion_and_winner_on_the_results_page(
    new_context, login_as, contest, draft, manager, manager_secret, expert, live_server
):
    category = draft.category

    # The stakeholder submits the entry.
    author_page = _browser(new_context, login_as, draft.owner)
    author_page.goto(f"/wsis/prizes/entries/{draft.pk}/")
    author_page.get_by_role("button", name="Submit").click()
    expect(author_page.locator(".messages")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == "submitted"
    reference = draft.reference

    # The nomination phase: a manager nominates it in the admin.
    contest_move_to_phase(contest=contest, phase_key="nomination", now=timezone.now())
    admin_page = _browser(new_context, login_as)
    _admin_login(admin_page, manager, manager_secret)
    admin_page.goto("/admin/prizes/prizeentry/")
    _run_action(admin_page, "Nominate the selected entries", row_reference=reference)
    expect(admin_page.locator(".messagelist")).to_contain_text("1 entry nominated.")

    # The voting: a newcomer confirms their email address with the link, then votes.
    contest_move_to_phase(contest=contest, phase_key="voting", now=timezone.now())
    voter = factories.UserFactory(email="voter@example.org", verified=False)
    voter.date_joined = timezone.now() - dt.timedelta(days=30)
    voter.save()
    address = EmailAddress.objects.create(user=voter, email=voter.email, verified=False, primary=True)
    voter_page = _browser(new_context, login_as, voter)
    voter_page.goto(reverse("account_confirm_email", args=[EmailConfirmationHMAC(address).key]))
    voter_page.get_by_role("button", name="Confirm").click()
    expect(voter_page.locator(".messages")).to_contain_text(f"You have confirmed {voter.email}.")
    voter_page.goto(f"/wsis/prizes/voting/categories/{category.pk}/")
    voter_page.get_by_role("button", name=f"Vote for {TITLE}").click()
    expect(voter_page.locator(".messages")).to_contain_text("Thank you: your vote is recorded.")

    # The voting closes: the tally makes the entry a Champion, once.
    contest_move_to_phase(contest=contest, phase_key="selection", now=timezone.now())
    champion = Champion.objects.get(entry=draft)
    assert (champion.rank, champion.votes, champion.tie_at_cutoff) == (1, 1, False)

    # An expert of the category ranks it first.
    CategoryExpert.objects.create(category=category, user=expert)
    expert_page = _browser(new_context, login_as, expert)
    expert_page.goto("/wsis/prizes/selection/")
    expert_page.get_by_role("link", name=str(category)).click()
    expect(expert_page.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    expert_page.get_by_label(f"Place of {TITLE}").select_option("1")
    expert_page.get_by_role("button", name="Save my ranking").click()
    expect(expert_page.locator(".messages")).to_contain_text("Your ranking of")

    # The manager sees the experts' points and confirms the Winner.
    admin_page.goto("/admin/prizes/champion/")
    expect(admin_page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("1")
    _run_action(admin_page, "Confirm the selected Champion as the Winner of its category", row_reference=TITLE)
    expect(admin_page.locator(".messagelist")).to_contain_text("1 Winner confirmed.")
    assert Winner.objects.get(category=category).champion == champion

    # Before the announcement the public gets 404; once it opens, the results show the Winner.
    visitor_page = _browser(new_context, login_as)
    assert visitor_page.goto("/wsis/prizes/results/").status == 404
    contest_move_to_phase(contest=contest, phase_key="announcement", now=timezone.now())
    assert visitor_page.goto("/wsis/prizes/results/").status == 200
    section = visitor_page.locator("section").filter(has_text=str(category))
    expect(section).to_contain_text(f"Winner {TITLE}")
    expect(section).to_contain_text("1 valid vote")
    visitor_page.get_by_role("link", name="WSIS Stocktaking: Success Stories").click()
    expect(visitor_page.get_by_role("heading", level=2, name=TITLE)).to_be_visible()
    assert PrizeEntry.objects.get(pk=draft.pk).nominated_at is not None
