"""Reminder rules: defaults, due selection, fan-out to the outbox once, and who is left out."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from tests import factories
from tests.notifications.reminder_setup import DAY, DEADLINE, SECOND, draft, only_rule, reminder_call, rule, tick_at
from wsis_portal.editions.enums import SubmissionStatus
from wsis_portal.notifications import reminders, services
from wsis_portal.notifications.enums import EmailCategory, NewsKind
from wsis_portal.notifications.models import NewsPreference, OutboxEmail, ReminderRule, ReminderRun


@pytest.fixture
def call(tenant):
    return reminder_call(tenant=tenant)


@pytest.fixture
def owner(stakeholder):
    stakeholder.first_name, stakeholder.last_name = "Amina", "Odhiambo"
    stakeholder.save()
    return stakeholder


def _reminders():
    return list(OutboxEmail.objects.filter(dedup_key__startswith="reminder:").order_by("recipient", "dedup_key"))


def test_call_created_gets_default_rules_14_3_1_days_to_draft_owners(tenant):
    call = factories.CallFactory(edition=factories.EditionFactory(tenant=tenant))
    assert list(ReminderRule.objects.filter(call=call).values_list("offset", "audience", "news_kind", "is_active")) == [
        (dt.timedelta(days=14), "draft-owners", NewsKind.REMINDERS, True),
        (dt.timedelta(days=3), "draft-owners", NewsKind.REMINDERS, True),
        (dt.timedelta(days=1), "draft-owners", NewsKind.REMINDERS, True),
    ]


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (DEADLINE - 3 * DAY - SECOND, False),
        (DEADLINE - 3 * DAY, True),
        (DEADLINE - SECOND, True),
        (DEADLINE, False),
    ],
)
def test_due_reminders_to_the_second(call, moment, due):
    three_days = only_rule(call, 3)
    found = [(item.rule, item.deadline) for item in reminders.due_reminders(now=moment)]
    assert found == ([(three_days, DEADLINE)] if due else [])


def test_due_reminders_rule_created_after_its_moment_does_not_fire(call):
    three_days = only_rule(call, 3)
    ReminderRule.objects.filter(pk=three_days.pk).update(created_at=DEADLINE - 3 * DAY + SECOND)
    assert reminders.due_reminders(now=DEADLINE - 2 * DAY) == []


def test_due_reminders_several_due_only_closest_to_deadline_sends(call, owner, django_capture_on_commit_callbacks):
    draft(call=call, owner=owner)
    assert tick_at(DEADLINE - 2 * DAY, django_capture_on_commit_callbacks) == 1
    runs = {run.rule.offset.days: run.superseded for run in ReminderRun.objects.all()}
    assert runs == {14: True, 3: False}
    assert [email.dedup_key for email in _reminders()] == [
        f"reminder:{rule(call, 3).pk}:{owner.pk}:{DEADLINE.isoformat()}"
    ]


def test_reminders_14_3_1_days_before_deadline_exactly_once_each(call, owner, django_capture_on_commit_callbacks):
    draft(call=call, owner=owner)
    for days in (14, 3, 1):
        moment = DEADLINE - days * DAY
        # The tick runs every minute: twice at the moment, once a minute later.
        tick_at(moment, django_capture_on_commit_callbacks)
        tick_at(moment, django_capture_on_commit_callbacks)
        tick_at(moment + dt.timedelta(minutes=1), django_capture_on_commit_callbacks)
    assert [email.dedup_key for email in _reminders()] == sorted(
        f"reminder:{rule(call, days).pk}:{owner.pk}:{DEADLINE.isoformat()}" for days in (14, 3, 1)
    )
    # The sender ran after the first commit; it also picks up the rest on its own tick.
    with time_machine.travel(DEADLINE - DAY + dt.timedelta(minutes=2), tick=False):
        services.outbox_send_due()
    assert [message.to for message in mail.outbox] == [[owner.email]] * 3


def test_reminder_email_subject_body_deadline_in_geneva_time_and_link(call, owner, django_capture_on_commit_callbacks):
    entry = draft(call=call, owner=owner)
    tick_at(DEADLINE - 3 * DAY, django_capture_on_commit_callbacks)
    [email] = _reminders()
    my_submissions = f"{settings.SITE_URL}/{call.edition.tenant.slug}/my-submissions/"
    assert (email.recipient, email.user, email.category, email.language) == (
        owner.email,
        owner,
        EmailCategory.NEWS,
        "en",
    )
    assert email.subject == 'Reminder: your draft for "Workshops 2030" is not submitted yet'
    assert "Dear Amina Odhiambo," in email.body_text
    assert "Deadline: 20 March 2030, 23:00 Geneva time (UTC+1)\n" in email.body_text
    assert f"- {entry.title}: {my_submissions}\n" in email.body_text
    assert f'<a href="{my_submissions}">{entry.title}</a>' in email.body_html
    assert "<strong>20 March 2030, 23:00 Geneva time (UTC+1)</strong>" in email.body_html


def test_reminder_links_straight_to_ocp_draft(tenant, owner, django_capture_on_commit_callbacks):
    from tests.ocp.factories import ContributionFactory

    call = reminder_call(tenant=tenant, kind="ocp_contribution", title="OCP contributions")
    entry = ContributionFactory(call=call, owner=owner)
    tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks)
    [email] = _reminders()
    assert f"{settings.SITE_URL}{entry.get_absolute_url()}\n" in email.body_text
    assert entry.get_absolute_url() == f"/{tenant.slug}/ocp/{entry.url_kind}/{entry.pk}/"


def test_reminder_in_recipients_language(call, owner, django_capture_on_commit_callbacks):
    owner.preferred_language = "fr"
    owner.save()
    draft(call=call, owner=owner)
    tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks)
    [email] = _reminders()
    assert email.language == "fr"
    assert "20 mars 2030" in email.body_text
    assert '<html lang="fr"' in email.body_html


def test_reminder_headers_list_unsubscribe_one_click(call, owner, django_capture_on_commit_callbacks):
    draft(call=call, owner=owner)
    tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks)
    [email] = _reminders()
    assert set(email.headers) == {"List-Unsubscribe", "List-Unsubscribe-Post"}
    assert email.headers["List-Unsubscribe"].startswith(f"<{settings.SITE_URL}/notifications/unsubscribe/")
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe"] == email.headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_reminder_not_sent_to_owner_who_submitted(call, owner, django_capture_on_commit_callbacks):
    other = factories.UserFactory(email="other@example.org")
    draft(call=call, owner=owner, status=SubmissionStatus.SUBMITTED)
    draft(call=call, owner=other)
    tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks)
    assert [email.recipient for email in _reminders()] == ["other@example.org"]


def test_reminder_chunk_rechecks_submission_after_fan_out(call, owner):
    entry = draft(call=call, owner=owner)
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)
    [(after_pk, last_pk)] = reminders.chunk_bounds(
        reminders.recipients(run.rule).values_list("pk", flat=True), size=1000
    )
    type(entry).objects.filter(pk=entry.pk).update(status=SubmissionStatus.SUBMITTED)
    with time_machine.travel(DEADLINE - DAY, tick=False):
        assert reminders.reminder_send_chunk(run_id=run.pk, after_pk=after_pk, last_pk=last_pk) == 0
    assert _reminders() == []


def test_reminder_chunk_run_twice_writes_each_email_once(call, owner):
    draft(call=call, owner=owner)
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)
    with time_machine.travel(DEADLINE - DAY, tick=False):
        reminders.reminder_send_chunk(run_id=run.pk, after_pk=0, last_pk=owner.pk)
        reminders.reminder_send_chunk(run_id=run.pk, after_pk=0, last_pk=owner.pk)
        reminders.reminder_fan_out(run_id=run.pk)
    assert len(_reminders()) == 1


def test_reminder_chunk_after_deadline_writes_nothing(call, owner):
    draft(call=call, owner=owner)
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)
    with time_machine.travel(DEADLINE, tick=False):
        assert reminders.reminder_send_chunk(run_id=run.pk, after_pk=0, last_pk=owner.pk) == 0


def test_reminder_not_sent_to_unsubscribed_but_other_tenant_choice_does_not_count(
    call, owner, other_tenant, django_capture_on_commit_callbacks
):
    left = factories.UserFactory(email="left@example.org")
    draft(call=call, owner=owner)
    draft(call=call, owner=left)
    NewsPreference.objects.create(user=left, tenant=call.edition.tenant, kind=NewsKind.REMINDERS, subscribed=False)
    NewsPreference.objects.create(user=owner, tenant=other_tenant, kind=NewsKind.REMINDERS, subscribed=False)
    NewsPreference.objects.create(user=owner, tenant=call.edition.tenant, kind=NewsKind.PHASE_NEWS, subscribed=False)
    tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks)
    assert [email.recipient for email in _reminders()] == [owner.email]


def test_whole_call_extension_gives_one_new_reminder(call, owner, django_capture_on_commit_callbacks):
    draft(call=call, owner=owner)
    tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks)
    extended = DEADLINE + 7 * DAY
    factories.DeadlineExtensionFactory(call=call, organisation=None, closes_at=extended)
    for moment in (DEADLINE - DAY + dt.timedelta(hours=1), DEADLINE - DAY + dt.timedelta(hours=2)):
        tick_at(moment, django_capture_on_commit_callbacks)
    emails = {email.dedup_key: email for email in _reminders()}
    # 14 days before the new deadline has passed, 3 days before has not come yet.
    new_key = f"reminder:{rule(call, 14).pk}:{owner.pk}:{extended.isoformat()}"
    assert sorted(emails) == sorted([f"reminder:{rule(call, 1).pk}:{owner.pk}:{DEADLINE.isoformat()}", new_key])
    assert "Deadline: 27 March 2030, 23:00 Geneva time (UTC+1)\n" in emails[new_key].body_text


def test_organisation_extension_reminds_its_members_against_their_own_deadline(
    call, owner, django_capture_on_commit_callbacks
):
    other = factories.UserFactory(email="other@example.org")
    draft(call=call, owner=owner)
    draft(call=call, owner=other)
    own_deadline = DEADLINE + 10 * DAY
    factories.DeadlineExtensionFactory(call=call, organisation=owner.organisation, closes_at=own_deadline)
    tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks)
    # The owner's organisation hears about its own deadline (14 days before it has
    # passed), never about everyone else's.
    assert [(email.recipient, ":".join(email.dedup_key.split(":")[:3])) for email in _reminders()] == [
        ("other@example.org", f"reminder:{rule(call, 1).pk}:{other.pk}"),
        (owner.email, f"reminder:{rule(call, 14).pk}:{owner.pk}"),
    ]
    assert [email.dedup_key.endswith(own_deadline.isoformat()) for email in _reminders()] == [False, True]
    tick_at(own_deadline - DAY, django_capture_on_commit_callbacks)
    assert [email.recipient for email in _reminders() if email.dedup_key.endswith(own_deadline.isoformat())] == [
        owner.email,
        owner.email,
    ]


def test_inactive_rule_sends_nothing(call, owner, django_capture_on_commit_callbacks):
    draft(call=call, owner=owner)
    ReminderRule.objects.filter(call=call).update(is_active=False)
    assert tick_at(DEADLINE - DAY, django_capture_on_commit_callbacks) == 0
    assert _reminders() == []


def test_reminder_chunk_query_count_same_for_10_and_1000_recipients(tenant, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.sampleapp.models import SampleEntry
    from wsis_portal.accounts.models import User

    counts = {}
    for size in (10, 1000):
        call = reminder_call(tenant=tenant, title=f"Call {size}", year=2030 + size)
        users = User.objects.bulk_create(
            [User(email=f"owner-{size}-{index}@example.org", first_name="Owner") for index in range(size)]
        )
        SampleEntry.objects.bulk_create(
            [SampleEntry(tenant=tenant, call=call, owner=user, title=f"Draft {user.pk}") for user in users]
        )
        run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)
        with time_machine.travel(DEADLINE - DAY, tick=False), CaptureQueriesContext(connection) as queries:
            written = reminders.reminder_send_chunk(run_id=run.pk, after_pk=0, last_pk=users[-1].pk)
        assert written == size
        counts[size] = len(queries)
    assert OutboxEmail.objects.filter(dedup_key__startswith="reminder:").count() == 1010
    assert counts[10] == counts[1000]


def _write_reminder(call, owner):
    run = ReminderRun.objects.create(rule=only_rule(call, 1), deadline=DEADLINE)
    with time_machine.travel(DEADLINE - DAY, tick=False):
        reminders.reminder_send_chunk(run_id=run.pk, after_pk=0, last_pk=owner.pk)
    [email] = _reminders()
    assert email.reminder_run == run
    return email


def test_reminder_queued_then_owner_submits_is_cancelled_not_sent(call, owner):
    from wsis_portal.notifications.enums import OutboxStatus

    entry = draft(call=call, owner=owner)
    email = _write_reminder(call, owner)
    type(entry).objects.filter(pk=entry.pk).update(status=SubmissionStatus.SUBMITTED)
    with time_machine.travel(DEADLINE - DAY + dt.timedelta(minutes=1), tick=False):
        assert services.outbox_send_due() == {"sent": 0, "retry": 0, "failed": 0, "cancelled": 1}
    email.refresh_from_db()
    assert (email.status, email.last_error) == (OutboxStatus.CANCELLED, "The reminder no longer applies.")
    assert mail.outbox == []


def test_reminder_queued_until_after_deadline_is_cancelled(call, owner):
    draft(call=call, owner=owner)
    _write_reminder(call, owner)
    with time_machine.travel(DEADLINE, tick=False):
        assert services.outbox_send_due() == {"sent": 0, "retry": 0, "failed": 0, "cancelled": 1}
    assert mail.outbox == []


def test_reminder_still_applying_is_sent_with_other_mail(call, owner, stakeholder):
    draft(call=call, owner=owner)
    _write_reminder(call, owner)
    services.email_enqueue(recipient="someone@example.org", subject="Hello", body_text="Hi", dedup_key="test:hi")
    with time_machine.travel(DEADLINE - DAY + dt.timedelta(minutes=1), tick=False):
        assert services.outbox_send_due() == {"sent": 2, "retry": 0, "failed": 0}
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, "someone@example.org"])


def test_phase_news_sent_once_when_phase_opens_to_opted_in_stakeholders(
    tenant, stakeholder, django_capture_on_commit_callbacks
):
    from wsis_portal.editions.engine import run_due_boundaries

    call = reminder_call(tenant=tenant)
    phase = call.submission_phase
    ReminderRule.objects.create(
        call=call,
        phase=phase,
        on_boundary="opened",
        audience="opted-in-stakeholders",
        news_kind=NewsKind.PHASE_NEWS,
        template="emails/reminders/phase_news",
    )
    NewsPreference.objects.create(user=stakeholder, tenant=tenant, kind=NewsKind.PHASE_NEWS, subscribed=True)
    for _tick in range(2):
        with time_machine.travel(phase.opens_at + dt.timedelta(minutes=1), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                run_due_boundaries()
    [email] = _reminders()
    assert email.recipient == stakeholder.email
    assert email.subject == 'Submissions of "Workshops 2030" is now open'
    assert "When: 10 January 2030, 01:00 Geneva time (UTC+1)\n" in email.body_text
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [(run.rule.on_boundary, run.deadline) for run in ReminderRun.objects.all()] == [("opened", phase.opens_at)]
    # Phase news never counts as a deadline reminder.
    assert {item.rule.on_boundary for item in reminders.due_reminders(now=DEADLINE - DAY)} == {""}


def test_rule_clean_phase_news_needs_phase_and_no_offset(call):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        ReminderRule(call=call, on_boundary="opened", audience="draft-owners").clean()
    with pytest.raises(ValidationError):
        ReminderRule(call=call, audience="draft-owners").clean()
    ReminderRule(call=call, phase=call.submission_phase, on_boundary="closed", audience="draft-owners").clean()
