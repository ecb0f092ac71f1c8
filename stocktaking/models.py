"""The WSIS Stocktaking database: entries (projects, programmes, training...)
kept per tenant across editions, their collections, and the search support.

Moderation (``services.py``) moves ``Entry.status``. A published entry is
never changed in place by its owner: an edit goes to a *revision*, a second
``Entry`` row with ``revision_of`` pointing at the published one, moderated
like a new entry; publishing it copies its content onto the published entry
and deletes it. The public pages read only ``status=published`` rows that are
not revisions. See docs/stocktaking.md.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from wsis_portal.tenants.models import Tenant

from .enums import Coverage, EntryKind, EntryStatus, ProjectStatus

FIRST_YEAR = 1990
LAST_YEAR = 2100

# The fields an owner writes; a revision carries them and publishing copies them.
CONTENT_FIELDS = [
    "title",
    "description",
    "kind",
    "language",
    "organisation",
    "organisation_name",
    "stakeholder_type",
    "countries",
    "coverage",
    "start_year",
    "end_year",
    "project_status",
    "website",
    "beneficiaries",
    "partners",
    "image",
]
CONTENT_M2M_FIELDS = ["action_lines", "sdgs", "regions"]


class Collection(models.Model):
    """A special collection of entries, e.g. the COVID-19 ICT Case Repository."""

    tenant = models.ForeignKey(Tenant, verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=64)
    description = models.TextField(_("description"), blank=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["name"]
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        constraints = [models.UniqueConstraint(fields=["tenant", "slug"], name="stocktaking_collection_unique_slug")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stocktaking:collection", kwargs={"tenant_slug": self.tenant.slug, "slug": self.slug})


def _year_field(label):
    return models.PositiveSmallIntegerField(
        label, null=True, blank=True, validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )


class Entry(models.Model):
    tenant = models.ForeignKey(Tenant, verbose_name=_("tenant"), on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty once the owner deleted their account."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT, db_index=True
    )
    revision_of = models.ForeignKey(
        "self",
        verbose_name=_("revision of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="revisions",
        help_text=_("Set on a proposed change of a published entry, which stays public until it is moderated."),
    )

    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices, default=EntryKind.PROJECT)
    language = models.CharField(
        _("language of the entry"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    organisation_name = models.CharField(
        _("organisation name"), max_length=255, blank=True, help_text=_("As shown on the entry.")
    )
    stakeholder_type = models.ForeignKey(
        "reference.StakeholderType",
        verbose_name=_("stakeholder type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    countries = CountryField(_("countries"), multiple=True, blank=True)
    coverage = models.CharField(_("coverage"), max_length=16, choices=Coverage.choices, default=Coverage.NATIONAL)
    regions = models.ManyToManyField(
        "reference.Region",
        verbose_name=_("regions"),
        blank=True,
        related_name="+",
        help_text=_("Derived from the countries (the regions' country lists are editable in the admin)."),
    )
    action_lines = models.ManyToManyField(
        "reference.ActionLine", verbose_name=_("Action Lines"), blank=True, related_name="+"
    )
    sdgs = models.ManyToManyField(
        "reference.SustainableDevelopmentGoal",
        verbose_name=_("Sustainable Development Goals"),
        blank=True,
        related_name="+",
    )
    start_year = _year_field(_("start year"))
    end_year = _year_field(_("end year"))
    project_status = models.CharField(
        _("project status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ONGOING
    )
    website = models.URLField(_("website"), blank=True)
    beneficiaries = models.TextField(_("beneficiaries"), blank=True)
    partners = models.TextField(_("partners"), blank=True, help_text=_("One partner per line."))
    image = models.ImageField(
        _("image"),
        upload_to="stocktaking/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp"])],
    )
    collections = models.ManyToManyField(Collection, verbose_name=_("collections"), blank=True, related_name="entries")
    rejection_reason = models.TextField(_("reason of the last rejection"), blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    confirmed_at = models.DateTimeField(
        _("last confirmed"),
        null=True,
        blank=True,
        help_text=_("Set by the owner's confirmation and by publishing; stale after a few years without."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("The entry's id in the legacy database (set by the import; unique per tenant)."),
    )

    # Written by ``search.entry_refresh_search`` on PostgreSQL, NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("stocktaking entry")
        verbose_name_plural = _("stocktaking entries")
        indexes = [models.Index(fields=["tenant", "status", "-published_at"], name="stocktaking_entry_public")]
        constraints = [
            # One open revision per published entry.
            models.UniqueConstraint(
                fields=["revision_of"], condition=Q(revision_of__isnull=False), name="stocktaking_one_revision"
            ),
            models.UniqueConstraint(
                fields=["tenant", "external_id"], condition=~Q(external_id=""), name="stocktaking_unique_external_id"
            ),
            models.CheckConstraint(
                condition=Q(start_year__isnull=True) | Q(end_year__isnull=True) | Q(end_year__gte=F("start_year")),
                name="stocktaking_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_revision(self) -> bool:
        return self.revision_of_id is not None

    def is_stale(self, *, before: dt.datetime) -> bool:
        """Not confirmed since ``before`` (see ``freshness.stale_before``)."""
        return self.confirmed_at is None or self.confirmed_at < before

    @property
    def public_entry_id(self) -> int:
        return self.revision_of_id or self.pk

    def get_absolute_url(self) -> str:
        return reverse("stocktaking:detail", kwargs={"tenant_slug": self.tenant.slug, "pk": self.public_entry_id})

    def missing_for_submission(self) -> list[str]:
        """What must be filled in before the entry goes to moderation."""
        missing = [
            str(self._meta.get_field(name).verbose_name)
            for name in ["title", "description", "organisation_name", "start_year"]
            if not getattr(self, name)
        ]
        if not self.countries:
            missing.append(str(self._meta.get_field("countries").verbose_name))
        if self.pk is None or not self.action_lines.exists():
            missing.append(str(self._meta.get_field("action_lines").verbose_name))
        return missing


class EntryCountry(models.Model):
    """One row per country of an entry, kept by the services from
    ``Entry.countries``: filters and facet counts by country are joins and one
    grouped query, on PostgreSQL and SQLite alike."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="country_rows")
    country = CountryField(_("country"))

    tenant_path = "entry__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        verbose_name = _("country of an entry")
        verbose_name_plural = _("countries of entries")
        constraints = [models.UniqueConstraint(fields=["entry", "country"], name="stocktaking_entry_country_unique")]
        indexes = [models.Index(fields=["country"], name="stocktaking_country")]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.country.code}"
