from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wsis_portal.tenants.admin import ReadOnlyTenantScopedAdmin, TenantScopedAdmin, TenantScopedTabularInline

from .enums import OutboxStatus
from .models import AddressNewsRefusal, OutboxEmail, ReminderRule


@admin.register(OutboxEmail)
class OutboxEmailAdmin(TenantScopedAdmin):
    list_display = [
        "created_at",
        "recipient",
        "subject",
        "category",
        "status",
        "attempts",
        "last_error_summary",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "category", "language"]
    search_fields = ["recipient", "subject", "dedup_key"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxEmail._meta.fields]
    actions = ["retry_now"]

    @admin.display(description=_("last error"), ordering="last_error")
    def last_error_summary(self, obj: OutboxEmail) -> str:
        return Truncator(obj.last_error).chars(120)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Rows are read-only; the retry action is allowed to managers below.
        return False

    @admin.action(description=_("Retry selected failed or queued emails now"))
    def retry_now(self, request, queryset):
        if not self._allowed(request, None, managers_only=True):
            self.message_user(request, _("Only managers can retry emails."), messages.ERROR)
            return
        count = queryset.filter(status__in=[OutboxStatus.FAILED, OutboxStatus.QUEUED]).update(
            status=OutboxStatus.QUEUED, next_attempt_at=timezone.now(), attempts=0
        )
        from .tasks import send_outbox

        send_outbox.delay()
        self.message_user(request, ngettext("%d email queued again.", "%d emails queued again.", count) % count)


class ReminderRuleInline(TenantScopedTabularInline):
    """The reminder rules of a call, on the Call admin page (editions/admin.py)."""

    model = ReminderRule
    extra = 0
    fields = ["phase", "offset", "on_boundary", "audience", "news_kind", "template", "is_active", "preview_link"]
    readonly_fields = ["preview_link"]
    show_change_link = True

    @admin.display(description=_("preview"))
    def preview_link(self, obj: ReminderRule) -> str:
        if obj.pk is None:
            return "-"
        url = reverse("admin:notifications_reminderrule_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # Only the phases of the call being edited (the rule must not point at another call's).
        if db_field.name == "phase" and field is not None:
            call_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            field.queryset = field.queryset.filter(call_id=call_id) if call_id else field.queryset.none()
        return field


@admin.register(ReminderRule)
class ReminderRuleAdmin(TenantScopedAdmin):
    list_display = ["call", "phase", "offset", "audience", "news_kind", "template", "is_active", "preview_link"]
    list_filter = ["is_active", "audience", "news_kind", "call__edition"]
    list_select_related = ["call__edition", "phase"]
    # No search: a tenant has three rules per call, found by the call filter.
    readonly_fields = ["created_at"]

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="notifications_reminderrule_preview",
        )
        return [preview, *super().get_urls()]

    @admin.display(description=_("preview"))
    def preview_link(self, obj: ReminderRule) -> str:
        url = reverse("admin:notifications_reminderrule_preview", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview"))

    def preview_view(self, request, object_id):
        """Who would receive the rule now and the email the first of them would get."""
        rule = self.get_object(request, unquote(object_id))
        if rule is None or not self.has_view_permission(request, rule):
            raise Http404
        from .reminders import reminder_preview

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": rule,
            "rule": rule,
            "preview": reminder_preview(rule=rule),
            "title": _("Preview of the reminder"),
        }
        return TemplateResponse(request, "notifications/reminderrule_preview.html", context)


@admin.register(AddressNewsRefusal)
class AddressNewsRefusalAdmin(ReadOnlyTenantScopedAdmin):
    """Addresses without an account (nominees) that left a kind of news by
    their email's one-click link: read-only, as the person's own choice."""

    list_display = ["email", "kind", "tenant", "created_at"]
    list_filter = ["kind"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    readonly_fields = ["email", "tenant", "kind", "created_at"]
