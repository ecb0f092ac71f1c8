"""The Open Consultation Process entries, all on the shared ``Submission`` base.

Every field a stakeholder fills in may be empty while the entry is a draft:
a draft saves whatever was typed. ``missing_for_submission`` names what must
be filled in before the entry can be submitted.
"""

from __future__ import annotations

import string

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from wsis_portal.accounts.models import Gender
from wsis_portal.editions.enums import CallKind
from wsis_portal.editions.models import Submission

from .enums import OcpStatus, Participation, SpaceSize
from .validators import MaxFileSizeValidator, MaxWordsValidator

BIOGRAPHY_WORD_LIMIT = 150
# ImageField (Pillow) checks that the content is an image; the extensions and
# the size limit stay as they were for plain files.
IMAGE_EXTENSIONS = FileExtensionValidator(["png", "jpg", "jpeg", "webp"])
IMAGE_MAX_BYTES = 5 * 1024 * 1024


def _status_field():
    return models.CharField(
        _("status"), max_length=32, choices=OcpStatus.choices, default=OcpStatus.DRAFT, db_index=True
    )


def _action_lines():
    return models.ManyToManyField("reference.ActionLine", verbose_name=_("Action Lines"), blank=True, related_name="+")


def _sdgs():
    return models.ManyToManyField(
        "reference.SustainableDevelopmentGoal",
        verbose_name=_("Sustainable Development Goals"),
        blank=True,
        related_name="+",
    )


class TenantLoadingManager(models.Manager):
    """Loads the tenant with every entry: ``get_absolute_url`` needs its slug,
    and lists built elsewhere ("My submissions") would otherwise ask once per row."""

    def get_queryset(self):
        return super().get_queryset().select_related("tenant")


class OcpSubmission(Submission):
    """What the five OCP entries share beyond the platform's base."""

    #: The kind of call the entry answers, and its name in URLs.
    call_kind: str = ""
    url_kind: str = ""

    status = _status_field()
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewers"),
        blank=True,
        related_name="+",
        help_text=_("Members of the secretariat (managers or reviewers) who review this entry."),
    )
    internal_comments = GenericRelation("ocp.InternalComment")

    objects = ScopedManager(TenantLoadingManager, tenant=Submission.tenant_path)

    class Meta(Submission.Meta):
        abstract = True

    def get_absolute_url(self) -> str:
        # The tenant is usually cached by the page that lists the entry.
        return reverse("ocp:review", kwargs={"tenant_slug": self.tenant.slug, "kind": self.url_kind, "pk": self.pk})

    def _missing_fields(self, names: list[str]) -> list[str]:
        # The raw column values: no query for foreign keys.
        fields = [self._meta.get_field(name) for name in names]
        return [str(field.verbose_name) for field in fields if not self.__dict__.get(field.attname)]

    def _missing_choices(self, names: list[str]) -> list[str]:
        """Many-to-many fields that need at least one choice (one query each)."""
        missing = []
        for name in names:
            if self.pk is None or not getattr(self, name).exists():
                missing.append(str(self._meta.get_field(name).verbose_name))
        return missing


class Contribution(OcpSubmission):
    """An official contribution on the forum's thematic aspects and format."""

    reference_prefix = "OCP"
    call_kind = CallKind.OCP_CONTRIBUTION
    url_kind = "contribution"

    thematic_aspects = models.TextField(
        _("thematic aspects"), blank=True, help_text=_("Which themes should this edition address, and why?")
    )
    format_innovations = models.TextField(
        _("innovations of the forum's format"),
        blank=True,
        help_text=_("How could the format of the forum be improved (sessions, participation, remote access)?"),
    )
    suggested_themes = models.TextField(
        _("suggested themes for sessions"), blank=True, help_text=_("One theme per line.")
    )
    action_lines = _action_lines()
    sdgs = _sdgs()
    comments = models.TextField(_("further comments"), blank=True)

    class Meta(OcpSubmission.Meta):
        verbose_name = _("OCP contribution")
        verbose_name_plural = _("OCP contributions")

    @property
    def title_for_owner(self) -> str:
        first_line = self.thematic_aspects.strip().split("\n")[0][:80]
        return first_line or super().title_for_owner

    def missing_for_submission(self) -> list[str]:
        return self._missing_fields(["thematic_aspects", "format_innovations"]) + self._missing_choices(
            ["action_lines"]
        )


