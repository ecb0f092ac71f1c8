"""Loose news from other apps: a new call gets the default reminder rules."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from wsis_portal.editions.models import Call


@receiver(post_save, sender=Call, dispatch_uid="notifications.default_reminder_rules")
def call_created(sender, instance: Call, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .reminders import create_default_rules

        create_default_rules(call=instance)
