from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class EmailCategory(models.TextChoices):
    TRANSACTIONAL = "transactional", _("Account and receipt (always sent)")
    NEWS = "news", _("News and reminders (can be unsubscribed)")
