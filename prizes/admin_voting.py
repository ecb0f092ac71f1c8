"""Admin of the votes: the quarantine with reasons, release and void.

Votes are read-only here: they are never added, edited or deleted by hand;
the actions "Release" (quarantined → valid) and "Void" (→ voided) go through
``voting.votes_release`` / ``voting.votes_void``, which record who and when.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wsis_portal.tenants.admin import ReadOnlyTenantScopedAdmin, staff_tenant_ids
from wsis_portal.tenants.models import Tenant

from . import voting, voting_integrity
from .admin import CategoryListFilter
from .models import Vote


class ReasonListFilter(admin.SimpleListFilter):
    title = _("quarantine reason")
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [(rule.code, rule.label) for rule in voting_integrity.QUARANTINE_RULES]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        if connection.features.supports_json_field_contains:
            return queryset.filter(reasons__contains=[code])
        # SQLite (the embedded default) has no JSON containment: the list's
        # text holds the code in quotes (codes are plain identifiers).
        return queryset.annotate(reasons_text=Cast("reasons", TextField())).filter(reasons_text__contains=f'"{code}"')


@admin.register(Vote)
class VoteAdmin(ReadOnlyTenantScopedAdmin):
    list_display = ["cast_at", "category", "entry", "voter", "status", "reason_labels", "ip_address", "reviewed_by"]
    list_filter = ["status", CategoryListFilter, ReasonListFilter]
    list_select_related = ["category__prize_category__action_line", "entry", "voter", "reviewed_by"]
    search_fields = ["voter__email", "entry__title", "entry__reference", "ip_address", "user_agent"]
    date_hierarchy = "cast_at"
    fields = [
        "category",
        "entry",
        "voter",
        "cast_at",
        "status",
        "reason_labels",
        "ip_address",
        "user_agent",
        "account_age_seconds",
        "seconds_since_email_confirmed",
        "reviewed_by",
        "reviewed_at",
    ]
    readonly_fields = fields
    actions = ["release", "void"]
    change_list_template = "admin/prizes/vote/change_list.html"

    def has_review_permission(self, request):
        return request.user.is_superuser or bool(staff_tenant_ids(request, managers_only=True))

    @admin.display(description=_("reasons"))
    def reason_labels(self, obj):
        return format_html_join(", ", "{}", ((voting_integrity.reason_label(code),) for code in obj.reasons)) or "–"

    def changelist_view(self, request, extra_context=None):
        # Links to each managed tenant's voting dashboard, above the list.
        if request.user.is_superuser:
            tenants = Tenant.objects.filter(is_active=True)
        else:
            tenants = Tenant.objects.filter(pk__in=staff_tenant_ids(request, managers_only=True))
        links = format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            (
                (reverse("prizes:voting_dashboard", kwargs={"tenant_slug": tenant.slug}), tenant.name)
                for tenant in tenants.order_by("name")
            ),
        )
        extra_context = {**(extra_context or {}), "voting_dashboards": links}
        return super().changelist_view(request, extra_context)

    def _review(self, request, queryset, service, done):
        # Managers review the votes of the tenants they manage only.
        queryset = self._limit_to_tenants(request, queryset, managers_only=True)
        changed = service(votes=queryset.select_related(None).only("pk"), by=request.user, now=timezone.now())
        self.message_user(request, done(changed) % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Release the selected votes (they count)"), permissions=["review"])
    def release(self, request, queryset):
        self._review(
            request,
            queryset,
            voting.votes_release,
            lambda count: ngettext("%(count)d vote released.", "%(count)d votes released.", count),
        )

    @admin.action(description=_("Void the selected votes (they never count)"), permissions=["review"])
    def void(self, request, queryset):
        self._review(
            request,
            queryset,
            voting.votes_void,
            lambda count: ngettext("%(count)d vote voided.", "%(count)d votes voided.", count),
        )
