"""The fast reminder renderer (a few renderings per chunk, values filled into
slots) gives exactly what a full rendering per recipient gives."""

import datetime as dt

import pytest
import time_machine

from tests import factories
from tests.notifications.reminder_setup import DEADLINE, reminder_call, rule
from wsis_portal.notifications.enums import EmailCategory, NewsKind
from wsis_portal.notifications.models import REMINDER_TEMPLATES, ReminderRule, ReminderRun
from wsis_portal.notifications.reminders import rule_phase
from wsis_portal.notifications.rendering import Recipient, ReminderRenderer, preferences_url
from wsis_portal.notifications.services import render_email
from wsis_portal.notifications.unsubscribe import (
    address_unsubscribe_token,
    read_token,
    unsubscribe_headers,
    unsubscribe_url,
)

pytestmark = pytest.mark.django_db

LINKS = [
    [],
    [('Digital <skills> & "more"', "https://example.org/e/1?a=1&b=2")],
    [("Draft one", "https://example.org/e/1"), ("Draft 'two'", "https://example.org/e/2")],
]


def _full_rendering(rule_, user, links):
    """What a rendering per recipient gives (the renderer's reference)."""
    tenant = rule_.call.edition.tenant
    context = {
        "user": user,
        "rule": rule_,
        "call": rule_.call,
        "edition": rule_.call.edition,
        "tenant": tenant,
        "phase": rule_phase(rule_),
        "deadline": DEADLINE,
        "event": rule_.on_boundary,
        "links": links,
        "unsubscribe_url": unsubscribe_url(user_id=user.pk, tenant_id=tenant.pk, kind=rule_.news_kind),
        "preferences_url": preferences_url(tenant),
    }
    language = user.preferred_language or "en"
    return render_email(template=rule_.template, context=context, language=language), language


@pytest.mark.parametrize("template", [key for key, _label in REMINDER_TEMPLATES])
def test_renderer_gives_the_full_rendering_for_every_template_name_language_and_links(tenant, template):
    call = reminder_call(tenant=tenant, title='Workshops <2030> & "friends"')
    reminder = rule(call, 3)
    if template.endswith("phase_news"):
        reminder = ReminderRule.objects.create(
            call=call, phase=call.phases.get(), on_boundary="opened", audience="draft-owners", template=template
        )
    else:
        ReminderRule.objects.filter(pk=reminder.pk).update(template=template)
        reminder.refresh_from_db()
    users = [
        factories.UserFactory(
            email="zoe@example.org", first_name='Zoë <b>&"', last_name="O'Neil", preferred_language="fr"
        ),
        factories.UserFactory(email="first@example.org", first_name="Ana", last_name="", preferred_language="ar"),
        factories.UserFactory(email="last@example.org", first_name="", last_name="Li", preferred_language="zh-hans"),
        factories.UserFactory(email="none@example.org", first_name="", last_name="", preferred_language=""),
    ]
    renderer = ReminderRenderer(rule=reminder, deadline=DEADLINE)
    # Frozen: the signed unsubscribe link holds the second it was made.
    with time_machine.travel(DEADLINE - dt.timedelta(days=3), tick=False):
        _compare(renderer, reminder, users, tenant)


def _compare(renderer, reminder, users, tenant):
    for user in users:
        for links in LINKS:
            email = renderer.email(recipient=Recipient(email=user.email, user=user), links=links)
            expected, language = _full_rendering(reminder, user, links)
            assert (email.subject, email.body_text, email.body_html) == (
                expected.subject,
                expected.body_text,
                expected.body_html,
            )
            assert email.language == language
            assert email.headers == unsubscribe_headers(user_id=user.pk, tenant_id=tenant.pk, kind=reminder.news_kind)
            assert (email.recipient, email.user, email.category) == (user.email, user, EmailCategory.NEWS)
            assert email.dedup_key == f"reminder:{reminder.pk}:{user.pk}:{DEADLINE.isoformat()}"


def test_renderer_for_an_address_only_default_language_and_address_unsubscribe(tenant):
    call = reminder_call(tenant=tenant)
    reminder = rule(call, 3)
    email = ReminderRenderer(rule=reminder, deadline=DEADLINE).email(
        recipient=Recipient(email="Nominee@Example.org"), links=[]
    )
    assert email.user is None
    assert (email.recipient, email.language) == ("Nominee@Example.org", "en")
    assert email.dedup_key == f"reminder:{reminder.pk}:address:nominee@example.org:{DEADLINE.isoformat()}"
    assert email.body_text.startswith("Dear Nominee@Example.org,")
    token = address_unsubscribe_token(email="nominee@example.org", tenant_id=tenant.pk, kind=NewsKind.REMINDERS)
    assert token in email.headers["List-Unsubscribe"]
    assert read_token(token) == (None, "nominee@example.org", tenant.pk, NewsKind.REMINDERS)
    assert email.body_text.count(token) == 1 and email.body_html.count(token) == 1


