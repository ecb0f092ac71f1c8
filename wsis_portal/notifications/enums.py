from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled (no longer applies)")


class EmailCategory(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Account and receipt (always sent)")
    NEWS = "news", _("News and reminders (can be unsubscribed)")


class NewsKind(models.TextChoices):
    """The kinds of non-transactional mail a person can subscribe to or leave,
    per tenant. Reminders are sent unless refused; the others only to those who
    opted in (``DEFAULT_SUBSCRIBED``)."""

    REMINDERS = "reminders", _("Deadline reminders for your drafts and reviews")
    PHASE_NEWS = "phase_news", _("News when a call opens or closes")
    ANNOUNCEMENTS = "announcements", _("Announcements of the forum")


DEFAULT_SUBSCRIBED = frozenset({NewsKind.REMINDERS.value})
