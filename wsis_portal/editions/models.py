"""Editions, their calls and phases, and the shared ``Submission`` base.

Whether a phase is open is always computed from the clock (``Call.phase_at``,
``Call.accepts_submissions_at``), never stored: correctness does not depend on
a worker. ``PhaseEvent`` records, once, that a boundary's side effects ran.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from wsis_portal.tenants.models import Tenant

from .enums import CallKind, EditionStatus, MeetingFormat, PhaseEventKind, SubmissionStatus


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value}) from exc


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Edition(models.Model):
    tenant = models.ForeignKey(Tenant, verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="editions")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=255)
    theme = models.TextField(_("theme"), blank=True)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("final week starts on"))
    ends_on = models.DateField(_("final week ends on"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.WSIS_DEFAULT_TIMEZONE,
        validators=[validate_timezone],
        choices=timezone_choices,
        help_text=_("Deadlines are entered and shown in this time zone."),
    )
    status = models.CharField(_("status"), max_length=16, choices=EditionStatus.choices, default=EditionStatus.DRAFT)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year"], name="edition_unique_year_per_tenant"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="edition_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("editions:edition_detail", kwargs={"tenant_slug": self.tenant.slug, "year": self.year})


class Call(models.Model):
    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="calls")
    kind = models.CharField(_("kind"), max_length=32, choices=CallKind.choices)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    tenant_path = "edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [models.UniqueConstraint(fields=["edition", "kind"], name="call_unique_kind_per_edition")]

    def __str__(self) -> str:
        return f"{self.title} ({self.edition})"

    # Everything below reads ``self.phases.all()`` and ``self.extensions.all()``
    # so that a prefetched list of calls costs no further query.

    def ordered_phases(self) -> list[Phase]:
        return sorted(self.phases.all(), key=lambda phase: (phase.opens_at, phase.position))

    def phase_at(self, when: dt.datetime) -> Phase | None:
        """The phase open at ``when`` (whole-call extensions included), if any."""
        for phase in self.ordered_phases():
            if phase.opens_at <= when < self.phase_closes_at(phase):
                return phase
        return None

    @property
    def submission_phase(self) -> Phase | None:
        return next((phase for phase in self.ordered_phases() if phase.accepts_submissions), None)

    def phase_closes_at(self, phase: Phase, organisation_id: int | None = None) -> dt.datetime:
        """When ``phase`` closes, after extensions for the whole call (and for
        ``organisation_id``); only the submission phase can be extended."""
        closes_at = phase.closes_at
        if not phase.accepts_submissions:
            return closes_at
        for extension in self.extensions.all():
            if extension.organisation_id is None or extension.organisation_id == organisation_id:
                closes_at = max(closes_at, extension.closes_at)
        return closes_at

    def deadline_for(self, organisation_id: int | None = None) -> dt.datetime | None:
        phase = self.submission_phase
        return None if phase is None else self.phase_closes_at(phase, organisation_id)

    def accepts_submissions_at(self, when: dt.datetime, organisation_id: int | None = None) -> bool:
        phase = self.submission_phase
        return phase is not None and phase.opens_at <= when < self.phase_closes_at(phase, organisation_id)


class Phase(models.Model):
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="phases")
    key = models.SlugField(
        _("key"), max_length=40, help_text=_("Stable name used by the programme, e.g. “submission”, “voting”.")
    )
    name = models.CharField(_("name"), max_length=255)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    accepts_submissions = models.BooleanField(
        _("accepts submissions"),
        default=False,
        help_text=_("Submissions are accepted while this phase is open; its closing time is the deadline."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    tenant_path = "call__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["opens_at", "position"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["call", "key"], name="phase_unique_key_per_call"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="phase_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.call.title})"

    def is_open_at(self, when: dt.datetime) -> bool:
        return self.opens_at <= when < self.call.phase_closes_at(self)


class PhaseEvent(models.Model):
    """A phase boundary whose side effects have run; the unique constraint makes it once."""

    phase = models.ForeignKey(Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=PhaseEventKind.choices)
    boundary_at = models.DateTimeField(_("boundary"))
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)

    tenant_path = "phase__call__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["-boundary_at"]
        verbose_name = _("phase event")
        verbose_name_plural = _("phase events")
        constraints = [models.UniqueConstraint(fields=["phase", "kind"], name="phase_event_once")]

    def __str__(self) -> str:
        return f"{self.phase} {self.get_kind_display()}"


class DeadlineExtension(models.Model):
    """Moves a call's submission deadline later, for the whole call or one organisation."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="extensions")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deadline_extensions",
        help_text=_("Leave empty to extend the deadline for everyone."),
    )
    closes_at = models.DateTimeField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    tenant_path = "call__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["closes_at"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        who = self.organisation or _("everyone")
        return f"{self.call.title}: {who} → {self.closes_at:%Y-%m-%d %H:%M} UTC"


class Meeting(models.Model):
    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=255)
    format = models.CharField(_("format"), max_length=16, choices=MeetingFormat.choices, default=MeetingFormat.HYBRID)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=255, blank=True)
    remote_url = models.URLField(_("remote participation link"), blank=True)
    recording_url = models.URLField(_("recording link"), blank=True)
    description = models.TextField(_("description"), blank=True)

    tenant_path = "edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start")]

    def __str__(self) -> str:
        return self.title


class Track(models.Model):
    """A special track of an edition (ICTs and Youth, Cybersecurity, ...)."""

    edition = models.ForeignKey(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("name"), max_length=255)
    special_track = models.ForeignKey(
        "reference.SpecialTrack",
        verbose_name=_("special track"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    tenant_path = "edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [models.UniqueConstraint(fields=["edition", "name"], name="track_unique_name_per_edition")]

    def __str__(self) -> str:
        return self.name


class ReferenceCounter(models.Model):
    """The last reference number handed out for (tenant, prefix, year)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "prefix", "year"], name="reference_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


class Submission(models.Model):
    """What every programme app's entries share: tenant, call, owner and
    organisation, a status, a reference number unique per tenant, timestamps
    and history. Subclasses set ``reference_prefix`` and may widen ``status``."""

    reference_prefix = "SUB"

    tenant = models.ForeignKey(Tenant, verbose_name=_("tenant"), on_delete=models.PROTECT, related_name="+")
    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty once the owner deleted their account."),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=32, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT, db_index=True
    )
    reference = models.CharField(_("reference"), max_length=32, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    history = HistoricalRecords(inherit=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        abstract = True
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "reference"],
                condition=~Q(reference=""),
                name="%(app_label)s_%(class)s_unique_reference",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft %(id)s") % {"id": self.pk}

    @property
    def kind_label(self) -> str:
        return self._meta.verbose_name

    @property
    def title_for_owner(self) -> str:
        """A line naming the submission on "My submissions"; subclasses refine it."""
        return str(self)

    def missing_for_submission(self) -> list[str]:
        """Human-readable names of what must still be filled in before submitting."""
        return []

    def get_absolute_url(self) -> str | None:
        return None
