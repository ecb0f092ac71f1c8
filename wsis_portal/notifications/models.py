from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .enums import EmailCategory, OutboxStatus


class OutboxEmail(models.Model):
    """One email, stored before it is sent. ``dedup_key`` makes enqueueing
    idempotent: the same key twice is one email."""

    tenant = models.ForeignKey(
        "tenants.Tenant",
        verbose_name=_("tenant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty for account mail, which belongs to no tenant."),
    )
    dedup_key = models.CharField(_("deduplication key"), max_length=255, unique=True)
    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_email = models.CharField(_("from"), max_length=255)
    subject = models.CharField(_("subject"), max_length=998)
    body_text = models.TextField(_("text part"))
    body_html = models.TextField(_("HTML part"), blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    category = models.CharField(
        _("category"), max_length=16, choices=EmailCategory.choices, default=EmailCategory.TRANSACTIONAL
    )
    status = models.CharField(_("status"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"
