"""Sign-up with mandatory email verification, and allauth's rate limits on the shared cache."""

import re
import uuid

import pytest
from django.core import mail

from wsis_portal.accounts.models import User
from wsis_portal.notifications.models import OutboxEmail

PASSWORD = "a-long-enough-passphrase"


def _signup(client, email):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_signup_sends_confirmation_through_outbox_and_login_waits_for_it(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "New.Person@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get()
    assert user.email == "new.person@example.org"
    stored = OutboxEmail.objects.get()
    assert (stored.recipient, stored.status, stored.tenant_id) == ("new.person@example.org", "sent", None)
    assert stored.body_html.startswith("<!doctype html>")
    assert [message.to for message in mail.outbox] == [["new.person@example.org"]]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+)", mail.outbox[0].body).group(1)

    client.post("/accounts/logout/")
    refused = client.post("/accounts/login/", {"login": "new.person@example.org", "password": PASSWORD})
    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/confirm-email/"

    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    logged_in = client.post("/accounts/login/", {"login": "new.person@example.org", "password": PASSWORD})
    assert logged_in.status_code == 302
    assert logged_in["Location"] == "/"


def test_signup_with_a_taken_email_does_not_reveal_it(client, stakeholder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client, "stakeholder@example.org")
    # Same answer as for a new address; the owner is told by email instead.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert User.objects.filter(email="stakeholder@example.org").count() == 1
    assert [message.to for message in mail.outbox] == [["stakeholder@example.org"]]


def test_failed_logins_are_rate_limited_on_the_shared_cache(client, db, settings):
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("rate limits across processes need the shared Redis cache")
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
    email = f"victim-{uuid.uuid4().hex[:8]}@example.org"
    errors = [
        client.post("/accounts/login/", {"login": email, "password": "wrong-password"})
        .context["form"]
        .non_field_errors()
        for _ in range(7)
    ]
    wrong = "The email address and/or password you specified are not correct."
    too_many = "Too many failed login attempts. Try again later."
    assert [list(e) for e in errors] == [[wrong]] * 5 + [[too_many]] * 2
