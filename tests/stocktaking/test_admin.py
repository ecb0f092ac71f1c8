import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from stocktaking import services
from stocktaking.enums import EntryStatus
from wsis_portal.notifications.models import OutboxEmail

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:stocktaking_entry_changelist"


@pytest.fixture
def pending(make_entry, stakeholder):
    entry = make_entry()
    services.entry_submit(entry=entry, by=stakeholder)
    return entry


def test_publish_action_publishes_pending_entry(pending, manager, admin_client_for):
    client = admin_client_for(manager)

    response = client.post(reverse(CHANGELIST), {"action": "publish", ACTION_CHECKBOX_NAME: [pending.pk]})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == EntryStatus.PUBLISHED


def test_reject_action_sends_the_reason(pending, manager, admin_client_for):
    client = admin_client_for(manager)

    client.post(
        reverse(CHANGELIST),
        {"action": "reject", "reason": "Not an ICT project.", ACTION_CHECKBOX_NAME: [pending.pk]},
    )

    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == (EntryStatus.REJECTED, "Not an ICT project.")
    assert OutboxEmail.objects.get(recipient="stakeholder@example.org").body_text.count("Not an ICT project.") == 1


def test_reject_action_without_reason_changes_nothing(pending, manager, admin_client_for):
    client = admin_client_for(manager)

    client.post(reverse(CHANGELIST), {"action": "reject", "reason": "", ACTION_CHECKBOX_NAME: [pending.pk]})

    pending.refresh_from_db()
    assert pending.status == EntryStatus.PENDING


def test_archive_action_refuses_a_pending_entry_with_a_message(pending, manager, admin_client_for):
    client = admin_client_for(manager)

    response = client.post(reverse(CHANGELIST), {"action": "archive", ACTION_CHECKBOX_NAME: [pending.pk]}, follow=True)

    pending.refresh_from_db()
    assert pending.status == EntryStatus.PENDING
    assert "cannot go from" in response.content.decode()


def test_changelist_filters_by_country_and_action_line(make_entry, manager, admin_client_for, action_line):
    make_entry(title="Kenyan project", countries=["KE"])
    make_entry(title="French project", countries=["FR"])
    client = admin_client_for(manager)

    response = client.get(reverse(CHANGELIST), {"country": "FR", "action_lines__id__exact": action_line.pk})

    assert [entry.title for entry in response.context["cl"].result_list] == ["French project"]
