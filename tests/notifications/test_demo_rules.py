"""The demo shows reminder rules on every open call, with phase news where the
call makes news (prizes, stocktaking), and seeding again adds nothing."""

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from wsis_portal.editions.demo import seed_demo
from wsis_portal.editions.enums import CallKind
from wsis_portal.notifications.demo import seed_demo_rules
from wsis_portal.notifications.models import ReminderRule

pytestmark = pytest.mark.django_db


def test_demo_has_rules_on_every_open_call_and_phase_news_where_the_kinds_exist():
    now = timezone.now()
    demo = seed_demo(now=now)
    _historic, current = demo["editions"]
    with scopes_disabled():
        open_calls = [call for call in current.calls.prefetch_related("phases") if call.phase_at(now)]
        assert open_calls, "the shifted edition has open calls"
        for call in current.calls.all():
            offsets = sorted(
                ReminderRule.objects.filter(call=call, on_boundary="", is_active=True).values_list("offset", flat=True)
            )
            assert offsets == [dt.timedelta(days=1), dt.timedelta(days=3), dt.timedelta(days=14)], call.kind
        news = sorted(
            ReminderRule.objects.filter(call__edition=current)
            .exclude(on_boundary="")
            .values_list("call__kind", "phase__key", "on_boundary", "audience", "news_kind", "template")
        )
        assert news == [
            (
                CallKind.PRIZES,
                "announcement",
                "opened",
                "opted-in-stakeholders",
                "phase_news",
                "emails/reminders/phase_news",
            ),
            (
                CallKind.PRIZES,
                "nomination",
                "closed",
                "opted-in-stakeholders",
                "phase_news",
                "emails/reminders/phase_news",
            ),
            (CallKind.PRIZES, "voting", "opened", "opted-in-stakeholders", "phase_news", "emails/reminders/phase_news"),
            (
                CallKind.STOCKTAKING_UPDATE,
                "submission",
                "opened",
                "opted-in-stakeholders",
                "phase_news",
                "emails/reminders/phase_news",
            ),
        ]
        count = ReminderRule.objects.count()
        assert seed_demo_rules(edition=current) == 0
        assert ReminderRule.objects.count() == count


def test_demo_rules_added_to_calls_that_had_none():
    demo = seed_demo(now=timezone.now())
    _historic, current = demo["editions"]
    with scopes_disabled():
        ReminderRule.objects.filter(call__edition=current).delete()
        assert seed_demo_rules(edition=current) == 3 * current.calls.count() + 4
