"""The final brief in the tenant-scoped admin: its introduction, and the
publish / withdraw actions (through ``ocp.brief``'s services)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wsis_portal.tenants.admin import TenantScopedAdmin

from .brief import BriefError, final_brief_publish, final_brief_unpublish
from .models import FinalBrief


def brief_url(brief: FinalBrief) -> str:
    """The brief's page on the tenant's site (staff see it before it is public)."""
    edition = brief.edition
    url = reverse("ocp:brief", kwargs={"tenant_slug": edition.tenant.slug})
    return f"{url}?edition={edition.year}"


@admin.register(FinalBrief)
class FinalBriefAdmin(TenantScopedAdmin):
    list_display = ["__str__", "edition", "is_published", "published_at", "page_link"]
    list_select_related = ["edition__tenant"]
    list_filter = ["edition"]
    search_fields = ["introduction", "edition__title"]
    fields = ["edition", "introduction", "published_at", "updated_at"]
    # Published and withdrawn through the actions, which keep the history.
    readonly_fields = ["published_at", "updated_at"]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edition__tenant")

    def get_readonly_fields(self, request, obj=None):
        # The edition of an existing brief stays; its figures are that edition's.
        readonly = list(super().get_readonly_fields(request, obj))
        return ["edition", *readonly] if obj is not None else readonly

    def view_on_site(self, obj):
        return brief_url(obj)

    @admin.display(description=_("published"), boolean=True)
    def is_published(self, obj):
        return obj.is_published

    @admin.display(description=_("page"))
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', brief_url(obj), gettext("View the brief"))

    def _apply(self, request, queryset, service, done_message):
        queryset = self._limit_to_tenants(request, queryset, managers_only=True)
        changed = 0
        for brief in queryset.select_related("edition__tenant"):
            try:
                changed += service(brief, by=request.user)
            except BriefError as error:
                self.message_user(request, error.message, messages.ERROR)
        self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Publish the brief"), permissions=["change"])
    def publish(self, request, queryset):
        self._apply(request, queryset, final_brief_publish, gettext("Published: %(count)d."))

    @admin.action(description=_("Withdraw the brief from the public"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._apply(request, queryset, final_brief_unpublish, gettext("Withdrawn from the public: %(count)d."))
