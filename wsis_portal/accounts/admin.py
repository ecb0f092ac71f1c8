from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from wsis_portal.tenants.admin import (
    OtherTenantsAnswer404Mixin,
    PlatformAdmin,
    ReferenceDataAdmin,
    staff_tenant_ids,
)

from .models import Organisation, User


@admin.register(User)
class UserAdmin(OtherTenantsAnswer404Mixin, PlatformAdmin, DjangoUserAdmin):
    """Operators see every account. A tenant's staff see only the staff of
    their tenants, and can find one more account by its exact email address
    in an autocomplete (to add them as a member), never browse the others;
    another tenant's member answers 404."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language"]
    list_select_related = ["organisation"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "job_title",
                    "organisation",
                    "stakeholder_type",
                    "country",
                    "preferred_language",
                    "gender",
                ]
            },
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def _is_tenant_staff(self, request) -> bool:
        return bool(staff_tenant_ids(request))

    def has_module_permission(self, request):
        return super().has_module_permission(request) or self._is_tenant_staff(request)

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        if not self._is_tenant_staff(request):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        members = User.objects.filter(memberships__tenant__in=staff_tenant_ids(request)).values("pk")
        return queryset.filter(pk__in=members)

    def get_search_results(self, request, queryset, search_term):
        if request.user.is_superuser:
            return super().get_search_results(request, queryset, search_term)
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Only the autocomplete (picking a new member) reaches past the tenant's
        # members; the change list would show the account's details.
        if "@" in search_term and _is_autocomplete(request):
            queryset = queryset | User.objects.filter(email__iexact=search_term.strip())
        return queryset, may_have_duplicates

    def user_change_password(self, request, id, form_url=""):
        self._404_unless_visible(request, id)
        return super().user_change_password(request, id, form_url)


def _is_autocomplete(request) -> bool:
    match = request.resolver_match
    return match is not None and match.url_name == "autocomplete" and match.namespace == "admin"


@admin.register(Organisation)
class OrganisationAdmin(ReferenceDataAdmin):
    list_display = ["name", "country", "stakeholder_type", "website"]
    list_filter = ["stakeholder_type", "country"]
    list_select_related = ["stakeholder_type"]
    search_fields = ["name"]
