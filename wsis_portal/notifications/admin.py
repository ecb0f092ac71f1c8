from django.contrib import admin, messages
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wsis_portal.tenants.admin import TenantScopedAdmin

from .enums import OutboxStatus
from .models import OutboxEmail


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
