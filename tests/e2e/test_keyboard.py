"""Keyboard only: the skip link comes first, and the profile form can be
filled in and sent without a mouse, in the order it reads."""

import pytest
from playwright.sync_api import expect

from tests import factories
from wsis_portal.accounts.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            return {id: element.id, tag: element.tagName.toLowerCase(), text: element.textContent.trim(),
                    inMain: element.closest("main") !== null};
        }"""
    )


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, tenant, live_server):
    factories.open_call(tenant=tenant)
    page.goto("/wsis/")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).not_to_be_in_viewport()  # hidden until focused

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    box = skip_link.bounding_box()
    assert box["width"] > 50 and box["height"] > 20, box

    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/wsis/#main")
    assert _focused(page) == {"id": "main", "tag": "main", "text": _focused(page)["text"], "inMain": True}
    # The next Tab stop is the first link of the page's own content, not the menu.
    page.keyboard.press("Tab")
    assert _focused(page)["inMain"]
    expect(page.get_by_role("link", name="All calls, phases and meetings of this edition")).to_be_focused()


def test_profile_form_is_completed_and_sent_with_the_keyboard_only(new_context, login_as, live_server):
    newcomer = factories.UserFactory(email="li.wei@example.org", first_name="", last_name="", country="")
    context = new_context()
    login_as(context, newcomer)
    page = context.new_page()
    page.goto("/accounts/profile/")

    # Skip the menu, then walk the form in reading order.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    steps = [
        ("id_first_name", "Wei"),
        ("id_last_name", "Li"),
        ("id_job_title", "Researcher"),
        ("id_gender", "Prefer"),
        ("id_organisation_name", "Tsinghua University"),
        ("id_organisation_website", "https://www.tsinghua.edu.cn"),
        ("id_stakeholder_type", "Academia"),
        ("id_country", "China"),
        ("id_preferred_language", "Fran"),
    ]
    for field_id, keys in steps:
        page.keyboard.press("Tab")
        assert _focused(page)["id"] == field_id
        page.keyboard.type(keys)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save profile")).to_be_focused()
    page.keyboard.press("Enter")

    # Saved; the page now speaks the preferred language just chosen.
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    newcomer = User.objects.select_related("organisation", "stakeholder_type").get(pk=newcomer.pk)
    assert (newcomer.first_name, newcomer.last_name, newcomer.job_title, newcomer.gender) == (
        "Wei",
        "Li",
        "Researcher",
        "undisclosed",
    )
    assert (newcomer.organisation.name, newcomer.organisation.website, newcomer.organisation.country.code) == (
        "Tsinghua University",
        "https://www.tsinghua.edu.cn",
        "CN",
    )
    assert (newcomer.stakeholder_type.name, newcomer.country.code, newcomer.preferred_language) == (
        "Academia",
        "CN",
        "fr",
    )
