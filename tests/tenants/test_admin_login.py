"""The admin login goes through allauth: password first, then a real TOTP code,
and only then does the admin open. Time is frozen so that the code computed
here is the one the server expects."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse
from django.utils import timezone

from tests import factories

EDITIONS_PAGE = "/admin/editions/edition/"
# Django's admin keeps the slashes of "next" unquoted; allauth quotes them.
ADMIN_LOGIN = f"/admin/login/?next={EDITIONS_PAGE}"


def _totp_code(secret: str) -> str:
    """The code an authenticator app shows now (the middle of the accepted window)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _login_url(next_page: str) -> str:
    return f"{reverse('account_login')}?{urlencode({'next': next_page})}"


@pytest.fixture
def frozen_clock():
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def manager_secret(manager) -> str:
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)
    return secret


def _password_step(client, user, next_page):
    return client.post(
        reverse("account_login"), {"login": user.email, "password": factories.PASSWORD, "next": next_page}
    )


def test_admin_page_sends_anonymous_to_allauth_login(client):
    response = client.get(EDITIONS_PAGE, follow=True)

    assert response.redirect_chain == [
        (ADMIN_LOGIN, 302),
        (_login_url(EDITIONS_PAGE), 302),
    ]
    assert response.status_code == 200
    assert response.templates[0].name == "account/login.html"


def test_admin_login_with_totp_opens_admin_only_after_valid_code(client, manager, manager_secret, frozen_clock):
    password_step = _password_step(client, manager, EDITIONS_PAGE)
    locked_after_password = client.get(EDITIONS_PAGE)
    code_step = client.post(reverse("mfa_authenticate"), {"code": _totp_code(manager_secret)})
    opened = client.get(EDITIONS_PAGE)

    assert (password_step.status_code, password_step["Location"]) == (302, reverse("mfa_authenticate"))
    assert (locked_after_password.status_code, locked_after_password["Location"]) == (
        302,
        ADMIN_LOGIN,
    )
    assert (code_step.status_code, code_step["Location"]) == (302, EDITIONS_PAGE)
    assert opened.status_code == 200
    assert opened.context["user"] == manager


def test_admin_login_with_wrong_code_keeps_admin_locked(client, manager, manager_secret, frozen_clock):
    valid = _totp_code(manager_secret)
    wrong = "000000" if valid != "000000" else "111111"

    _password_step(client, manager, EDITIONS_PAGE)
    code_step = client.post(reverse("mfa_authenticate"), {"code": wrong})
    locked = client.get(EDITIONS_PAGE)

    assert code_step.status_code == 200
    assert list(code_step.context["form"].errors) == ["code"]
    assert (locked.status_code, locked["Location"]) == (302, ADMIN_LOGIN)
    assert "_auth_user_id" not in client.session


def test_admin_login_code_cannot_be_used_twice(client, manager, manager_secret, frozen_clock):
    code = _totp_code(manager_secret)
    _password_step(client, manager, EDITIONS_PAGE)
    client.post(reverse("mfa_authenticate"), {"code": code})
    client.logout()

    _password_step(client, manager, EDITIONS_PAGE)
    replay = client.post(reverse("mfa_authenticate"), {"code": code})

    assert replay.status_code == 200
    assert list(replay.context["form"].errors) == ["code"]
    assert "_auth_user_id" not in client.session


def test_django_admin_login_form_does_not_log_in(client, manager, manager_secret):
    response = client.post(
        f"/admin/login/?{urlencode({'next': '/admin/'})}",
        {"username": manager.email, "password": factories.PASSWORD, "next": "/admin/"},
    )

    assert (response.status_code, response["Location"]) == (302, _login_url("/admin/"))
    assert "_auth_user_id" not in client.session


def test_admin_login_without_totp_leads_to_totp_activation(client, manager):
    password_step = _password_step(client, manager, EDITIONS_PAGE)
    admin_page = client.get(EDITIONS_PAGE)

    assert (password_step.status_code, password_step["Location"]) == (302, EDITIONS_PAGE)
    assert (admin_page.status_code, admin_page["Location"]) == (
        302,
        f"{reverse('mfa_activate_totp')}?{urlencode({'next': EDITIONS_PAGE})}",
    )


def test_admin_login_of_non_staff_member_is_refused(client, stakeholder):
    password_step = _password_step(client, stakeholder, "/admin/")
    admin_index = client.get("/admin/", follow=True)

    assert (password_step.status_code, password_step["Location"]) == (302, "/admin/")
    assert admin_index.status_code == 403


def test_staff_session_without_second_factor_is_asked_for_a_code_then_admin_opens(
    client, manager, manager_secret, frozen_clock
):
    # A session that never passed the TOTP step (force_login stands for any such path).
    client.force_login(manager)
    reauthenticate = f"{reverse('mfa_reauthenticate')}?{urlencode({'next': EDITIONS_PAGE})}"

    refused = client.get(EDITIONS_PAGE)
    assert (refused.status_code, refused["Location"]) == (302, reauthenticate)

    wrong = client.post(reauthenticate, {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get(EDITIONS_PAGE).status_code == 302

    passed = client.post(reauthenticate, {"code": _totp_code(manager_secret)})
    assert (passed.status_code, passed["Location"]) == (302, EDITIONS_PAGE)
    assert client.get(EDITIONS_PAGE).status_code == 200


# Real commits, so that allauth's after-commit news of the factor runs inside the request.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_who_activates_totp_reaches_admin_without_a_second_code(client, manager, frozen_clock):
    client.post(reverse("account_login"), {"login": manager.email, "password": factories.PASSWORD})
    activate = f"{reverse('mfa_activate_totp')}?{urlencode({'next': EDITIONS_PAGE})}"
    assert client.get(EDITIONS_PAGE)["Location"] == activate
    # allauth asks for the password once more before a factor is added.
    reauthenticate = client.get(activate)
    assert reauthenticate.status_code == 302
    client.post(reauthenticate["Location"], {"password": factories.PASSWORD})
    form = client.get(activate).context["form"]
    secret = form.secret
    activated = client.post(activate, {"code": _totp_code(secret)})
    assert activated.status_code == 302
    assert client.get(EDITIONS_PAGE).status_code == 200
