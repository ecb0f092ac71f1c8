"""Profile, organisation, language, "download my data" and "delete my account"."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests import factories
from tests.sampleapp.models import SampleEntry
from wsis_portal.accounts.models import Organisation, User
from wsis_portal.notifications.models import OutboxEmail
from wsis_portal.reference.models import StakeholderType
from wsis_portal.tenants.models import Membership


@pytest.fixture
def academia():
    return StakeholderType.objects.get(slug="academia")


def _profile_data(academia, **overrides):
    data = {
        "first_name": "Amina",
        "last_name": "Okafor",
        "job_title": "Lecturer",
        "gender": "female",
        "organisation_name": "University of Nairobi",
        "organisation_website": "https://uonbi.example.org",
        "stakeholder_type": academia.pk,
        "country": "KE",
        "preferred_language": "fr",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("url", ["/accounts/profile/", "/accounts/my-data/", "/accounts/delete/"])
def test_account_pages_ask_anonymous_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_profile_save_creates_and_links_organisation(client, stakeholder, academia):
    client.force_login(stakeholder)
    response = client.post(reverse("accounts:profile"), _profile_data(academia))
    assert response.status_code == 302
    stakeholder.refresh_from_db()
    assert (stakeholder.first_name, stakeholder.last_name, stakeholder.preferred_language) == ("Amina", "Okafor", "fr")
    organisation = stakeholder.organisation
    assert (organisation.name, organisation.country.code, organisation.stakeholder_type) == (
        "University of Nairobi",
        "KE",
        academia,
    )
    assert stakeholder.profile_is_complete is True


def test_colleagues_typing_the_same_organisation_share_it(client, stakeholder, academia):
    colleague = factories.UserFactory()
    for person, name in [(stakeholder, "University of Nairobi"), (colleague, "  university of  NAIROBI ")]:
        client.force_login(person)
        client.post(reverse("accounts:profile"), _profile_data(academia, organisation_name=name))
    assert Organisation.objects.filter(name__iexact="University of Nairobi").count() == 1
    stakeholder.refresh_from_db()
    colleague.refresh_from_db()
    assert stakeholder.organisation_id == colleague.organisation_id


def test_profile_error_is_shown_next_to_field_and_input_kept(client, stakeholder, academia):
    client.force_login(stakeholder)
    response = client.post(
        reverse("accounts:profile"), _profile_data(academia, last_name="", organisation_website="not a url")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"last_name": ["This field is required."], "organisation_website": ["Enter a valid URL."]}
    content = response.content.decode()
    assert 'value="University of Nairobi"' in content
    assert 'value="Lecturer"' in content
    assert 'id="error_1_id_last_name"' in content


def test_profile_language_is_used_after_login(client, stakeholder):
    stakeholder.preferred_language = "fr"
    stakeholder.save()
    client.post("/accounts/login/", {"login": stakeholder.email, "password": factories.PASSWORD})
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    assert response.context["LANGUAGE_CODE"] == "fr"
    assert '<html lang="fr" dir="ltr">' in response.content.decode()


def test_language_switcher_sets_arabic_right_to_left(client, tenant):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/wsis/"})
    response = client.get("/wsis/")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()
    assert "bootstrap.rtl.min.css" in response.content.decode()


def test_data_export_contains_the_users_data_only(client, stakeholder, tenant):
    call = factories.open_call(tenant=tenant)
    SampleEntry.objects.create(tenant=tenant, call=call, owner=stakeholder, title="Mine")
    SampleEntry.objects.create(tenant=tenant, call=call, owner=factories.UserFactory(), title="Not mine")
    client.force_login(stakeholder)
    response = client.get("/accounts/my-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="wsis-portal-my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "stakeholder@example.org"
    assert data["organisation"]["name"] == "Kenya ICT Network"
    assert data["email_addresses"] == [{"email": "stakeholder@example.org", "verified": True, "primary": True}]
    assert [(s["kind"], s["status"], s["tenant"]) for s in data["submissions"]] == [("sample entry", "draft", "wsis")]


def test_delete_account_needs_the_password(client, stakeholder):
    client.force_login(stakeholder)
    response = client.post("/accounts/delete/", {"password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"password": ["This password is not correct."]}
    assert User.objects.filter(pk=stakeholder.pk).exists()


def test_delete_account_removes_personal_data_and_keeps_submissions_anonymised(client, stakeholder, tenant):
    call = factories.open_call(tenant=tenant)
    entry = SampleEntry.objects.create(tenant=tenant, call=call, owner=stakeholder, title="Kept")
    Membership.objects.create(tenant=tenant, user=stakeholder, role="viewer")
    factories.OutboxEmailFactory(tenant=tenant, recipient=stakeholder.email, user=stakeholder)
    client.force_login(stakeholder)
    response = client.post("/accounts/delete/", {"password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(email="stakeholder@example.org").exists()
    assert not EmailAddress.objects.filter(email="stakeholder@example.org").exists()
    assert not OutboxEmail.objects.filter(recipient="stakeholder@example.org").exists()
    assert not Membership.objects.filter(tenant=tenant).exists()
    entry.refresh_from_db()
    assert (entry.owner_id, entry.title) == (None, "Kept")
    # Logged out: account pages ask to log in again.
    assert client.get("/accounts/profile/").status_code == 302