class WorkshopRequest(OcpSubmission):
    reference_prefix = "WS"
    call_kind = CallKind.WORKSHOP
    url_kind = "workshop"

    title = models.CharField(_("title"), max_length=255, blank=True)
    abstract = models.TextField(_("abstract"), blank=True)
    session_format = models.ForeignKey(
        "reference.SessionFormat",
        verbose_name=_("session format"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    track = models.ForeignKey(
        "editions.Track",
        verbose_name=_("special track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty if the workshop belongs to no special track."),
    )
    action_lines = _action_lines()
    sdgs = _sdgs()
    language = models.CharField(_("language of the session"), max_length=8, choices=settings.LANGUAGES, blank=True)
    co_organisers = models.TextField(
        _("co-organising organisations"), blank=True, help_text=_("One organisation per line.")
    )
    moderator_name = models.CharField(_("moderator"), max_length=255, blank=True)
    moderator_organisation = models.CharField(_("moderator's organisation"), max_length=255, blank=True)
    binding_request = models.BooleanField(
        _("binding request"),
        default=False,
        help_text=_("Tick if this is a binding request agreed with the secretariat."),
    )
    technical_needs = models.TextField(_("technical needs"), blank=True)

    class Meta(OcpSubmission.Meta):
        verbose_name = _("workshop request")
        verbose_name_plural = _("workshop requests")

    @property
    def title_for_owner(self) -> str:
        return self.title or super().title_for_owner

    def missing_for_submission(self) -> list[str]:
        missing = self._missing_fields(["title", "abstract", "session_format", "language", "moderator_name"])
        missing += self._missing_choices(["action_lines"])
        if self.pk is None or not self.speakers.exists():
            missing.append(str(_("at least one speaker")))
        return missing


class Speaker(models.Model):
    """A speaker proposed for a workshop."""

    workshop = models.ForeignKey(
        WorkshopRequest, verbose_name=_("workshop request"), on_delete=models.CASCADE, related_name="speakers"
    )
    name = models.CharField(_("name"), max_length=255)
    title = models.CharField(_("title or position"), max_length=255, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    country = CountryField(_("country"), blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    participation = models.CharField(
        _("participation"), max_length=16, choices=Participation.choices, default=Participation.ON_SITE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Speakers change after submission too: the secretariat sees what changed.
    history = HistoricalRecords()

    tenant_path = "workshop__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return self.name


class ExhibitionRequest(OcpSubmission):
    reference_prefix = "EX"
    call_kind = CallKind.EXHIBITION
    url_kind = "exhibition"

    space_size = models.CharField(_("space size"), max_length=16, choices=SpaceSize.choices, blank=True)
    showcase = models.TextField(
        _("what you will show"), blank=True, help_text=_("The technologies, projects or services on display.")
    )
    action_lines = _action_lines()
    sdgs = _sdgs()
    needs_power = models.BooleanField(_("needs electric power"), default=False)
    needs_internet = models.BooleanField(_("needs a wired internet connection"), default=False)
    furniture_needs = models.TextField(_("furniture needs"), blank=True)
    logo = models.ImageField(
        _("logo"),
        upload_to="ocp/exhibition-logos/%Y/",
        blank=True,
        validators=[IMAGE_EXTENSIONS, MaxFileSizeValidator(IMAGE_MAX_BYTES)],
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )

    class Meta(OcpSubmission.Meta):
        verbose_name = _("exhibition space request")
        verbose_name_plural = _("exhibition space requests")

    @property
    def title_for_owner(self) -> str:
        return self.showcase.strip().split("\n")[0][:80] or super().title_for_owner

    def missing_for_submission(self) -> list[str]:
        return self._missing_fields(["space_size", "showcase"]) + self._missing_choices(["action_lines"])


class SpeakerRecommendation(OcpSubmission):
    reference_prefix = "SP"
    call_kind = CallKind.SPEAKER
    url_kind = "speaker"

    speaker_name = models.CharField(_("name of the person"), max_length=255, blank=True)
    speaker_title = models.CharField(_("title or position"), max_length=255, blank=True)
    speaker_organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    reason = models.TextField(_("why this person"), blank=True)

    class Meta(OcpSubmission.Meta):
        verbose_name = _("speaker recommendation")
        verbose_name_plural = _("speaker recommendations")

    @property
    def title_for_owner(self) -> str:
        return self.speaker_name or super().title_for_owner

    def missing_for_submission(self) -> list[str]:
        return self._missing_fields(["speaker_name", "speaker_title", "speaker_organisation", "topic", "reason"])


class HltfNomination(OcpSubmission):
    """A High-Level Track Facilitator nominated by a stakeholder coordination mechanism."""

    reference_prefix = "HLTF"
    call_kind = CallKind.HLTF
    url_kind = "hltf"

    nominating_stakeholder_type = models.ForeignKey(
        "reference.StakeholderType",
        verbose_name=_("nominating stakeholder type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mechanism = models.CharField(
        _("coordination mechanism"),
        max_length=255,
        blank=True,
        help_text=_("The stakeholder coordination mechanism that nominates this person."),
    )
    nominee_name = models.CharField(_("nominee's name"), max_length=255, blank=True)
    nominee_title = models.CharField(_("nominee's title or position"), max_length=255, blank=True)
    nominee_organisation = models.CharField(_("nominee's organisation"), max_length=255, blank=True)
    nominee_country = CountryField(_("nominee's country"), blank=True)
    nominee_gender = models.CharField(_("nominee's gender"), max_length=16, choices=Gender.choices, blank=True)
    nominee_email = models.EmailField(_("nominee's email address"), blank=True)
    biography = models.TextField(
        _("short biography"),
        blank=True,
        validators=[MaxWordsValidator(BIOGRAPHY_WORD_LIMIT)],
        help_text=_("At most 150 words."),
    )
    photo = models.ImageField(
        _("photo"),
        upload_to="ocp/hltf-photos/%Y/",
        blank=True,
        validators=[IMAGE_EXTENSIONS, MaxFileSizeValidator(IMAGE_MAX_BYTES)],
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )
    languages = models.CharField(
        _("languages spoken"), max_length=255, blank=True, help_text=_("For example: English, French, Arabic.")
    )

    class Meta(OcpSubmission.Meta):
        verbose_name = _("HLTF nomination")
        verbose_name_plural = _("HLTF nominations")

    @property
    def title_for_owner(self) -> str:
        return self.nominee_name or super().title_for_owner

    def missing_for_submission(self) -> list[str]:
        return self._missing_fields(
            [
                "nominating_stakeholder_type",
                "mechanism",
                "nominee_name",
                "nominee_title",
                "nominee_organisation",
                "nominee_country",
                "nominee_gender",
                "nominee_email",
                "biography",
                "languages",
            ]
        )


OCP_MODELS: list[type[OcpSubmission]] = [
    Contribution,
    WorkshopRequest,
    ExhibitionRequest,
    SpeakerRecommendation,
    HltfNomination,
]
MODEL_BY_URL_KIND = {model.url_kind: model for model in OCP_MODELS}
MODEL_BY_CALL_KIND = {model.call_kind: model for model in OCP_MODELS}


class InternalComment(models.Model):
    """A note of the secretariat on an OCP entry; never shown to its owner."""

    tenant = models.ForeignKey("tenants.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    entry = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        verbose_name = _("internal comment")
        verbose_name_plural = _("internal comments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return _("Comment %(id)s") % {"id": self.pk}


class ReviewEvent(models.Model):
    """One status change made by the review service: who, when, from, to, why."""

    tenant = models.ForeignKey("tenants.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    entry = GenericForeignKey("content_type", "object_id")
    from_status = models.CharField(_("status before"), max_length=32, choices=OcpStatus.choices)
    to_status = models.CharField(_("status after"), max_length=32, choices=OcpStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"))

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Session(models.Model):
    """A session of an edition's public agenda, most often scheduled from an
    accepted workshop request (``ocp.agenda.session_schedule_from_workshop``)."""

    edition = models.ForeignKey(
        "editions.Edition", verbose_name=_("edition"), on_delete=models.CASCADE, related_name="ocp_sessions"
    )
    workshop = models.OneToOneField(
        WorkshopRequest,
        verbose_name=_("workshop request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="session",
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    room = models.CharField(_("room"), max_length=255, blank=True)
    virtual_url = models.URLField(_("link to join remotely"), max_length=500, blank=True)
    session_format = models.ForeignKey(
        "reference.SessionFormat",
        verbose_name=_("session format"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    track = models.ForeignKey(
        "editions.Track",
        verbose_name=_("track"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action_lines = _action_lines()
    sdgs = _sdgs()
    language = models.CharField(_("language of the session"), max_length=8, choices=settings.LANGUAGES, blank=True)
    moderator = models.CharField(_("moderator"), max_length=255, blank=True)
    moderator_organisation = models.CharField(_("moderator's organisation"), max_length=255, blank=True)
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Only published sessions appear on the public agenda.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tenant_path = "edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["starts_at", "title", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="ocp_session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class SessionSpeaker(models.Model):
    """A speaker of a session (copied from the workshop's speakers when scheduled)."""

    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="speakers")
    name = models.CharField(_("name"), max_length=255)
    title = models.CharField(_("title or position"), max_length=255, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    country = CountryField(_("country"), blank=True)
    participation = models.CharField(
        _("participation"), max_length=16, choices=Participation.choices, default=Participation.ON_SITE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    tenant_path = "session__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("session speaker")
        verbose_name_plural = _("session speakers")

    def __str__(self) -> str:
        return self.name


class CoordinationMechanism(models.Model):
    """A stakeholder coordination mechanism the secretariat recognises: only
    members of its organisations may nominate High-Level Track Facilitators."""

    tenant = models.ForeignKey("tenants.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    stakeholder_type = models.ForeignKey(
        "reference.StakeholderType",
        verbose_name=_("stakeholder type"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("organisations"),
        blank=True,
        related_name="coordination_mechanisms",
        help_text=_("Members of these organisations may nominate facilitators on behalf of the mechanism."),
    )

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["name"]
        verbose_name = _("coordination mechanism")
        verbose_name_plural = _("coordination mechanisms")
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="ocp_mechanism_unique_name_per_tenant")]

    def __str__(self) -> str:
        return self.name


class SessionFacilitator(models.Model):
    """A selected High-Level Track Facilitator assigned to a (High-Level
    Policy) session of the agenda."""

    session = models.ForeignKey(
        Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="facilitators"
    )
    nomination = models.ForeignKey(
        HltfNomination, verbose_name=_("facilitator"), on_delete=models.CASCADE, related_name="assignments"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    tenant_path = "session__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("session facilitator")
        verbose_name_plural = _("session facilitators")
        constraints = [
            models.UniqueConstraint(fields=["session", "nomination"], name="ocp_facilitator_once_per_session")
        ]

    def __str__(self) -> str:
        return self.nomination.nominee_name


class FinalBrief(models.Model):
    """The OCP final brief of an edition: staff see it at once; the public
    once the secretariat publishes it."""

    edition = models.OneToOneField(
        "editions.Edition", verbose_name=_("edition"), on_delete=models.CASCADE, related_name="ocp_final_brief"
    )
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the figures. Plain text; blank lines start paragraphs.")
    )
    published_at = models.DateTimeField(
        _("published"), null=True, blank=True, help_text=_("Empty until the brief is public.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tenant_path = "edition__tenant"
    objects = ScopedManager(tenant=tenant_path)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("final brief")
        verbose_name_plural = _("final briefs")

    def __str__(self) -> str:
        return str(_("Final brief of %(edition)s") % {"edition": self.edition})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DecisionEmailTemplate(models.Model):
    """The secretariat's own wording of a decision email, for one decision and
    one language (or every language); without one, the portal's translated
    wording is sent. ``$name`` placeholders are filled in per entry."""

    PLACEHOLDERS = ("name", "kind", "title", "reference", "edition", "note", "link")

    class Decision(models.TextChoices):
        ACCEPTED = OcpStatus.ACCEPTED.value, OcpStatus.ACCEPTED.label
        REJECTED = OcpStatus.REJECTED.value, OcpStatus.REJECTED.label
        CHANGES_REQUESTED = OcpStatus.CHANGES_REQUESTED.value, OcpStatus.CHANGES_REQUESTED.label

    tenant = models.ForeignKey("tenants.Tenant", verbose_name=_("tenant"), on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=32, choices=Decision.choices)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: for every language without a template of its own."),
    )
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Placeholders: $name, $kind, $title, $reference, $edition, $note (the message typed "
            "with the decision) and $link (the entry's page)."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    tenant_path = "tenant"
    objects = ScopedManager(tenant=tenant_path)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decision", "language"]
        verbose_name = _("decision email template")
        verbose_name_plural = _("decision email templates")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "decision", "language"], name="ocp_decision_template_once_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} · {self.get_language_display() or _('every language')}"

    def clean(self):
        errors = {}
        for name in ("subject", "body"):
            template = string.Template(getattr(self, name) or "")
            unknown = sorted(set(template.get_identifiers()) - set(self.PLACEHOLDERS))
            if not template.is_valid():
                errors[name] = _("A $ sign must start a placeholder; write $$ for the sign itself.")
            elif unknown:
                errors[name] = _("Unknown placeholder: %(names)s.") % {"names": ", ".join(f"${n}" for n in unknown)}
        if errors:
            raise ValidationError(errors)

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """The subject (on one line) and the body with the placeholders filled in."""
        subject = string.Template(self.subject).safe_substitute(values)
        return " ".join(subject.split()), string.Template(self.body).safe_substitute(values)
