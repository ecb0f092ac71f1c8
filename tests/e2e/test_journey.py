"""A newcomer's first visit, in Chromium: sign up, confirm the email address
with the link they receive, log in, complete the profile, find the open calls
with their deadlines and reach "My submissions"."""

import datetime as dt
import re
import time
import zoneinfo

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import VISITOR_TIMEZONE
from wsis_portal.accounts.models import User
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GENEVA = zoneinfo.ZoneInfo("Europe/Zurich")
EMAIL = "amina.odhiambo@example.org"
PASSWORD = "Kisumu-lakeside-2031"


def _confirmation_email(timeout=5.0):
    """The one email delivered so far (the live server delivers it in its own thread)."""
    deadline = time.monotonic() + timeout
    while not mail.outbox and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    return mail.outbox[0]


def _geneva_label(moment: dt.datetime) -> str:
    local = moment.astimezone(GENEVA)
    hours = int(local.utcoffset().total_seconds() // 3600)
    return f"{local.day} {local:%B %Y, %H:%M} Geneva time (UTC+{hours})"


def test_newcomer_signs_up_confirms_logs_in_completes_profile_and_sees_open_calls(page, tenant, live_server):
    # A call that closes in 10 days, 5 hours and 30 minutes, on a whole minute.
    closes_at = (timezone.now() + dt.timedelta(days=10, hours=5, minutes=30)).replace(second=0, microsecond=0)
    call = factories.open_call(tenant=tenant, closes_at=closes_at)
    call.title = "Workshop requests"
    call.save()
    edition = call.edition

    # The platform's front page leads to the only forum.
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/wsis/")
    expect(page.get_by_role("heading", level=1)).to_have_text(edition.title)
    expect(page).to_have_title("WSIS Forum · WSIS Forum Portal")

    # Sign up.
    page.get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    page.get_by_label("Email").fill(EMAIL)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/confirm-email/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    expect(page.locator(".messages")).to_have_text(f"Confirmation email sent to {EMAIL}.")

    # The confirmation email: stored in the outbox, then delivered.
    email = _confirmation_email()
    assert email.to == [EMAIL]
    assert email.subject == "[WSIS] Please Confirm Your Email Address"
    links = re.findall(rf"{re.escape(live_server.url)}/accounts/confirm-email/[^\s/]+/", email.body)
    assert len(links) == 1, email.body
    assert [alternative[1] for alternative in email.alternatives] == ["text/html"]
    assert links[0] in email.alternatives[0][0]
    stored = OutboxEmail.objects.get(recipient=EMAIL)
    assert (stored.subject, stored.status) == ("[WSIS] Please Confirm Your Email Address", OutboxStatus.SENT)

    # The link opens a page that confirms on a button press (never on GET).
    page.goto(links[0])
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.locator(".messages")).to_have_text(f"You have confirmed {EMAIL}.")

    # Log in: back to the forum's home page.
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}/wsis/")
    expect(page.locator(".messages")).to_have_text(f"Successfully signed in as {EMAIL}.")

    # The profile, typed with the keyboard: Tab from field to field, selects
    # chosen by typing the start of an option.
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    page.get_by_label("First name").focus()
    typed = ["Amina", "Odhiambo", "Programme officer", "Female", "Kenya ICT Action Network", "kenyaict.example.org"]
    for text in typed:
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    expect(page.get_by_label("Stakeholder type")).to_be_focused()
    page.keyboard.type("Civil")
    page.keyboard.press("Tab")
    page.keyboard.type("Kenya")
    page.keyboard.press("Tab")  # the preferred language stays English
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save profile")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_have_text("Your profile is saved.")

    user = User.objects.select_related("organisation", "stakeholder_type").get(email=EMAIL)
    assert (user.first_name, user.last_name, user.job_title, user.gender) == (
        "Amina",
        "Odhiambo",
        "Programme officer",
        "female",
    )
    assert (user.organisation.name, user.organisation.website, user.organisation.country.code) == (
        "Kenya ICT Action Network",
        "https://kenyaict.example.org",
        "KE",
    )
    assert user.stakeholder_type.name == "Civil Society"
    assert user.profile_is_complete

    # The open call on the forum's home page: its deadline in Geneva time with
    # the UTC offset from the server, the visitor's own time and the countdown
    # from the browser.
    page.get_by_role("link", name="Home").click()
    expect(page).to_have_url(f"{live_server.url}/wsis/")
    open_calls = page.get_by_role("region", name="Open calls")
    card = open_calls.get_by_role("article")
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading", level=3)).to_have_text("Workshop requests")
    deadline = card.locator("time[data-deadline]")
    expect(deadline).to_have_text(_geneva_label(closes_at))
    expect(deadline).to_have_attribute("datetime", closes_at.isoformat())
    in_tokyo = closes_at.astimezone(zoneinfo.ZoneInfo(VISITOR_TIMEZONE))
    expected_local = page.evaluate(
        """([iso, zone]) => new Intl.DateTimeFormat(navigator.languages.concat(["en"]),
            {dateStyle: "full", timeStyle: "short", timeZone: zone}).format(new Date(iso))""",
        [closes_at.isoformat(), VISITOR_TIMEZONE],
    )
    assert f"{in_tokyo.day} {in_tokyo:%B %Y}" in expected_local
    assert f"{in_tokyo:%H:%M}" in expected_local
    expect(card.locator(".deadline-local")).to_have_text(f"Your time: {expected_local}")
    expect(card.locator(".deadline-countdown")).to_have_text("10 days 5 hours left")

    # "My submissions": nothing yet, and no reminder to complete the profile.
    page.get_by_role("link", name="My submissions").click()
    expect(page).to_have_url(f"{live_server.url}/wsis/my-submissions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My submissions")
    expect(page.get_by_role("link", name="My submissions")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("main").locator("p")).to_have_text(
        "You have no drafts or submissions yet. Open calls are listed on the home page."
    )
    expect(page.get_by_text("Complete your profile and organisation")).to_have_count(0)
