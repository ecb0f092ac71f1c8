"""A stakeholder drafts a workshop request in two sittings, with a log-out
between, then submits it; every OCP page on the way passes axe."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ocp.models import WorkshopRequest
from tests import factories
from tests.e2e.a11y import axe_report
from wsis_portal.editions.enums import CallKind
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.reference.models import SessionFormat, StakeholderType

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KINDS = [CallKind.OCP_CONTRIBUTION, CallKind.WORKSHOP, CallKind.EXHIBITION, CallKind.SPEAKER, CallKind.HLTF]


@pytest.fixture
def ocp_edition(tenant):
    edition = factories.EditionFactory(tenant=tenant, year=2031, title="WSIS Forum 2031")
    for position, kind in enumerate(KINDS):
        call = factories.CallFactory(edition=edition, kind=kind, title=f"Call for {kind}", position=position)
        factories.PhaseFactory(
            call=call, opens_at=timezone.now() - dt.timedelta(days=3), closes_at=timezone.now() + dt.timedelta(days=9)
        )
    return edition


@pytest.fixture
def author(db):
    organisation = factories.OrganisationFactory(name="Kenya ICT Network")
    user = factories.UserFactory(email="amina@example.org", organisation=organisation)
    user.stakeholder_type = StakeholderType.objects.get(slug="civil-society")
    user.save()
    return user


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.1)
    return predicate()


def _log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


class AxeProblems:
    """Runs axe on the page as it is now and keeps every report, so that one
    test can visit many pages and list all their violations at the end."""

    def __init__(self, page):
        self.page, self.problems = page, []

    def __call__(self, label):
        report = axe_report(self.page)
        if report:
            self.problems.append(f"[{label}] {report}")

    def __str__(self):
        return "\n".join(self.problems)


def draft_and_submit_workshop(page, author, check) -> WorkshopRequest:
    """The stakeholder's part of the journey: a workshop request drafted in two
    sittings with a log-out between, then submitted; ``check(label)`` runs on
    every OCP page on the way. Returns the submitted request as stored."""
    session_format = SessionFormat.objects.order_by("name").first()

    # First sitting: the OCP page, a new draft, the basics saved with the button.
    _log_in(page, author)
    page.goto("/wsis/ocp/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open Consultation Process")
    check("overview")
    page.get_by_role("button", name="Start a new draft for “Call for workshop”").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop request: Basics")
    check("basics")
    page.get_by_label("Title").fill("Youth and AI in rural Kenya")
    page.get_by_label("Session format").select_option(str(session_format.pk))
    page.get_by_label("Language of the session").select_option("en")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop request: Content")
    expect(page.locator(".messages")).to_contain_text("Your draft was saved at")
    check("content")

    # Typed but not saved with a button: autosave keeps it when the page is left.
    page.get_by_label("Abstract").fill("How young people use AI tools in farming.")
    page.get_by_label("Moderator", exact=True).fill("Wanjiru Kamau")
    page.evaluate("window.dispatchEvent(new Event('pagehide'))")
    workshop = WorkshopRequest.objects.get(owner=author)
    assert _wait_for(lambda: WorkshopRequest.objects.get(pk=workshop.pk).moderator_name == "Wanjiru Kamau")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    # Second sitting, days later: find the draft, see what is missing, finish it.
    _log_in(page, author)
    page.goto("/wsis/my-submissions/")
    check("my-submissions")
    page.get_by_role("link", name="Youth and AI in rural Kenya").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop request: Youth and AI in rural Kenya")
    checklist = page.locator(".ocp-checklist li")
    expect(checklist).to_have_text(["Action Lines", "At least one speaker"])
    check("review-incomplete")
    page.get_by_role("link", name="Action Lines").click()
    expect(page.get_by_label("Abstract")).to_have_value("How young people use AI tools in farming.")
    check("action-lines")
    page.locator("input[name=action_lines]").first.check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop request: Speakers")
    check("speakers")
    page.locator("#id_speakers-0-name").fill("Grace Mwangi")
    page.locator("#id_speakers-0-country").select_option("KE")
    page.locator("#id_speakers-0-gender").select_option("female")
    page.locator("#id_speakers-0-participation").select_option("remote")
    page.get_by_role("button", name="Save and review").click()
    expect(page.get_by_text("Everything required is filled in.")).to_be_visible()
    check("review-complete")

    page.get_by_role("button", name="Submit").click()
    expect(page.locator(".messages")).to_contain_text("Your reference is WS-2031-00001")
    check("review-submitted")
    return WorkshopRequest.objects.get(pk=workshop.pk)


def test_workshop_request_drafted_in_two_sittings_then_submitted(page, ocp_edition, author, live_server):
    check = AxeProblems(page)

    stored = draft_and_submit_workshop(page, author, check)

    assert (stored.status, stored.reference, stored.speakers.get().name) == (
        "submitted",
        "WS-2031-00001",
        "Grace Mwangi",
    )
    assert _wait_for(lambda: OutboxEmail.objects.filter(recipient=author.email).exists())
    assert not check.problems, str(check)


def test_hltf_nominee_step_counts_words_and_shows_errors_accessibly(page, ocp_edition, author, login_as):
    from ocp.models import HltfNomination

    call = ocp_edition.calls.get(kind=CallKind.HLTF)
    nomination = HltfNomination.objects.create(
        tenant=ocp_edition.tenant, call=call, owner=author, organisation=author.organisation
    )
    login_as(page.context, author)
    page.goto(f"/wsis/ocp/hltf/{nomination.pk}/steps/nominee/")

    page.get_by_label("Short biography").fill(" ".join(["word"] * 151))
    expect(page.locator("#id_biography-word-count")).to_have_text("151 of at most 150 words")
    page.get_by_label("Nominee's email address").fill("not an email")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.get_by_label("Short biography")).to_have_value(" ".join(["word"] * 151))
    report = axe_report(page)
    assert report == "", report
