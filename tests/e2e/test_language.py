"""The language switcher: Arabic pages read right to left."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_switching_to_arabic_gives_right_to_left_page(page, tenant, live_server):
    factories.open_call(tenant=tenant)
    page.goto("/wsis/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    page.get_by_label("Language").select_option("ar")
    with page.expect_navigation():
        page.get_by_role("button", name="Change").click()

    expect(page).to_have_url(f"{live_server.url}/wsis/")  # the same page, in Arabic
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator('link[rel="stylesheet"]').first).to_have_attribute(
        "href", "/static/vendor/bootstrap/bootstrap.rtl.min.css"
    )
    expect(page.locator("#language-switcher option:checked")).to_have_text("العربيّة")
    # Right to left: the forum's name starts at the right edge.
    brand = page.locator(".navbar-brand").bounding_box()
    assert brand["x"] > page.viewport_size["width"] / 2, brand


def test_language_switcher_works_from_the_phone_menu(new_context, tenant, live_server):
    factories.open_call(tenant=tenant)
    page = new_context(viewport=PHONE).new_page()
    page.goto("/wsis/")
    expect(page.get_by_label("Language")).to_be_hidden()  # folded in the menu

    page.get_by_role("button", name="Show menu").click()
    expect(page.locator(".navbar-collapse.show")).to_be_visible()  # unfolded, not still moving
    page.get_by_label("Language").select_option("ar")
    expect(page.get_by_label("Language")).to_have_value("ar")
    with page.expect_navigation():
        page.get_by_role("button", name="Change").click()

    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    toggler = page.locator(".navbar-toggler").bounding_box()
    assert toggler["x"] < PHONE["width"] / 2, toggler  # the menu button moved to the left
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]  # nothing sticks out
