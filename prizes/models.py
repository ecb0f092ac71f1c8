"""The WSIS Prizes contest of an edition and the projects entered into it.

The contest's five phases are the ``Phase`` rows of the edition's prizes call
(``Call.kind == "prizes"``, keys in ``enums.PHASE_KEYS``): their dates live
there only. Every field a stakeholder fills in may be empty while the entry is
a draft; ``missing_for_submission`` names what must be filled in before it can
be submitted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_scopes import ScopedManager, scopes_disabled
from simple_history.models import HistoricalRecords

from wsis_portal.editions.enums import CallKind, SubmissionStatus
from wsis_portal.editions.models import Call, Edition, Submission

from .enums import CompletionStatus, VoteStatus
from .validators import MaxFileSizeValidator, WordRangeValidator, count_words

SHORT_DESCRIPTION_MIN_WORDS = 150
SHORT_DESCRIPTION_MAX_WORDS = 200
short_description_words = WordRangeValidator(SHORT_DESCRIPTION_MIN_WORDS, SHORT_DESCRIPTION_MAX_WORDS)

IMAGE_EXTENSIONS = FileExtensionValidator(["png", "jpg", "jpeg", "webp"])
IMAGE_MAX_BYTES = 5 * 1024 * 1024

DEFAULT_NOMINATION_QUOTA = 20
DEFAULT_CHAMPIONS = 5


class Contest(models.Model):
    """The WSIS Prizes of one edition: quotas and the edition's prizes call."""

    edition = models.OneToOneField(Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="contest")
    introduction = models.TextField(_("introduction"), blank=True, help_text=_("Shown on the contest's page."))
    nomination_quota = models.PositiveSmallIntegerField(
        _("nominations per category"),
        default=DEFAULT_NOMINATION_QUOTA,
        validators=[MinValueValidator(1)],
        help_text=_("How many projects the experts nominate in each category."),
    )
    champions_per_category = models.PositiveSmallIntegerField(
        _("champions per category"),
        default=DEFAULT_CHAMPIONS,
        validators=[MinValueValidator(1)],
        help_text=_("The projects with the most votes in each category become Champions."),
    )
    nominees_published_at = models.DateTimeField(
        _("nominees published at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when the nomination phase closes: the list of nominees is then public."),
    )

    tenant_path = "edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["-edition__year"]
        verbose_name = _("WSIS Prizes contest")
        verbose_name_plural = _("WSIS Prizes contests")
        constraints = [
            models.CheckConstraint(
                condition=Q(champions_per_category__gte=1, nomination_quota__gte=F("champions_per_category")),
                name="prizes_contest_champions_within_quota",
            ),
        ]

    def __str__(self) -> str:
        return _("WSIS Prizes %(year)s") % {"year": self.edition.year}

    def prize_call(self) -> Call | None:
        """The edition's prizes call, whose phases are the contest's (one query)."""
        return Call.objects.filter(edition_id=self.edition_id, kind=CallKind.PRIZES).first()


class ContestCategory(models.Model):
    """A category of a contest: one of the 18 from reference data, or a
    special prize the secretariat adds with its own name."""

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="categories")
    prize_category = models.ForeignKey(
        "reference.PrizeCategory",
        verbose_name=_("prize category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Leave empty for a special prize, and give it a name."),
    )
    special_name = models.CharField(
        _("special prize"), max_length=255, blank=True, help_text=_("For example “Healthy Ageing Innovation”.")
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("takes entries"), default=True)

    tenant_path = "contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("contest category")
        verbose_name_plural = _("contest categories")
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "prize_category"],
                condition=Q(prize_category__isnull=False),
                name="prizes_category_once_per_contest",
            ),
            # Either a reference category or a special prize with a name, never both.
            models.CheckConstraint(
                condition=(Q(prize_category__isnull=False) & Q(special_name=""))
                | (Q(prize_category__isnull=True) & ~Q(special_name="")),
                name="prizes_category_reference_or_special",
            ),
        ]

    def __str__(self) -> str:
        if self.special_name:
            return str(_("Special prize: %(name)s") % {"name": self.special_name})
        return str(self.prize_category)

    @property
    def is_special(self) -> bool:
        return self.prize_category_id is None


