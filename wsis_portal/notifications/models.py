import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from wsis_portal.editions.enums import PhaseEventKind

from .enums import EmailCategory, NewsKind, OutboxStatus

DEFAULT_REMINDER_TEMPLATE = "emails/reminders/deadline"
REMINDER_TEMPLATES = [
    (DEFAULT_REMINDER_TEMPLATE, _("Deadline reminder (drafts not yet submitted)")),
    ("emails/reminders/review", _("Review reminder (entries waiting for review)")),
    ("emails/reminders/phase_news", _("Phase news (a phase opened or closed)")),
]


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
    reminder_run = models.ForeignKey(
        "notifications.ReminderRun",
        verbose_name=_("reminder run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A reminder is checked again just before it is sent: it is cancelled if it no longer applies."),
    )

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


def audience_choices() -> list[tuple[str, str]]:
    # Imported late: the registry module imports the programme models.
    from .audiences import audience_choices as choices

    return choices()


class ReminderRule(models.Model):
    """Send ``template`` to ``audience`` ``offset`` before a deadline of ``call``:
    the submission deadline, or the closing of ``phase`` when one is set.

    The text lives in template files (``templates/<template>_subject.txt``,
    ``_body.txt``, ``_body.html``) so that it is translated with the rest of
    the portal; the secretariat picks one of ``REMINDER_TEMPLATES``."""

    call = models.ForeignKey(
        "editions.Call", verbose_name=_("call"), on_delete=models.CASCADE, related_name="reminder_rules"
    )
    phase = models.ForeignKey(
        "editions.Phase",
        verbose_name=_("phase"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        help_text=_("Leave empty for the call's submission deadline; otherwise the closing of this phase."),
    )
    offset = models.DurationField(
        _("before the deadline"),
        null=True,
        blank=True,
        help_text=_("How long before the deadline, e.g. “3 days” or “14 days, 0:00:00”. Empty for phase news."),
    )
    on_boundary = models.CharField(
        _("sent when the phase"),
        max_length=16,
        choices=PhaseEventKind.choices,
        blank=True,
        help_text=_("Phase news: sent once when the phase opens or closes, instead of before a deadline."),
    )
    audience = models.CharField(_("audience"), max_length=64, choices=audience_choices)
    news_kind = models.CharField(
        _("kind of news"),
        max_length=32,
        choices=NewsKind.choices,
        default=NewsKind.REMINDERS,
        help_text=_("People who unsubscribed from this kind of news do not receive it."),
    )
    template = models.CharField(
        _("email template"),
        max_length=128,
        choices=REMINDER_TEMPLATES,
        default=DEFAULT_REMINDER_TEMPLATE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    tenant_path = "call__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["call", "-offset"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        constraints = [
            # A reminder counts back from a deadline; phase news has no offset.
            models.CheckConstraint(
                condition=models.Q(on_boundary="", offset__gt=dt.timedelta(0))
                | (~models.Q(on_boundary="") & models.Q(offset__isnull=True, phase__isnull=False)),
                name="reminder_offset_or_phase_boundary",
            ),
        ]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.on_boundary and (self.phase_id is None or self.offset is not None):
            raise ValidationError(_("Phase news needs a phase and no offset."))
        if not self.on_boundary and not (self.offset and self.offset > dt.timedelta(0)):
            raise ValidationError({"offset": _("Say how long before the deadline the reminder is sent.")})
        if self.phase_id and self.call_id and self.phase.call_id != self.call_id:
            raise ValidationError({"phase": _("Choose a phase of this call.")})

    def __str__(self) -> str:
        if self.on_boundary:
            return _("%(call)s: when %(phase)s %(event)s, to %(audience)s") % {
                "call": self.call.title,
                "phase": self.phase.name,
                "event": self.get_on_boundary_display(),
                "audience": self.get_audience_display(),
            }
        return _("%(call)s: %(offset)s before, to %(audience)s") % {
            "call": self.call.title,
            "offset": self.offset,
            "audience": self.get_audience_display(),
        }


class ReminderRun(models.Model):
    """A rule's fan-out for one deadline, recorded once (the unique constraint):
    the tick can run any number of times. ``superseded`` runs sent nothing
    because a rule closer to the deadline was due at the same time."""

    rule = models.ForeignKey(ReminderRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="runs")
    deadline = models.DateTimeField(_("deadline"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    superseded = models.BooleanField(_("superseded"), default=False)
    chunks = models.PositiveIntegerField(_("chunks"), default=0)
    queued_at = models.DateTimeField(
        _("fan-out queued"),
        default=timezone.now,
        help_text=_("When its fan-out task was last queued."),
    )
    planned_at = models.DateTimeField(
        _("fan-out planned"),
        null=True,
        blank=True,
        help_text=_("When its chunks were recorded; a run left unplanned is fanned out again by the tick."),
    )

    tenant_path = "rule__call__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")
        constraints = [models.UniqueConstraint(fields=["rule", "deadline"], name="reminder_run_once_per_deadline")]

    def __str__(self) -> str:
        return f"{self.rule_id} @ {self.deadline:%Y-%m-%d %H:%M} UTC"


class ReminderChunk(models.Model):
    """One chunk of a run's fan-out: the recipients with ``after_pk < pk <= last_pk``.

    Recorded when the fan-out is planned; the chunk task sets ``done_at`` in the
    transaction that writes its outbox rows. A chunk not done a lease after it
    was queued (its message lost with a killed worker) is queued again by the
    tick (``reminders.requeue_lost_chunks``)."""

    run = models.ForeignKey(ReminderRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="chunk_set")
    after_pk = models.BigIntegerField(_("after key"))
    last_pk = models.BigIntegerField(_("last key"))
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    queued_count = models.PositiveSmallIntegerField(_("times queued"), default=1)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    tenant_path = "run__rule__call__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["run", "after_pk"]
        verbose_name = _("reminder chunk")
        verbose_name_plural = _("reminder chunks")
        constraints = [models.UniqueConstraint(fields=["run", "after_pk"], name="reminder_chunk_once")]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=models.Q(done_at__isnull=True), name="reminder_chunk_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: ({self.after_pk}, {self.last_pk}]"


class NewsPreference(models.Model):
    """Whether a person receives a kind of news from a tenant. No row means the
    default (``DEFAULT_SUBSCRIBED``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="news_preferences"
    )
    tenant = models.ForeignKey("tenants.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind of news"), max_length=32, choices=NewsKind.choices)
    subscribed = models.BooleanField(_("subscribed"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        verbose_name = _("news preference")
        verbose_name_plural = _("news preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant", "kind"], name="news_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.subscribed}"


class AddressNewsRefusal(models.Model):
    """Someone reached by address only (a nominee without an account) who
    unsubscribed from a kind of news of a tenant. Addresses are stored in lower case."""

    email = models.EmailField(_("email address"))
    tenant = models.ForeignKey("tenants.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind of news"), max_length=32, choices=NewsKind.choices)
    created_at = models.DateTimeField(_("unsubscribed"), auto_now_add=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        verbose_name = _("unsubscribed address")
        verbose_name_plural = _("unsubscribed addresses")
        constraints = [models.UniqueConstraint(fields=["email", "tenant", "kind"], name="address_news_refusal_once")]

    def __str__(self) -> str:
        return f"{self.email} {self.kind}"
