"""Loose news from other apps: a new call gets the default reminder rules, and
phase boundaries start phase news (``reminders.phase_news_start``, registered
with the phase engine when ``reminders`` is imported below)."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from wsis_portal.editions.models import Call

from . import reminders  # noqa: F401 (registers the phase boundary handlers)


@receiver(post_save, sender=Call, dispatch_uid="notifications.default_reminder_rules")
def call_created(sender, instance: Call, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .reminders import create_default_rules

        create_default_rules(call=instance)
