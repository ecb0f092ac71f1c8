"""Admin bases that keep every staff member inside their own tenants.

``TenantScopedAdmin`` filters the changelist, list filters, object pages,
history, autocomplete, foreign-key choices, actions and inlines to the tenants
where the staff member has a membership; an object of another tenant answers
404 (never 403). View needs any role; add, change and delete need the manager
role, and choices offer only managed tenants. ``PlatformAdmin`` is for platform
operators (superusers) only. ``lock_unscoped_admins`` (run at start-up) makes
every other ModelAdmin platform-only and scopes the site's "view on site" URL.
``tests/tenants/`` walks every registered admin to prove all of this.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .enums import Role
from .models import Membership, Tenant
from .scoping import tenant_filter, tenant_id_of, tenant_path_of
from .selectors import tenant_ids_for_staff


def _is_operator(request) -> bool:
    user = request.user
    return user.is_active and user.is_superuser


def staff_tenant_ids(request, *, managers_only: bool = False) -> list[int]:
    """The tenants whose data this request may see (or, ``managers_only``, change); cached per request."""
    cache = request.__dict__.setdefault("_staff_tenant_ids", {})
    if managers_only not in cache:
        roles = {Role.MANAGER} if managers_only else None
        cache[managers_only] = tenant_ids_for_staff(user=request.user, roles=roles) if request.user.is_staff else []
    return cache[managers_only]


# Django 6 switches URL form fields to https by default; opt in now (and keep the
# admin free of the deprecation warning).
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class PlatformAdmin(admin.ModelAdmin):
    """For data that belongs to no tenant: only platform operators see it."""

    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def has_module_permission(self, request):
        return _is_operator(request)

    def has_view_permission(self, request, obj=None):
        return _is_operator(request)

    def has_add_permission(self, request):
        return _is_operator(request)

    def has_change_permission(self, request, obj=None):
        return _is_operator(request)

    def has_delete_permission(self, request, obj=None):
        return _is_operator(request)


class ReferenceDataAdmin(PlatformAdmin):
    """Shared reference data: every tenant's staff may read it (and pick it in
    autocompletes); only platform operators change it, since it is seen by all."""

    def has_module_permission(self, request):
        return _is_operator(request) or bool(staff_tenant_ids(request))

    def has_view_permission(self, request, obj=None):
        return _is_operator(request) or bool(staff_tenant_ids(request))


class TenantScopingMixin:
    """Restricts querysets and choices of related fields to the staff member's tenants."""

    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    def _limit_to_tenants(self, request, queryset, *, managers_only=False):
        if _is_operator(request) or tenant_path_of(queryset.model) is None:
            return queryset
        return queryset.filter(**tenant_filter(queryset.model, staff_tenant_ids(request, managers_only=managers_only)))

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        related_model = db_field.remote_field.model
        if tenant_path_of(related_model) is None:
            return queryset
        if queryset is None:
            queryset = related_model._default_manager.using(db).all()
        # Choices are for writing: a staff member attaches objects only to
        # tenants they manage, not to those where they merely view.
        return self._limit_to_tenants(request, queryset, managers_only=True)

    def get_autocomplete_fields(self, request):
        # Accounts are shared by every tenant: a plain select would list them
        # all. The autocomplete searches through UserAdmin, which shows tenant
        # staff only their members (and one account by its exact email).
        fields = list(super().get_autocomplete_fields(request))
        user_model = get_user_model()
        for field in self.model._meta.get_fields():
            if (
                field.concrete
                and (field.many_to_one or field.many_to_many)
                and field.related_model is user_model
                and field.name not in fields
                and field.name not in self.raw_id_fields
            ):
                fields.append(field.name)
        return fields


class OtherTenantsAnswer404Mixin:
    """An object the staff member may not see answers 404 on its change, delete
    and history pages, for every method and before any permission check: a 403
    (or Django's "doesn't exist" redirect) would confirm that it exists."""

    def _404_unless_visible(self, request, object_id):
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and not self.to_field_allowed(request, to_field):
            return  # Django refuses the request itself.
        if self.get_object(request, unquote(object_id), to_field) is None:
            raise Http404(_("Not found."))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None:
            self._404_unless_visible(request, object_id)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._404_unless_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._404_unless_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))


