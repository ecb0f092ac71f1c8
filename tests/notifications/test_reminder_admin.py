"""The secretariat previews a reminder rule: who would receive it and a sample email."""

import pytest
from django.urls import reverse

from tests import factories
from tests.notifications.reminder_setup import draft, reminder_call, rule


@pytest.fixture
def call(tenant):
    return reminder_call(tenant=tenant)


def _preview_url(reminder_rule):
    return reverse("admin:notifications_reminderrule_preview", args=[reminder_rule.pk])


def test_admin_preview_shows_count_first_recipients_and_sample_email(admin_client_for, manager, call):
    owners = [factories.UserFactory(email=f"owner{index}@example.org") for index in range(22)]
    for owner in owners:
        draft(call=call, owner=owner)
    response = admin_client_for(manager).get(_preview_url(rule(call, 3)))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.count == 22
    assert [person.email for person in preview.first] == [owner.email for owner in owners[:20]]
    assert preview.sample.recipient == "owner0@example.org"
    content = response.content.decode()
    assert "22 people would receive this reminder now." in content
    assert "Reminder: your draft for &quot;Workshops 2030&quot; is not submitted yet" in content
    assert "20 March 2030, 23:00 Geneva time (UTC+1)" in content
    # A preview writes nothing.
    from wsis_portal.notifications.models import OutboxEmail, ReminderRun

    assert (OutboxEmail.objects.count(), ReminderRun.objects.count()) == (0, 0)


def test_admin_preview_of_other_tenants_rule_is_404(admin_client_for, other_manager, call):
    response = admin_client_for(other_manager).get(_preview_url(rule(call, 3)))
    assert response.status_code == 404


def test_admin_preview_anonymous_goes_to_login(client, call):
    response = client.get(_preview_url(rule(call, 3)))
    assert response.status_code == 302


def test_admin_rule_changelist_lists_own_rules_with_preview_link(admin_client_for, manager, call, other_tenant):
    reminder_call(tenant=other_tenant, title="Secret call")
    response = admin_client_for(manager).get(reverse("admin:notifications_reminderrule_changelist"))
    assert response.status_code == 200
    assert {item.call_id for item in response.context["cl"].result_list} == {call.pk}
    assert _preview_url(rule(call, 14)) in response.content.decode()
    assert "Secret call" not in response.content.decode()


def test_call_admin_page_shows_its_reminder_rules_inline_with_preview(admin_client_for, manager, call, tenant):
    other_call = reminder_call(tenant=tenant, title="Other call", year=2031)
    response = admin_client_for(manager).get(reverse("admin:editions_call_change", args=[call.pk]))
    assert response.status_code == 200
    [rules] = [
        inline for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == "reminder_rules"
    ]
    assert [form.instance.offset.days for form in rules.formset.forms] == [14, 3, 1]
    # The phase of a rule is chosen among this call's phases only.
    phases = rules.formset.forms[0].fields["phase"].queryset
    assert set(phases.values_list("call_id", flat=True)) == {call.pk}
    assert other_call.phases.exists()
    assert _preview_url(rule(call, 3)) in response.content.decode()


def test_call_admin_page_of_other_tenant_hides_reminder_rules(admin_client_for, other_manager, call):
    response = admin_client_for(other_manager).get(reverse("admin:editions_call_change", args=[call.pk]))
    assert response.status_code in (302, 403, 404)