class Criterion(models.Model):
    """A nomination criterion the experts apply (editable per contest)."""

    contest = models.ForeignKey(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    tenant_path = "contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [models.UniqueConstraint(fields=["contest", "name"], name="prizes_criterion_unique_name")]

    def __str__(self) -> str:
        return self.name


class TenantLoadingManager(models.Manager):
    """Loads the tenant with every entry: ``get_absolute_url`` needs its slug,
    and lists built elsewhere ("My submissions") would otherwise ask once per row."""

    def get_queryset(self):
        return super().get_queryset().select_related("tenant")


class PrizeEntry(Submission):
    """A project entered into one category of a contest by an organisation."""

    reference_prefix = "PRZ"

    category = models.ForeignKey(
        ContestCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    title = models.CharField(_("project title"), max_length=255, blank=True)
    short_description = models.TextField(
        _("short description"),
        blank=True,
        help_text=_("150 to 200 words, in English. Voters see this text."),
    )
    full_description = models.TextField(_("full description"), blank=True)
    in_english = models.BooleanField(
        _("this entry is written in English"),
        default=False,
        help_text=_("Entries are accepted in English only."),
    )
    stakeholder_type = models.ForeignKey(
        "reference.StakeholderType",
        verbose_name=_("stakeholder type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    country = CountryField(_("country"), blank=True, help_text=_("Where the project is carried out."))
    sdgs = models.ManyToManyField(
        "reference.SustainableDevelopmentGoal",
        verbose_name=_("Sustainable Development Goals"),
        blank=True,
        related_name="+",
    )
    economic_impact = models.TextField(_("economic impact"), blank=True)
    social_impact = models.TextField(_("social impact"), blank=True)
    environmental_impact = models.TextField(_("environmental impact"), blank=True)
    partnerships = models.TextField(_("partnerships"), blank=True, help_text=_("Who works with you on this project?"))
    challenges_and_future = models.TextField(
        _("challenges and future"), blank=True, help_text=_("What stands in the way, and what comes next?")
    )
    completion_status = models.CharField(
        _("completion status"), max_length=16, choices=CompletionStatus.choices, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    image = models.ImageField(
        _("main image"),
        upload_to="prizes/images/%Y/",
        blank=True,
        validators=[IMAGE_EXTENSIONS, MaxFileSizeValidator(IMAGE_MAX_BYTES)],
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )
    second_image = models.ImageField(
        _("second image"),
        upload_to="prizes/images/%Y/",
        blank=True,
        validators=[IMAGE_EXTENSIONS, MaxFileSizeValidator(IMAGE_MAX_BYTES)],
        help_text=_("PNG, JPEG or WebP, at most 5 MB."),
    )
    nominated_at = models.DateTimeField(
        _("nominated at"),
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text=_("Set and cleared by the nomination actions only."),
    )

    objects = ScopedManager(TenantLoadingManager, tenant=Submission.tenant_path)

    class Meta(Submission.Meta):
        verbose_name = _("prize entry")
        verbose_name_plural = _("prize entries")
        constraints = [
            *Submission.Meta.constraints,
            # One project per category per organisation; a withdrawn entry frees the place.
            models.UniqueConstraint(
                fields=["organisation", "category"],
                condition=~Q(status=SubmissionStatus.WITHDRAWN),
                name="prizes_entry_one_per_category_per_organisation",
            ),
        ]

    @property
    def title_for_owner(self) -> str:
        return self.title or super().title_for_owner

    def get_absolute_url(self) -> str:
        return reverse("prizes:review", kwargs={"tenant_slug": self.tenant.slug, "pk": self.pk})

    def missing_fields(self) -> list[tuple[str, str]]:
        """``(field name, label)`` of what must still be done before submitting."""
        missing = []
        for name in [
            "category",
            "title",
            "full_description",
            "stakeholder_type",
            "country",
            "completion_status",
            "challenges_and_future",
        ]:
            field = self._meta.get_field(name)
            if not self.__dict__.get(field.attname):  # raw column values: no query
                missing.append((name, str(field.verbose_name)))
        words = count_words(self.short_description)
        if not SHORT_DESCRIPTION_MIN_WORDS <= words <= SHORT_DESCRIPTION_MAX_WORDS:
            missing.append(
                (
                    "short_description",
                    str(
                        _("short description of 150 to 200 words (it has %(words)d)") % {"words": words},
                    ),
                )
            )
        if not self.in_english:
            missing.append(("in_english", str(_("confirmation that the entry is in English"))))
        if not (self.economic_impact or self.social_impact or self.environmental_impact):
            missing.append(("economic_impact", str(_("at least one impact (economic, social or environmental)"))))
        if self.pk is None or not self.sdgs.exists():
            missing.append(("sdgs", str(_("at least one Sustainable Development Goal"))))
        return missing

    def missing_for_submission(self) -> list[str]:
        return [label for _name, label in self.missing_fields()]


SCORE_MIN = 0
SCORE_MAX = 5


def member_of_category_tenant(category_id: int, user_id: int, *, roles: list[str]) -> bool:
    """Whether the user holds one of ``roles`` in the tenant of the category's contest."""
    from wsis_portal.tenants.models import Membership

    with scopes_disabled():
        tenant_id = Edition.objects.filter(contest__categories=category_id).values_list("tenant_id", flat=True)
        return Membership.objects.filter(user_id=user_id, tenant_id__in=tenant_id, role__in=roles).exists()


class CategoryReviewer(models.Model):
    """A member of the secretariat (reviewer or manager of the contest's
    tenant) who scores the entries of one category."""

    category = models.ForeignKey(
        ContestCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="reviewers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="+"
    )
    history = HistoricalRecords()

    tenant_path = "category__contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["category", "user__email"]
        verbose_name = _("category reviewer")
        verbose_name_plural = _("category reviewers")
        constraints = [models.UniqueConstraint(fields=["category", "user"], name="prizes_reviewer_once_per_category")]

    def __str__(self) -> str:
        return f"{self.user} · {self.category}"

    def clean(self) -> None:
        from wsis_portal.tenants.enums import Role

        if self.category_id is None or self.user_id is None:
            return
        if not member_of_category_tenant(self.category_id, self.user_id, roles=[Role.MANAGER, Role.REVIEWER]):
            raise ValidationError(
                {"user": _("Only reviewers and managers of this contest's tenant can review a category.")}
            )


class Score(models.Model):
    """One reviewer's score (0-5) of one entry against one criterion."""

    entry = models.ForeignKey(PrizeEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.CASCADE, related_name="scores"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.CASCADE, related_name="+"
    )
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    history = HistoricalRecords()

    tenant_path = "entry__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["entry", "criterion__position", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["entry", "criterion", "reviewer"], name="prizes_score_once_per_reviewer"),
            models.CheckConstraint(
                condition=Q(value__gte=SCORE_MIN, value__lte=SCORE_MAX), name="prizes_score_value_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} · {self.criterion_id} · {self.value}"


class VoteQuerySet(models.QuerySet):
    def valid(self):
        """The votes that count: neither quarantined nor voided."""
        return self.filter(status=VoteStatus.VALID)


class Vote(models.Model):
    """One voter's vote in one category of a contest, for a nominated entry.

    The unique constraint on ``(category, voter)`` is what makes "one vote per
    voter, category and contest" true under concurrency (a category belongs to
    one contest). The integrity signals are recorded with the vote so that the
    quarantine rules and the staff can judge it later; nothing is ever deleted.
    """

    category = models.ForeignKey(
        ContestCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="votes"
    )
    entry = models.ForeignKey(PrizeEntry, verbose_name=_("project"), on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("voter"), on_delete=models.CASCADE, related_name="prize_votes"
    )
    cast_at = models.DateTimeField(_("cast at"), db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=VoteStatus.choices, default=VoteStatus.VALID)
    reasons = models.JSONField(
        _("quarantine reasons"), default=list, blank=True, help_text=_("Codes of the rules the vote tripped.")
    )
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=400, blank=True)
    account_age_seconds = models.PositiveIntegerField(_("account age (seconds)"), null=True, blank=True)
    seconds_since_email_confirmed = models.PositiveIntegerField(
        _("seconds from email confirmation to vote"), null=True, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    tenant_path = "category__contest__edition__tenant"
    objects = ScopedManager(models.Manager.from_queryset(VoteQuerySet), tenant=tenant_path)

    class Meta:
        ordering = ["-cast_at", "-id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["category", "voter"], name="prizes_vote_once_per_category"),
        ]
        indexes = [
            models.Index(fields=["category", "status", "entry"], name="prizes_vote_tally"),
            models.Index(fields=["status", "cast_at"], name="prizes_vote_status_time"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.entry_id} ({self.get_status_display()})"


# --- selection: Champions, the experts' ranking, Winners, the announcement --------


class ContestResults(models.Model):
    """When the contest's votes were tallied and its results announced: each
    stamp is set once (the tally under a lock of the contest row, the
    announcement by a compare-and-set), so running either again changes nothing."""

    contest = models.OneToOneField(Contest, verbose_name=_("contest"), on_delete=models.CASCADE, related_name="results")
    tallied_at = models.DateTimeField(_("votes tallied at"), null=True, blank=True, editable=False)
    announced_at = models.DateTimeField(_("results announced at"), null=True, blank=True, editable=False)

    tenant_path = "contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        verbose_name = _("contest results")
        verbose_name_plural = _("contest results")

    def __str__(self) -> str:
        return str(self.contest)


class Champion(models.Model):
    """A nominee among the projects with the most valid votes in its category,
    written once by the tally. Entries tied at the cut-off are all kept and
    flagged (``tie_at_cutoff``): the tally never breaks a tie itself."""

    category = models.ForeignKey(
        ContestCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="champions"
    )
    entry = models.OneToOneField(
        PrizeEntry, verbose_name=_("project"), on_delete=models.CASCADE, related_name="champion"
    )
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 for the most votes; tied projects share a rank."))
    votes = models.PositiveIntegerField(_("valid votes"))
    tie_at_cutoff = models.BooleanField(
        _("tied at the cut-off"),
        default=False,
        help_text=_("Tied with other projects for the last Champion places: the experts decide."),
    )
    tallied_at = models.DateTimeField(_("tallied at"))

    tenant_path = "category__contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["category__position", "category_id", "rank", "entry__title", "entry_id"]
        verbose_name = _("Champion")
        verbose_name_plural = _("Champions")
        constraints = [
            models.UniqueConstraint(fields=["category", "entry"], name="prizes_champion_once_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.entry.title} · {self.category}"


class CategoryExpert(models.Model):
    """A member of the expert group (expert or manager of the contest's
    tenant) who ranks the Champions of one category."""

    category = models.ForeignKey(
        ContestCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="experts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="+"
    )
    history = HistoricalRecords()

    tenant_path = "category__contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["category", "user__email"]
        verbose_name = _("category expert")
        verbose_name_plural = _("category experts")
        constraints = [models.UniqueConstraint(fields=["category", "user"], name="prizes_expert_once_per_category")]

    def __str__(self) -> str:
        return f"{self.user} · {self.category}"

    def clean(self) -> None:
        from wsis_portal.tenants.enums import Role

        if self.category_id is None or self.user_id is None:
            return
        if not member_of_category_tenant(self.category_id, self.user_id, roles=[Role.MANAGER, Role.EXPERT]):
            raise ValidationError(
                {"user": _("Only experts and managers of this contest's tenant can select a Winner.")}
            )


class ExpertRanking(models.Model):
    """One expert's ranking of the Champions of one category: ``ranked_entries``
    holds the entries' ids, best first. One per expert and category; saving
    again replaces it (history kept)."""

    category = models.ForeignKey(
        ContestCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="expert_rankings"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="+"
    )
    ranked_entries = models.JSONField(_("projects, best first"), default=list)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    history = HistoricalRecords()

    tenant_path = "category__contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["category", "expert__email"]
        verbose_name = _("expert ranking")
        verbose_name_plural = _("expert rankings")
        constraints = [
            models.UniqueConstraint(fields=["category", "expert"], name="prizes_ranking_once_per_expert"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.category}"


class Winner(models.Model):
    """The Winner of a category, confirmed by a manager among its Champions."""

    category = models.OneToOneField(
        ContestCategory, verbose_name=_("category"), on_delete=models.CASCADE, related_name="winner"
    )
    champion = models.OneToOneField(
        Champion, verbose_name=_("Champion"), on_delete=models.PROTECT, related_name="winner"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"))
    history = HistoricalRecords()

    tenant_path = "category__contest__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    class Meta:
        ordering = ["category__position", "category_id"]
        verbose_name = _("Winner")
        verbose_name_plural = _("Winners")

    def __str__(self) -> str:
        return f"{self.champion.entry.title} · {self.category}"
