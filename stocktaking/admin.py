"""Stocktaking in the tenant-scoped admin: entries with the moderation
actions (publish, reject with a reason, archive, all through the services)
and collections."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from wsis_portal.tenants.admin import TenantScopedAdmin

from . import services
from .models import Collection, Entry, EntryCountry
from .search import entry_refresh_search


class CountryListFilter(admin.SimpleListFilter):
    """The countries that occur among the visible entries (one query)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        visible = model_admin.get_queryset(request).order_by().values("pk")
        codes = EntryCountry.objects.filter(entry__in=visible).order_by().values_list("country", flat=True).distinct()
        return sorted(((code, countries.name(code)) for code in codes if code), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(country_rows__country=self.value())
        return queryset


class ModerationActionForm(ActionForm):
    """The action bar with the reason the "reject" action sends to the owners."""

    reason = forms.CharField(
        label=_("Reason (for “reject”)"),
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
    )


@admin.register(Entry)
class EntryAdmin(TenantScopedAdmin):
    list_display = ["title", "organisation_name", "kind", "status", "is_revision", "language", "updated_at"]
    list_filter = [
        "status",
        "kind",
        "action_lines",
        "sdgs",
        "regions",
        CountryListFilter,
        "stakeholder_type",
        "language",
        "project_status",
    ]
    list_select_related = ["tenant"]
    search_fields = ["title", "organisation_name", "owner__email", "description"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["action_lines", "sdgs", "collections"]
    # The status moves through the services (the actions below), never by hand;
    # regions follow the countries.
    readonly_fields = [
        "status",
        "revision_of",
        "regions",
        "rejection_reason",
        "created_at",
        "updated_at",
        "submitted_at",
        "published_at",
    ]
    date_hierarchy = "updated_at"
    action_form = ModerationActionForm
    actions = ["publish", "reject", "archive"]

    @admin.display(boolean=True, description=_("revision"))
    def is_revision(self, obj):
        return obj.is_revision

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.entry_sync_places(entry=form.instance)
        entry_refresh_search(entry_ids=[form.instance.pk])

    def _moderate(self, request, queryset, move, done_message, **kwargs):
        done = 0
        for entry in queryset.select_related("tenant", "owner"):
            try:
                move(entry=entry, by=request.user, **kwargs)
            except services.ModerationError as error:
                self.message_user(request, error.message, messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)

    @admin.action(description=_("Publish the selected entries (or their changes)"), permissions=["change"])
    def publish(self, request, queryset):
        self._moderate(
            request,
            queryset,
            services.entry_publish,
            lambda n: ngettext("%(n)d entry published.", "%(n)d entries published.", n) % {"n": n},
        )

    @admin.action(description=_("Reject the selected entries (give the reason)"), permissions=["change"])
    def reject(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(
                request, gettext("Please write the reason of the rejection; the owners receive it."), messages.ERROR
            )
            return
        self._moderate(
            request,
            queryset,
            services.entry_reject,
            lambda n: ngettext("%(n)d entry rejected.", "%(n)d entries rejected.", n) % {"n": n},
            reason=reason,
        )

    @admin.action(description=_("Archive the selected entries"), permissions=["change"])
    def archive(self, request, queryset):
        self._moderate(
            request,
            queryset,
            services.entry_archive,
            lambda n: ngettext("%(n)d entry archived.", "%(n)d entries archived.", n) % {"n": n},
        )


@admin.register(Collection)
class CollectionAdmin(TenantScopedAdmin):
    list_display = ["name", "slug", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