class TenantScopedAdmin(OtherTenantsAnswer404Mixin, TenantScopingMixin, admin.ModelAdmin):
    def get_queryset(self, request):
        return self._limit_to_tenants(request, super().get_queryset(request))

    def _allowed(self, request, obj, *, managers_only):
        if _is_operator(request):
            return True
        tenant_ids = staff_tenant_ids(request, managers_only=managers_only)
        if obj is None:
            return bool(tenant_ids)
        return tenant_id_of(obj) in tenant_ids

    def has_module_permission(self, request):
        return self._allowed(request, None, managers_only=False)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj, managers_only=False)

    def has_add_permission(self, request):
        return self._allowed(request, None, managers_only=True)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, obj, managers_only=True)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, obj, managers_only=True)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if tenant_path_of(self.model) == "tenant" and "tenant" not in initial:
            managed = staff_tenant_ids(request, managers_only=True)
            if len(managed) == 1:
                initial["tenant"] = managed[0]
        return initial

    def save_model(self, request, obj, form, change):
        if not _is_operator(request) and tenant_id_of(obj) not in staff_tenant_ids(request, managers_only=True):
            raise PermissionDenied
        super().save_model(request, obj, form, change)


class ReadOnlyTenantScopedAdmin(TenantScopedAdmin):
    """A tenant's records that staff read but never add, edit or delete by
    hand (votes, champions, refusals): what changes them is a service, run by
    the admin's own actions where there are any."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TenantScopedInlineMixin(TenantScopingMixin):
    """Inlines follow the permissions the staff member has on the parent's
    tenant (``obj`` is the parent) and get the same choice filtering."""

    def _allowed_on_parent(self, request, parent, *, managers_only):
        if _is_operator(request):
            return True
        tenant_ids = staff_tenant_ids(request, managers_only=managers_only)
        if parent is None:
            return bool(tenant_ids)
        return tenant_id_of(parent) in tenant_ids

    def has_view_permission(self, request, obj=None):
        return self._allowed_on_parent(request, obj, managers_only=False)

    def has_add_permission(self, request, obj=None):
        return self._allowed_on_parent(request, obj, managers_only=True)

    has_change_permission = has_add_permission
    has_delete_permission = has_add_permission


class TenantScopedTabularInline(TenantScopedInlineMixin, admin.TabularInline):
    pass


class TenantScopedStackedInline(TenantScopedInlineMixin, admin.StackedInline):
    pass


@admin.register(Tenant)
class TenantAdmin(PlatformAdmin):
    list_display = ["name", "slug", "organiser", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    list_select_related = ["user", "tenant"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]


class TenantScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter on a tenant or a tenant-owned relation offers only the
    staff member's tenants and their objects (Django lists every row)."""

    def field_choices(self, field, request, model_admin):
        if _is_operator(request):
            return super().field_choices(field, request, model_admin)
        limit = Q(**tenant_filter(field.related_model, staff_tenant_ids(request)))
        own_limit = field.get_limit_choices_to() if hasattr(field, "get_limit_choices_to") else None
        if own_limit:
            limit &= own_limit if isinstance(own_limit, Q) else Q(**own_limit)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=limit, ordering=ordering)


admin.FieldListFilter.register(
    lambda field: bool(field.is_relation and field.related_model and tenant_path_of(field.related_model)),
    TenantScopedRelatedFieldListFilter,
    take_priority=True,
)


SCOPED_ADMIN_BASES = (PlatformAdmin, TenantScopedAdmin)


def lock_unscoped_admins(site=None) -> list[str]:
    """Make every ModelAdmin that is neither tenant-scoped nor platform-only
    (third-party ones: Celery beat, allauth, groups) platform-only, so that a
    newly installed app fails closed. Returns the models it locked.

    The site itself (``admin_site.PortalAdminSite``) scopes "view on site"
    and hardens the autocomplete."""
    site = site or admin.site
    locked = []
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, SCOPED_ADMIN_BASES):
            continue
        original = type(model_admin)
        locked_class = type(
            f"Platform{original.__name__}", (PlatformAdmin, original), {"__module__": original.__module__}
        )
        site.unregister(model)
        site.register(model, locked_class)
        locked.append(model._meta.label)
    return locked
