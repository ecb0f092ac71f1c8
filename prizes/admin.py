"""The contest and its entries in the tenant-scoped admin."""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wsis_portal.tenants.admin import TenantScopedAdmin, TenantScopedTabularInline, staff_tenant_ids
from wsis_portal.tenants.enums import Role
from wsis_portal.tenants.models import Membership

from .models import CategoryReviewer, Contest, ContestCategory, Criterion, PrizeEntry, Score
from .nomination import NominationError, entries_nominate, entries_unnominate
from .services import categories_seed_from_reference, criteria_seed

REVIEW_ROLES = [Role.MANAGER, Role.REVIEWER]


class ContestCategoryInline(TenantScopedTabularInline):
    model = ContestCategory
    extra = 0
    fields = ["prize_category", "special_name", "description", "position", "active"]


class CriterionInline(TenantScopedTabularInline):
    model = Criterion
    extra = 0
    fields = ["name", "description", "position"]


class CategoryReviewerInline(TenantScopedTabularInline):
    """Who scores the category's entries: reviewers and managers of its tenant."""

    model = CategoryReviewer
    extra = 1
    fields = ["user"]
    verbose_name = _("reviewer")
    verbose_name_plural = _("reviewers who score this category")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            tenant_ids = request.__dict__.get("_prizes_category_tenant_ids") or staff_tenant_ids(
                request, managers_only=True
            )
            members = Membership.objects.filter(tenant_id__in=tenant_ids, role__in=REVIEW_ROLES).values("user_id")
            kwargs["queryset"] = get_user_model().objects.filter(pk__in=members, is_active=True).order_by("email")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ContestCategory)
class ContestCategoryAdmin(TenantScopedAdmin):
    """A category with the reviewers assigned to score it."""

    list_display = ["__str__", "contest", "position", "active", "reviewer_count"]
    list_filter = ["contest", "active"]
    list_select_related = ["contest__edition", "prize_category__action_line"]
    search_fields = ["special_name", "description"]
    fields = ["contest", "prize_category", "special_name", "description", "position", "active"]
    inlines = [CategoryReviewerInline]

    def get_queryset(self, request):
        # An aggregate drops ``Meta.ordering``: keep it (autocomplete and pagination need an order).
        return (
            super()
            .get_queryset(request)
            .annotate(reviewer_total=Count("reviewers"))
            .order_by(*ContestCategory._meta.ordering)
        )

    @admin.display(description=_("reviewers"), ordering="reviewer_total")
    def reviewer_count(self, obj):
        return obj.reviewer_total

    def get_form(self, request, obj=None, change=False, **kwargs):
        # Reviewers are chosen among the staff of the category's own tenant.
        request.__dict__["_prizes_category_tenant_ids"] = [obj.contest.edition.tenant_id] if obj is not None else None
        return super().get_form(request, obj, change, **kwargs)


@admin.register(Contest)
class ContestAdmin(TenantScopedAdmin):
    list_display = ["__str__", "edition", "nomination_quota", "champions_per_category"]
    list_select_related = ["edition"]
    autocomplete_fields = ["edition"]
    inlines = [ContestCategoryInline, CriterionInline]
    actions = ["add_reference_categories_and_criteria"]

    @admin.action(description=_("Add the missing reference categories and the 2026 criteria"))
    def add_reference_categories_and_criteria(self, request, queryset):
        categories = criteria = 0
        for contest in queryset:
            if not self.has_change_permission(request, contest):
                continue
            categories += categories_seed_from_reference(contest=contest)
            criteria += criteria_seed(contest=contest)
        self.message_user(
            request,
            gettext("Added %(categories)d categories and %(criteria)d criteria.")
            % {"categories": categories, "criteria": criteria},
            messages.SUCCESS,
        )


EXPORT_FIELDS = [
    "reference",
    "status",
    "category",
    "title",
    "organisation",
    "stakeholder_type",
    "country",
    "completion_status",
    "short_description",
    "full_description",
    "economic_impact",
    "social_impact",
    "environmental_impact",
    "partnerships",
    "challenges_and_future",
    "website",
    "submitted_at",
]


def _safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class CategoryListFilter(admin.SimpleListFilter):
    """The staff member's contest categories with their reference data in one
    query (the default filter asks once per category for its name)."""

    title = _("category")
    parameter_name = "category__id__exact"

    def lookups(self, request, model_admin):
        categories = ContestCategory.objects.select_related("prize_category__action_line", "contest__edition")
        if not request.user.is_superuser:
            categories = categories.filter(contest__edition__tenant_id__in=staff_tenant_ids(request))
        return [
            (str(category.pk), f"{category} ({category.contest.edition.year})")
            for category in categories.order_by("-contest__edition__year", "position", "pk")
        ]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(category_id=self.value())
        return queryset


