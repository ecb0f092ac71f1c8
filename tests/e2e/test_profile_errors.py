"""Bad input on the profile form: each message next to its field and in a
summary above the form, and everything else typed is still there."""

import pytest
from playwright.sync_api import expect

from wsis_portal.accounts.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_profile_with_missing_last_name_and_bad_website_shows_messages_and_keeps_input(
    new_context, login_as, stakeholder
):
    context = new_context()
    login_as(context, stakeholder)
    page = context.new_page()
    page.goto("/accounts/profile/")
    page.get_by_label("First name").fill("Amani")
    page.get_by_label("Last name").fill("")
    page.get_by_label("Job title").fill("Policy officer")
    page.get_by_label("Organisation name").fill("Kenya ICT Action Network")
    page.get_by_label("Organisation website").fill("not a website")
    page.get_by_label("Stakeholder type").select_option(label="Technical Community")
    page.get_by_label("Country").select_option(label="Tanzania")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_title("Error: My profile · WSIS Forum Portal")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Please correct the following:")
    expect(summary.get_by_role("link")).to_have_text(
        ["Last name: This field is required.", "Organisation website: Enter a valid URL."]
    )

    # Each message sits under its field, which points to it for screen readers.
    messages = [("id_last_name", "This field is required."), ("id_organisation_website", "Enter a valid URL.")]
    for field_id, message in messages:
        field = page.locator(f"#{field_id}")
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", f"{field_id}_error")
        error = page.locator(f"#div_{field_id} #{field_id}_error")
        expect(error).to_have_text(message)
        expect(error).to_be_visible()
        field_box, error_box = field.bounding_box(), error.bounding_box()
        assert 0 <= error_box["y"] - (field_box["y"] + field_box["height"]) < 20

    # What was typed is kept.
    expect(page.get_by_label("First name")).to_have_value("Amani")
    expect(page.get_by_label("Last name")).to_have_value("")
    expect(page.get_by_label("Job title")).to_have_value("Policy officer")
    expect(page.get_by_label("Organisation name")).to_have_value("Kenya ICT Action Network")
    expect(page.get_by_label("Organisation website")).to_have_value("not a website")
    expect(page.get_by_label("Stakeholder type").locator("option:checked")).to_have_text("Technical Community")
    expect(page.get_by_label("Country").locator("option:checked")).to_have_text("Tanzania")

    # The summary's link takes the focus to the field; nothing was saved.
    summary.get_by_role("link", name="Organisation website: Enter a valid URL.").click()
    expect(page.get_by_label("Organisation website")).to_be_focused()
    unchanged = User.objects.select_related("organisation").get(pk=stakeholder.pk)
    assert (unchanged.first_name, unchanged.last_name, unchanged.organisation.name) == (
        stakeholder.first_name,
        stakeholder.last_name,
        "Kenya ICT Network",
    )
