"""The account records when its email was first confirmed (a voting integrity signal)."""

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

FIRST = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_unconfirmed_account_has_no_confirmation_time():
    user = factories.UserFactory(verified=False)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_first_confirmation_is_recorded_and_later_ones_do_not_move_it():
    user = factories.UserFactory(verified=False)
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    with time_machine.travel(FIRST, tick=False):
        assert address.set_verified()
    with time_machine.travel(FIRST + dt.timedelta(days=3), tick=False):
        EmailAddress.objects.create(user=user, email="second@example.org", verified=True)

    user.refresh_from_db()
    assert user.email_confirmed_at == FIRST


def test_confirmation_link_records_the_time(client):
    with time_machine.travel(FIRST, tick=False):
        client.post(
            "/accounts/signup/",
            {
                "email": "newcomer@example.org",
                "password1": "a-long enough pass 42",
                "password2": "a-long enough pass 42",
            },
        )
    address = EmailAddress.objects.get(email="newcomer@example.org")
    assert address.user.email_confirmed_at is None
    confirmed_at = FIRST + dt.timedelta(minutes=7)
    with time_machine.travel(confirmed_at, tick=False):
        from allauth.account.models import EmailConfirmationHMAC

        key = EmailConfirmationHMAC(address).key
        response = client.post(f"/accounts/confirm-email/{key}/")

    assert response.status_code == 302
    address.user.refresh_from_db()
    assert address.user.email_confirmed_at == confirmed_at
    assert timezone.is_aware(address.user.email_confirmed_at)
