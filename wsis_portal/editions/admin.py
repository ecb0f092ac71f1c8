from django.contrib import admin

from wsis_portal.notifications.admin import ReminderRuleInline
from wsis_portal.tenants.admin import TenantScopedAdmin, TenantScopedTabularInline

from . import models


class CallInline(TenantScopedTabularInline):
    model = models.Call
    extra = 0
    fields = ["kind", "title", "position"]
    show_change_link = True


class MeetingInline(TenantScopedTabularInline):
    model = models.Meeting
    extra = 0
    fields = ["title", "format", "starts_at", "ends_at", "place", "remote_url", "recording_url"]


class TrackInline(TenantScopedTabularInline):
    model = models.Track
    extra = 0
    fields = ["name", "special_track", "position"]


@admin.register(models.Edition)
class EditionAdmin(TenantScopedAdmin):
    list_display = ["title", "year", "tenant", "starts_on", "ends_on", "timezone", "status"]
    list_filter = ["status", "tenant"]
    list_select_related = ["tenant"]
    search_fields = ["title", "theme"]
    inlines = [CallInline, MeetingInline, TrackInline]


class PhaseInline(TenantScopedTabularInline):
    model = models.Phase
    extra = 0
    fields = ["key", "name", "opens_at", "closes_at", "accepts_submissions", "position"]


class DeadlineExtensionInline(TenantScopedTabularInline):
    model = models.DeadlineExtension
    extra = 0
    fields = ["organisation", "closes_at", "reason"]
    autocomplete_fields = ["organisation"]


@admin.register(models.Call)
class CallAdmin(TenantScopedAdmin):
    list_display = ["title", "kind", "edition"]
    list_filter = ["kind", "edition__tenant", "edition"]
    list_select_related = ["edition"]
    search_fields = ["title"]
    inlines = [PhaseInline, DeadlineExtensionInline, ReminderRuleInline]

    def save_formset(self, request, form, formset, change):
        for extension in formset.save(commit=False):
            if isinstance(extension, models.DeadlineExtension) and extension.created_by_id is None:
                extension.created_by = request.user
        super().save_formset(request, form, formset, change)


@admin.register(models.Phase)
class PhaseAdmin(TenantScopedAdmin):
    list_display = ["name", "key", "call", "opens_at", "closes_at", "accepts_submissions"]
    list_filter = ["key", "call__kind", "call__edition"]
    list_select_related = ["call__edition"]
    search_fields = ["name", "key", "call__title"]


@admin.register(models.PhaseEvent)
class PhaseEventAdmin(TenantScopedAdmin):
    list_display = ["phase", "kind", "boundary_at", "ran_at"]
    list_filter = ["kind"]
    list_select_related = ["phase__call__edition"]
    readonly_fields = ["phase", "kind", "boundary_at", "ran_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.DeadlineExtension)
class DeadlineExtensionAdmin(TenantScopedAdmin):
    list_display = ["call", "organisation", "closes_at", "reason", "created_by"]
    list_select_related = ["call__edition", "organisation", "created_by"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(models.Meeting)
class MeetingAdmin(TenantScopedAdmin):
    list_display = ["title", "edition", "format", "starts_at", "place"]
    list_filter = ["format", "edition"]
    list_select_related = ["edition"]
    search_fields = ["title", "place"]


@admin.register(models.Track)
class TrackAdmin(TenantScopedAdmin):
    list_display = ["name", "edition", "special_track"]
    list_select_related = ["edition", "special_track"]
    search_fields = ["name"]
