"""axe reports no violation on the pages of a newcomer's first visit, in
English and in Arabic (right to left), at desktop and at phone width.

Set E2E_SCREENSHOT_DIR to keep a full-page screenshot of each, to look at them.
"""

import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.e2e.a11y import axe_report
from tests.e2e.conftest import DESKTOP, PHONE
from tests.sampleapp.models import SampleEntry
from wsis_portal.accounts.models import User
from wsis_portal.editions.demo import seed_demo
from wsis_portal.editions.enums import SubmissionStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGUAGES = ["en", "ar"]


@pytest.fixture
def demo():
    """The demo forum with its calls open now, and a stakeholder with a draft
    and a submitted entry (so "My submissions" shows its table)."""
    seeded = seed_demo(now=timezone.now())
    edition = seeded["editions"][1]
    stakeholder = User.objects.get(email="stakeholder@wsis.demo")
    call = edition.calls.order_by("position").first()
    for title, status, reference in [
        ("Digital skills for rural women", SubmissionStatus.DRAFT, ""),
        ("Community networks in the Andes", SubmissionStatus.SUBMITTED, f"SMP-{edition.year}-00001"),
    ]:
        SampleEntry.objects.create(
            tenant=seeded["tenant"],
            call=call,
            owner=stakeholder,
            organisation=stakeholder.organisation,
            title=title,
            status=status,
            reference=reference,
        )
    return {"edition": edition, "stakeholder": stakeholder}


def _show_profile_errors(page):
    page.locator("#id_last_name").fill("")
    page.locator("#id_organisation_website").fill("not a website")
    page.locator("#submit-id-save").click()
    page.locator("[data-error-summary]").wait_for()


def _fail_login(page):
    page.locator("#id_login").fill("stakeholder@wsis.demo")
    page.locator("#id_password").fill("not the password")
    page.locator("main form button[type=submit]").click()
    page.locator("main .alert-danger").first.wait_for()


# (name, path, signed in, what to do on the page before the check)
PAGES = [
    ("home", "/wsis/", False, None),
    ("sign-up", "/accounts/signup/", False, None),
    ("login", "/accounts/login/", False, None),
    ("login-failed", "/accounts/login/", False, _fail_login),
    ("edition", "{edition}", False, None),
    ("profile", "/accounts/profile/", True, None),
    ("profile-errors", "/accounts/profile/", True, _show_profile_errors),
    ("my-submissions", "/wsis/my-submissions/", True, None),
]


def _problems(page, label):
    """axe at desktop width, then at phone width (the menu folded)."""
    problems = []
    for name, viewport in [("desktop", DESKTOP), ("phone", PHONE)]:
        page.set_viewport_size(viewport)
        report = axe_report(page)
        if report:
            problems.append(f"[{label}, {name}] {report}")
        if os.environ.get("E2E_SCREENSHOT_DIR"):
            folder = Path(os.environ["E2E_SCREENSHOT_DIR"])
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=folder / f"{label}-{name}.png", full_page=True)
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_have_no_axe_violations(new_context, login_as, choose_language, demo, language):
    """One test per language for every page (a transactional test's set-up
    and flush cost more than a page); the message lists every violation."""
    visitor, member = new_context(), new_context()
    for context in (visitor, member):
        choose_language(context, language)
    login_as(member, demo["stakeholder"])
    pages = {False: visitor.new_page(), True: member.new_page()}
    problems = []
    for name, path, signed_in, action in PAGES:
        page = pages[signed_in]
        page.set_viewport_size(DESKTOP)
        page.goto(path.format(edition=demo["edition"].get_absolute_url()))
        if action:
            action(page)
        assert page.locator("html").get_attribute("lang") == language, name
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr"), name
        assert page.locator("main h1").count() == 1, name
        problems += _problems(page, f"{name}-{language}")
    assert not problems, "\n".join(problems)
