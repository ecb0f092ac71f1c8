"""The outbox in the admin: status, attempts and last error, for the own tenant only."""

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories
from wsis_portal.notifications.enums import OutboxStatus
from wsis_portal.notifications.models import OutboxEmail

CHANGELIST = reverse("admin:notifications_outboxemail_changelist")


@pytest.fixture
def outbox_rows(tenant, other_tenant):
    return {
        "failed": factories.OutboxEmailFactory(
            tenant=tenant,
            recipient="gone@example.org",
            status=OutboxStatus.FAILED,
            attempts=3,
            last_error="SMTPRecipientsRefused: 550 No such user here",
        ),
        "sent": factories.OutboxEmailFactory(
            tenant=tenant, recipient="amina@example.org", status=OutboxStatus.SENT, attempts=1
        ),
        "other": factories.OutboxEmailFactory(
            tenant=other_tenant,
            recipient="secret@example.org",
            status=OutboxStatus.FAILED,
            attempts=2,
            last_error="SMTPRecipientsRefused: 550 other tenant",
        ),
        "account": factories.OutboxEmailFactory(
            tenant=None, recipient="account-mail@example.org", status=OutboxStatus.SENT
        ),
    }


def test_admin_outbox_changelist_shows_status_attempts_last_error_of_own_tenant(admin_client_for, manager, outbox_rows):
    response = admin_client_for(manager).get(CHANGELIST)
    assert response.status_code == 200
    changelist = response.context["cl"]
    assert {row.pk for row in changelist.result_list} == {outbox_rows["failed"].pk, outbox_rows["sent"].pk}
    assert {"status", "attempts", "last_error_summary"} <= set(changelist.list_display)
    content = response.content.decode()
    for expected in (
        "Status",
        "Attempts",
        "Last error",
        "gone@example.org",
        "amina@example.org",
        "Failed",
        "Sent",
        "SMTPRecipientsRefused: 550 No such user here",
    ):
        assert expected in content
    for hidden in ("secret@example.org", "other tenant", "account-mail@example.org"):
        assert hidden not in content


def test_admin_outbox_other_tenants_row_is_not_found(admin_client_for, manager, outbox_rows):
    url = reverse("admin:notifications_outboxemail_change", args=[outbox_rows["other"].pk])
    assert admin_client_for(manager).get(url).status_code == 404


def test_admin_outbox_needs_second_factor(client, manager, outbox_rows):
    client.force_login(manager)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_admin_retry_action_requeues_failed_email_of_own_tenant(admin_client_for, manager, outbox_rows):
    failed, other = outbox_rows["failed"], outbox_rows["other"]
    response = admin_client_for(manager).post(
        CHANGELIST, {"action": "retry_now", "_selected_action": [failed.pk, other.pk]}
    )
    assert response.status_code == 302
    # The worker (inline in tests) sent it at once through the delivery backend.
    assert [message.to for message in mail.outbox] == [["gone@example.org"]]
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (OutboxStatus.SENT, 1, "")
    assert OutboxEmail.objects.get(pk=other.pk).status == OutboxStatus.FAILED