def test_renderer_renders_each_shape_once(tenant):
    call = reminder_call(tenant=tenant)
    reminder = rule(call, 3)
    renderer = ReminderRenderer(rule=reminder, deadline=DEADLINE + dt.timedelta(0))
    users = [
        factories.UserFactory(email=f"u{index}@example.org", first_name=f"U{index}", last_name="X")
        for index in range(30)
    ]
    for user in users:
        renderer.email(recipient=Recipient(email=user.email, user=user), links=LINKS[1])
    assert len(renderer._shapes) == 1


def test_outbox_insert_rows_writes_every_field_once_per_dedup_key(tenant, stakeholder):
    from django.db import transaction

    from wsis_portal.notifications.enums import OutboxStatus
    from wsis_portal.notifications.models import OutboxEmail
    from wsis_portal.notifications.rendering import outbox_insert_rows

    call = reminder_call(tenant=tenant)
    renderer = ReminderRenderer(rule=rule(call, 3), deadline=DEADLINE)
    recipient = Recipient(email=stakeholder.email, user=stakeholder)
    at = DEADLINE - dt.timedelta(days=3)
    with time_machine.travel(at, tick=False):
        email = renderer.email(recipient=recipient, links=LINKS[2])
        with transaction.atomic():
            outbox_insert_rows([renderer.row(recipient=recipient, links=LINKS[2], now=at)])
            # The same key again (a chunk run twice) is ignored, in the same transaction or another.
            outbox_insert_rows([renderer.row(recipient=recipient, links=[], now=at)])
        with transaction.atomic():
            outbox_insert_rows([renderer.row(recipient=recipient, links=LINKS[2], now=at)])
    [stored] = OutboxEmail.objects.all()
    fields = ["dedup_key", "recipient", "subject", "body_text", "body_html", "headers", "language", "category"]
    assert [getattr(stored, name) for name in fields] == [getattr(email, name) for name in fields]
    assert (stored.tenant_id, stored.user_id, stored.status, stored.attempts) == (
        tenant.pk,
        stakeholder.pk,
        OutboxStatus.QUEUED,
        0,
    )
    assert (stored.created_at, stored.next_attempt_at, stored.claimed_at, stored.sent_at) == (at, at, None, None)
    assert stored.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_rows_write_what_the_emails_write(tenant, stakeholder):
    """A chunk writes ``row()`` values without model instances: stored, they are
    the very rows ``email()`` gives, saved (the nominee's by address too)."""
    from django.db import transaction

    from wsis_portal.notifications.models import OutboxEmail
    from wsis_portal.notifications.rendering import outbox_insert_rows

    call = reminder_call(tenant=tenant)
    reminder = rule(call, 3)
    run = ReminderRun.objects.create(rule=reminder, deadline=DEADLINE)
    renderer = ReminderRenderer(rule=reminder, deadline=DEADLINE, run=run)
    recipients = [Recipient(email=stakeholder.email, user=stakeholder), Recipient(email="Nominee@Example.org")]
    at = DEADLINE - dt.timedelta(days=3)
    fields = [field.attname for field in OutboxEmail._meta.concrete_fields if not field.primary_key]
    with time_machine.travel(at, tick=False):
        emails = [renderer.email(recipient=recipient, links=LINKS[2]) for recipient in recipients]
        OutboxEmail.objects.bulk_create(emails)
        expected = [[getattr(email, name) for name in fields] for email in OutboxEmail.objects.order_by("pk")]
        OutboxEmail.objects.all().delete()
        with transaction.atomic():
            outbox_insert_rows([renderer.row(recipient=recipient, links=LINKS[2], now=at) for recipient in recipients])
            # A chunk run twice writes each row once.
            outbox_insert_rows([renderer.row(recipient=recipients[0], links=[], now=at)])
    assert [[getattr(email, name) for name in fields] for email in OutboxEmail.objects.order_by("pk")] == expected


def test_unsubscribe_token_with_a_shared_signer_is_what_signing_dumps_gives():
    from django.core import signing

    from wsis_portal.notifications.unsubscribe import SALT, token_signer, unsubscribe_token

    signer = token_signer()
    with time_machine.travel(DEADLINE, tick=False):
        # The last one compresses (zlib wins on its repeated digits).
        for user_id in (1, 4321, 1_000_000_000):
            payload = {"u": user_id, "t": 1111, "k": NewsKind.REMINDERS}
            expected = signing.dumps(payload, salt=SALT, compress=True)
            assert (
                unsubscribe_token(user_id=user_id, tenant_id=1111, kind=NewsKind.REMINDERS, signer=signer) == expected
            )
            assert read_token(expected) == (user_id, None, 1111, NewsKind.REMINDERS)
