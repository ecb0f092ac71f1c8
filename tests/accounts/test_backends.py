"""The portal's authentication backends read the signed-in user with one
plain statement (wsis_portal.accounts.backends) and give the same user as
the ORM would."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from wsis_portal.accounts.backends import AuthenticationBackend, ModelBackend, user_by_pk

pytestmark = pytest.mark.django_db


def _fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def test_user_read_by_the_statement_equals_the_orms(tenant):
    user = factories.UserFactory(
        email="reader@example.org",
        country="KE",
        job_title="Analyst",
        email_confirmed_at=timezone.now() - dt.timedelta(days=3),
        organisation=factories.OrganisationFactory(name="Reader Org", country="KE"),
    )

    read = user_by_pk(str(user.pk))  # the session keeps the key as text

    assert _fields(read) == _fields(get_user_model().objects.get(pk=user.pk))
    assert read.country.code == "KE"
    assert read._state.adding is False and read._state.db == "default"


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_get_user_refuses_unknown_garbage_and_inactive(backend):
    active = factories.UserFactory(email="active@example.org")
    inactive = factories.UserFactory(email="inactive@example.org", is_active=False)

    assert backend().get_user(active.pk) == active
    assert backend().get_user(inactive.pk) is None
    assert backend().get_user(active.pk + 10_000) is None
    assert backend().get_user("not-a-key") is None


def test_a_signed_in_page_reads_the_user_with_one_query(client, tenant):
    user = factories.UserFactory(email="one-query@example.org")
    client.force_login(user)
    client.get("/wsis/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/wsis/")

    assert response.context["user"] == user
    assert sum('"accounts_user"' in query["sql"] for query in queries) == 1
