"""A stocktaking entry from the stakeholder's form to the public search, in
one browser journey: the stakeholder submits it, a manager publishes it in the
admin (password and TOTP), and a visitor finds it by a facet and a misspelt
keyword."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from stocktaking.models import Entry
from tests.e2e import test_ocp_full_journey as full_journey
from wsis_portal.reference.models import ActionLine, Region

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="the misspelt keyword needs PostgreSQL's trigrams"),
]

# The manager's second factor, as in the OCP journey.
manager_secret = full_journey.manager_secret

TITLE = "Telemedicine network for rural Kenya"


@pytest.fixture
def africa(db):
    region = Region.objects.get(slug="africa")
    region.countries = ["KE", "SN"]
    region.save()
    return region


def test_entry_from_the_stakeholder_to_the_public_search(
    new_context,
    login_as,
    tenant,
    stakeholder,
    manager,
    manager_secret,
    africa,
):
    # The stakeholder fills in the form and submits it, by keyboard-reachable controls.
    context = new_context()
    login_as(context, stakeholder)
    page = context.new_page()
    page.goto("/wsis/stocktaking/mine/new/")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("Remote consultations connect rural clinics with the county hospital.")
    page.get_by_label("Organisation name").fill("Kenya ICT Network")
    page.get_by_label("Countries").select_option(["KE"])
    page.get_by_label("Start year").fill("2021")
    line = ActionLine.objects.get(code="C7.e-health")
    page.get_by_label(str(line)).check()
    page.get_by_role("button", name="Save and submit for moderation").click()
    expect(page.get_by_text("Your entry is sent to the secretariat for moderation.")).to_be_visible()
    entry = Entry.objects.get(title=TITLE)
    assert entry.status == "pending"

    # The manager publishes it in the admin.
    admin_page = new_context().new_page()
    full_journey._admin_login(admin_page, manager, manager_secret)
    admin_page.goto("/admin/stocktaking/entry/")
    full_journey._run_action(admin_page, "Publish the selected entries (or their changes)", row_reference=TITLE)
    expect(admin_page.locator(".messagelist")).to_contain_text("1 entry published.")
    entry.refresh_from_db()
    assert entry.status == "published"

    # A visitor narrows the search by the Action Line facet, then types a misspelt keyword.
    visitor = new_context().new_page()
    visitor.goto("/wsis/stocktaking/")
    refine = visitor.locator("section[aria-labelledby=facets-title]")
    refine.get_by_role("link", name=str(line)).click()
    expect(visitor.get_by_role("status")).to_have_text("1 entry found")
    visitor.get_by_label("Keywords").fill("telemedecine")
    visitor.get_by_role("button", name="Search", exact=True).click()
    expect(visitor.get_by_role("status")).to_have_text("1 entry found")
    assert "action_line=" in visitor.url and "q=telemedecine" in visitor.url
    visitor.get_by_role("link", name=TITLE).click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(visitor.get_by_text("Stale:")).to_have_count(0)