class NominatedListFilter(admin.SimpleListFilter):
    title = _("nomination")
    parameter_name = "nominated"

    def lookups(self, request, model_admin):
        return [("yes", _("Nominated")), ("no", _("Not nominated"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(nominated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(nominated_at__isnull=True)
        return queryset


class ScoreInline(TenantScopedTabularInline):
    """The reviewers' scores of the entry (given on the reviewers' page)."""

    model = Score
    extra = 0
    fields = ["criterion", "reviewer", "value", "comment", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion", "reviewer")


@admin.register(PrizeEntry)
class PrizeEntryAdmin(TenantScopedAdmin):
    """Filter by a category and sort by the average score for the ranked
    list; nominate and un-nominate through the nomination service."""

    list_display = [
        "reference",
        "title",
        "category",
        "organisation",
        "country",
        "status",
        "average_score",
        "score_count",
        "is_nominated",
        "submitted_at",
    ]
    list_filter = [
        "status",
        CategoryListFilter,
        "stakeholder_type",
        "country",
        "completion_status",
        "call",
        NominatedListFilter,
    ]
    list_select_related = ["tenant", "organisation", "category__prize_category__action_line"]
    search_fields = ["reference", "title", "short_description", "organisation__name", "owner__email"]
    autocomplete_fields = ["call", "organisation"]
    filter_horizontal = ["sdgs"]
    # The status changes through the services, never by hand.
    readonly_fields = ["status", "reference", "created_at", "updated_at", "submitted_at", "nominated_at"]
    date_hierarchy = "updated_at"
    actions = ["export_csv", "nominate", "unnominate"]
    inlines = [ScoreInline]

    def get_queryset(self, request):
        # The entries' manager already joins the tenant, and Django's changelist
        # then skips ``list_select_related``: join what the list shows here.
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            # Unscored entries sort below every scored one (0 included).
            .annotate(
                average=Avg("scores__value"),
                average_rank=Coalesce(Avg("scores__value"), Value(-1.0)),
                scored=Count("scores"),
            )
            # An aggregate drops ``Meta.ordering``: keep it (autocomplete and pagination need an order).
            .order_by(*(PrizeEntry._meta.ordering or ["-pk"]))
        )

    @admin.display(description=_("average score"), ordering="average_rank")
    def average_score(self, obj):
        return "–" if obj.average is None else f"{obj.average:.2f}"

    @admin.display(description=_("scores"), ordering="scored")
    def score_count(self, obj):
        return obj.scored

    @admin.display(description=_("nominated"), boolean=True, ordering="nominated_at")
    def is_nominated(self, obj):
        return obj.nominated_at is not None

    def has_nominate_permission(self, request):
        return bool(staff_tenant_ids(request, managers_only=True)) or request.user.is_superuser

    def _nomination(self, request, queryset, service, done_message):
        entries = queryset.select_related(None).select_related("tenant")
        try:
            changed = service(entries=entries, by=request.user, now=timezone.now())
        except NominationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, done_message(changed) % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Nominate the selected entries"), permissions=["nominate"])
    def nominate(self, request, queryset):
        self._nomination(
            request,
            queryset,
            entries_nominate,
            lambda count: ngettext("%(count)d entry nominated.", "%(count)d entries nominated.", count),
        )

    @admin.action(description=_("Withdraw the nomination of the selected entries"), permissions=["nominate"])
    def unnominate(self, request, queryset):
        self._nomination(
            request,
            queryset,
            entries_unnominate,
            lambda count: ngettext("%(count)d nomination withdrawn.", "%(count)d nominations withdrawn.", count),
        )

    @admin.action(description=_("Export the selected entries (CSV)"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="prize-entries.csv"'
        writer = csv.writer(response)
        fields = [PrizeEntry._meta.get_field(name) for name in EXPORT_FIELDS]
        writer.writerow([str(field.verbose_name) for field in fields] + [gettext("Sustainable Development Goals")])
        entries = queryset.select_related("organisation", "stakeholder_type").prefetch_related("sdgs")
        for entry in entries:
            row = []
            for field in fields:
                if field.choices and not field.is_relation:
                    value = getattr(entry, f"get_{field.name}_display")()
                elif field.name == "country":
                    value = entry.country.name if entry.country else ""
                else:
                    value = getattr(entry, field.name)
                row.append(_safe_cell("" if value is None else str(value)))
            row.append("; ".join(str(sdg.number) for sdg in entry.sdgs.all()))
            writer.writerow(row)
        return response


# Each stage of the contest keeps its admin in a module of its own.
from . import admin_selection, admin_voting  # noqa: E402, F401
