"""The contest and its entries in the tenant-scoped admin."""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wsis_portal.tenants.admin import TenantScopedAdmin, TenantScopedTabularInline

from .models import Contest, ContestCategory, Criterion, PrizeEntry
from .services import categories_seed_from_reference, criteria_seed


class ContestCategoryInline(TenantScopedTabularInline):
    model = ContestCategory
    extra = 0
    fields = ["prize_category", "special_name", "description", "position", "active"]


class CriterionInline(TenantScopedTabularInline):
    model = Criterion
    extra = 0
    fields = ["name", "description", "position"]


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


@admin.register(PrizeEntry)
class PrizeEntryAdmin(TenantScopedAdmin):
    list_display = ["reference", "title", "category", "organisation", "country", "status", "submitted_at"]
    list_filter = ["status", "category", "stakeholder_type", "country", "completion_status", "call"]
    list_select_related = ["tenant", "organisation", "category__prize_category__action_line"]
    search_fields = ["reference", "title", "short_description", "organisation__name", "owner__email"]
    autocomplete_fields = ["call", "organisation"]
    filter_horizontal = ["sdgs"]
    # The status changes through the services, never by hand.
    readonly_fields = ["status", "reference", "created_at", "updated_at", "submitted_at"]
    date_hierarchy = "updated_at"
    actions = ["export_csv"]

    def get_queryset(self, request):
        # The entries' manager already joins the tenant, and Django's changelist
        # then skips ``list_select_related``: join what the list shows here.
        return super().get_queryset(request).select_related(*self.list_select_related)

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
