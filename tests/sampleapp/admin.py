from django.contrib import admin

from wsis_portal.tenants.admin import TenantScopedAdmin

from .models import SampleEntry


@admin.register(SampleEntry)
class SampleEntryAdmin(TenantScopedAdmin):
    list_display = ["reference", "title", "status", "owner"]
    search_fields = ["reference", "title"]
    autocomplete_fields = ["call"]
