"""The OCP from a stakeholder's draft to the public agenda, in one browser journey.

A stakeholder drafts a workshop request in two sittings and submits it; the
receipt reaches a real SMTP server (aiosmtpd). A manager signs in to the admin
with a password and a TOTP code, accepts the request and schedules it as a
session, then publishes it. An anonymous visitor finds the session on the
agenda and in both iCalendar files. Every OCP page the stakeholder and the
visitor see passes axe.
"""

import datetime as dt
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.totp.internal.auth import app_settings as totp_settings
from icalendar import Calendar
from playwright.sync_api import expect

from ocp.models import Session
from tests import factories
from tests.e2e import test_ocp_journey as journey
from tests.e2e.test_ocp_journey import AxeProblems, draft_and_submit_workshop
from tests.notifications.smtp_server import running_smtp_server
from wsis_portal.env import email_settings_from_url

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The stakeholder's journey's fixtures: an edition with open calls, and the author.
ocp_edition = journey.ocp_edition
author = journey.author

REFERENCE = "WS-2031-00001"
TITLE = "Youth and AI in rural Kenya"
# The fixture's edition runs its final week from Monday 19 May 2031, in Geneva.
SESSION_DAY, SESSION_START, SESSION_END = "2031-05-19", "10:00", "11:30"
# A TOTP code is good for the rest of its 30 s period: never type one with less left than this.
TOTP_MARGIN_SECONDS = 10


@pytest.fixture
def smtp_delivery(settings):
    """The outbox delivers to a real SMTP server, as production does through EMAIL_URL.
    The live server runs in this process and Celery is eager in tests, so the
    sender task runs right after the submit commits, as a worker would."""
    with running_smtp_server() as server:
        settings.OUTBOX_DELIVERY = {**email_settings_from_url("EMAIL_URL", server.url), "TIMEOUT": 5}
        yield server


@pytest.fixture
def manager_secret(manager) -> str:
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)
    return secret


def _totp_code(secret: str) -> str:
    """The code an authenticator app shows now, taken early enough in its period
    that it is still valid when the server checks it."""
    period = totp_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < TOTP_MARGIN_SECONDS:
        time.sleep(left + 0.1)  # wait for the next code, as a person would
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def _admin_login(page, user, secret):
    """allauth's login, then the second factor; the admin opens only after both."""
    page.goto("/admin/ocp/workshoprequest/")
    expect(page.locator("#id_login")).to_be_visible()
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_code")).to_be_visible()
    page.locator("#id_code").fill(_totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator("#changelist")).to_be_visible()


def _run_action(page, action_label, *, row_reference):
    """Tick the changelist's row that shows ``row_reference``, choose an action and press Go."""
    page.get_by_role("row").filter(has_text=row_reference).locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label=action_label)
    page.locator("button[name=index]").click()


