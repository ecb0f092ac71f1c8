"""The audience registry: each selector returns exactly the people it names."""

import pytest

from tests import factories
from tests.notifications.reminder_setup import draft, reminder_call, rule
from wsis_portal.editions.enums import SubmissionStatus
from wsis_portal.notifications.audiences import (
    address_recipients,
    audience,
    audience_choices,
    get_audience,
    recipients,
)
from wsis_portal.notifications.enums import NewsKind
from wsis_portal.notifications.models import NewsPreference, ReminderRule


def _emails(queryset):
    return sorted(queryset.values_list("email", flat=True))


def _rule_for(call, key, kind=NewsKind.REMINDERS):
    return ReminderRule.objects.create(call=call, offset=rule(call, 1).offset, audience=key, news_kind=kind)


def test_audience_choices_list_the_registered_audiences():
    assert [key for key, _label in audience_choices()] == [
        "draft-owners",
        "pending-reviewers",
        "nominees",
        "opted-in-stakeholders",
    ]


def test_draft_owners_across_every_submission_model_of_the_call(tenant):
    from tests.ocp.factories import ContributionFactory

    call = reminder_call(tenant=tenant, kind="ocp_contribution")
    other_call = reminder_call(tenant=tenant, year=2031, title="Other call")
    draft(call=call, owner=factories.UserFactory(email="sample@example.org"))
    ContributionFactory(call=call, owner=factories.UserFactory(email="ocp@example.org"))
    ContributionFactory(
        call=call, owner=factories.UserFactory(email="submitted@example.org"), status=SubmissionStatus.SUBMITTED
    )
    draft(call=other_call, owner=factories.UserFactory(email="elsewhere@example.org"))
    assert _emails(recipients(rule(call, 3))) == ["ocp@example.org", "sample@example.org"]


def test_pending_reviewers_are_those_assigned_to_submitted_or_under_review_entries(tenant, reviewer, expert):
    from tests.ocp.factories import ContributionFactory

    call = reminder_call(tenant=tenant, kind="ocp_contribution")
    waiting = ContributionFactory(call=call, status="under_review")
    waiting.reviewers.add(reviewer)
    done = ContributionFactory(call=call, status="accepted")
    done.reviewers.add(expert)
    still_draft = ContributionFactory(call=call)
    still_draft.reviewers.add(expert)
    pending = _rule_for(call, "pending-reviewers")
    assert _emails(recipients(pending)) == ["reviewer@example.org"]


def test_nominees_with_an_account_of_submitted_nominations(tenant):
    from tests.ocp.factories import HltfNominationFactory

    call = reminder_call(tenant=tenant, kind="hltf")
    factories.UserFactory(email="nominee@example.org")
    factories.UserFactory(email="draft-nominee@example.org")
    HltfNominationFactory(call=call, nominee_email="Nominee@Example.org", status="submitted")
    HltfNominationFactory(call=call, nominee_email="draft-nominee@example.org")
    HltfNominationFactory(call=call, nominee_email="no-account@example.org", status="submitted")
    nominees = _rule_for(call, "nominees")
    assert _emails(recipients(nominees)) == ["nominee@example.org"]
    # The one without an account is reached by address.
    assert address_recipients(nominees) == ["no-account@example.org"]


def test_opted_in_stakeholders_of_the_tenant_for_the_rules_kind(tenant, other_tenant):
    call = reminder_call(tenant=tenant)
    yes, no, elsewhere, other_kind = (
        factories.UserFactory(email=f"{name}@example.org") for name in ("yes", "no", "elsewhere", "other-kind")
    )
    NewsPreference.objects.create(user=yes, tenant=tenant, kind=NewsKind.PHASE_NEWS, subscribed=True)
    NewsPreference.objects.create(user=no, tenant=tenant, kind=NewsKind.PHASE_NEWS, subscribed=False)
    NewsPreference.objects.create(user=elsewhere, tenant=other_tenant, kind=NewsKind.PHASE_NEWS, subscribed=True)
    NewsPreference.objects.create(user=other_kind, tenant=tenant, kind=NewsKind.ANNOUNCEMENTS, subscribed=True)
    opted_in = _rule_for(call, "opted-in-stakeholders", kind=NewsKind.PHASE_NEWS)
    assert _emails(recipients(opted_in)) == ["yes@example.org"]


def test_inactive_accounts_are_never_recipients(tenant):
    call = reminder_call(tenant=tenant)
    draft(call=call, owner=factories.UserFactory(email="gone@example.org", is_active=False))
    assert _emails(recipients(rule(call, 3))) == []


@pytest.fixture
def registered_audience():
    from wsis_portal.notifications import audiences

    saved = dict(audiences._audiences)
    yield
    audiences._audiences.clear()
    audiences._audiences.update(saved)


def test_new_audience_is_a_few_lines(tenant, registered_audience, manager):
    from django.contrib.auth import get_user_model

    @audience("tenant-managers", label="Managers of the forum")
    def tenant_managers(rule):
        tenant = rule.call.edition.tenant
        return get_user_model().objects.filter(memberships__tenant=tenant, memberships__role="manager")

    call = reminder_call(tenant=tenant)
    assert get_audience("tenant-managers").users is tenant_managers
    assert _emails(recipients(_rule_for(call, "tenant-managers"))) == ["manager@example.org"]
