"""Personas and tenants shared by every test.

Two tenants: ``tenant`` (the one under test) and ``other_tenant`` (whose data
must never leak). Personas: ``manager``, ``reviewer``, ``expert``, ``viewer``
of ``tenant``, ``other_manager`` of ``other_tenant``, ``stakeholder`` (no
staff role) and ``operator`` (platform superuser).
"""

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from tests import factories


def pytest_report_header(config):
    from django.conf import settings as django_settings

    database = "PostgreSQL" if django_settings.USING_POSTGRES else "SQLite (PostgreSQL not reachable)"
    cache = "Redis" if django_settings.USING_REDIS else "local memory (Redis not reachable)"
    return [f"wsis-portal tests: database {database}, cache and broker {cache}"]


@pytest.fixture(autouse=True)
def _outbox_email_backend(settings):
    # Django's test runner swaps EMAIL_BACKEND for locmem; the portal sends
    # everything through its outbox, so put it back. Delivery uses locmem
    # (settings.OUTBOX_DELIVERY), so delivered mail lands in mail.outbox.
    settings.EMAIL_BACKEND = "wsis_portal.notifications.backends.OutboxBackend"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English, whatever language an earlier one left active."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _unscoped(request):
    """Tests arrange data unscoped; views open their own scope per request."""
    with scopes_disabled():
        yield


@pytest.fixture
def tenant(db):
    return factories.TenantFactory(slug="wsis", name="WSIS Forum")


@pytest.fixture
def other_tenant(db):
    return factories.TenantFactory(slug="regional", name="Regional Forum")


def _staff(tenant, role, email):
    user = factories.UserFactory(email=email, is_staff=True)
    factories.MembershipFactory(tenant=tenant, user=user, role=role)
    return user


@pytest.fixture
def manager(tenant):
    return _staff(tenant, "manager", "manager@example.org")


@pytest.fixture
def reviewer(tenant):
    return _staff(tenant, "reviewer", "reviewer@example.org")


@pytest.fixture
def expert(tenant):
    return _staff(tenant, "expert", "expert@example.org")


@pytest.fixture
def viewer(tenant):
    return _staff(tenant, "viewer", "viewer@example.org")


@pytest.fixture
def other_manager(other_tenant):
    return _staff(other_tenant, "manager", "other-manager@example.org")


@pytest.fixture
def stakeholder(db):
    organisation = factories.OrganisationFactory(name="Kenya ICT Network")
    return factories.UserFactory(email="stakeholder@example.org", organisation=organisation)


@pytest.fixture
def operator(db):
    return factories.UserFactory(email="operator@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def with_totp():
    """Give a user a TOTP authenticator, so the admin opens for them."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    def give(user):
        TOTP.activate(user, generate_totp_secret())
        return user

    return give


def record_second_factor(client, user):
    """Mark the client's session as having passed the TOTP step, as allauth's
    login does (the real flow is tested in tests/tenants/test_admin_login.py)."""
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "at": time.time(), "type": "totp"}]
    session["account_authentication_methods_user"] = str(user.pk)  # allauth's key for whose records these are
    session.save()


@pytest.fixture
def admin_client_for(client, with_totp):
    """A test client logged in as ``user`` with a second factor set up and passed."""

    def login(user):
        with_totp(user)
        client.force_login(user)
        record_second_factor(client, user)
        return client

    return login


@pytest.fixture
def site_url():
    return settings.SITE_URL