def _events(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def test_workshop_request_from_draft_to_public_agenda(
    new_context, ocp_edition, author, manager, manager_secret, smtp_delivery
):
    # The stakeholder: two sittings, then the submit.
    stakeholder_page = new_context().new_page()
    check = AxeProblems(stakeholder_page)
    workshop = draft_and_submit_workshop(stakeholder_page, author, check)
    assert (workshop.status, workshop.reference) == ("submitted", REFERENCE)

    # The receipt arrives at the SMTP server.
    received = smtp_delivery.wait_for(1, timeout=15)
    assert len(received) == 1, [mail.header("Subject") for mail in received]
    receipt = received[0]
    assert receipt.rcpt_tos == [author.email]
    assert REFERENCE in receipt.header("Subject")
    assert f"Reference number: {REFERENCE}" in receipt.text
    assert REFERENCE in receipt.html

    # The manager: the real admin login (password, then TOTP), in a browser of their own.
    admin_page = new_context().new_page()
    _admin_login(admin_page, manager, manager_secret)
    admin_page.get_by_role("link", name=REFERENCE).click()
    expect(admin_page.locator("#id_title")).to_have_value(TITLE)
    expect(admin_page.locator(".field-status")).to_contain_text("Submitted")

    # Accept, through the decision page (a message quoted in the stakeholder's email).
    admin_page.get_by_role("link", name="Workshop requests").first.click()
    _run_action(admin_page, "Accept (emails the stakeholder)", row_reference=REFERENCE)
    expect(admin_page.locator("#id_decision_note")).to_be_visible()
    admin_page.locator("#id_decision_note").fill("Congratulations: your workshop is on the programme.")
    admin_page.get_by_role("button", name="Accepted: send").click()
    expect(admin_page.locator(".messagelist")).to_contain_text("Moved to “Accepted”: 1; skipped: 0.")
    expect(admin_page.get_by_role("row").filter(has_text=REFERENCE)).to_contain_text("Accepted")

    # Schedule it as a session: day and times in the edition's time zone, room, link.
    _run_action(admin_page, "Schedule as session", row_reference=REFERENCE)
    expect(admin_page.locator("#id_day")).to_be_visible()
    admin_page.locator("#id_day").fill(SESSION_DAY)
    admin_page.locator("#id_start").fill(SESSION_START)
    admin_page.locator("#id_end").fill(SESSION_END)
    admin_page.locator("#id_room").fill("Room K1")
    admin_page.locator("#id_virtual_url").fill("https://meet.example.org/k1")
    admin_page.get_by_role("button", name="Schedule").click()
    expect(admin_page.locator(".messagelist")).to_contain_text(f"{REFERENCE} is scheduled as session “{TITLE}”")

    # Publish it on the agenda from the sessions' list.
    admin_page.goto("/admin/ocp/session/")
    expect(admin_page.get_by_role("row").filter(has_text=TITLE)).to_be_visible()
    _run_action(admin_page, "Publish on the agenda", row_reference=TITLE)
    expect(admin_page.locator(".messagelist")).to_contain_text("Published: 1.")

    session = Session.objects.get(workshop=workshop)
    zone = ocp_edition.zone
    starts_at = dt.datetime.fromisoformat(f"{SESSION_DAY}T{SESSION_START}").replace(tzinfo=zone)
    ends_at = dt.datetime.fromisoformat(f"{SESSION_DAY}T{SESSION_END}").replace(tzinfo=zone)
    assert (session.is_published, session.starts_at, session.ends_at, session.room) == (
        True,
        starts_at,
        ends_at,
        "Room K1",
    )
    assert list(session.speakers.values_list("name", flat=True)) == ["Grace Mwangi"]

    # The decision email follows the receipt to the SMTP server.
    received = smtp_delivery.wait_for(2, timeout=15)
    assert [mail.rcpt_tos for mail in received] == [[author.email], [author.email]], len(received)
    assert "Congratulations: your workshop is on the programme." in received[1].text

    # An anonymous visitor: the agenda, the session's page, both calendar files.
    visitor = new_context().new_page()
    visit = AxeProblems(visitor)
    visitor.goto("/wsis/ocp/agenda/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Agenda")
    entry = visitor.get_by_role("listitem").filter(has=visitor.get_by_role("link", name=TITLE))
    expect(entry).to_contain_text(f"{SESSION_START}–{SESSION_END}")
    expect(entry).to_contain_text("Room K1")
    expect(entry).to_contain_text("Grace Mwangi")
    visit("agenda")
    whole_agenda = visitor.get_by_role("link", name="Add the whole agenda to your calendar (iCalendar)")
    agenda_ics_url = whole_agenda.get_attribute("href")
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    visit("session")

    expected_start = starts_at.astimezone(dt.UTC)
    for url in (f"/wsis/ocp/agenda/{session.pk}.ics", agenda_ics_url):
        response = visitor.request.get(url)
        assert response.status == 200, url
        assert response.headers["content-type"] == "text/calendar; charset=utf-8", url
        [event] = _events(response.body())
        assert str(event["SUMMARY"]) == TITLE, url
        assert event.decoded("DTSTART") == expected_start, url
        assert event.decoded("DTEND") == ends_at.astimezone(dt.UTC), url
        assert str(event["LOCATION"]) == "Room K1", url
        assert b"DTSTART:" + expected_start.strftime("%Y%m%dT%H%M%SZ").encode() in response.body(), url

    problems = check.problems + visit.problems
    assert not problems, "\n".join(problems)
