"""Opens the django-scopes scope for every request.

- ``/<tenant>/...``: the tenant named in the URL (404 if unknown or inactive).
- ``/admin/...``: the tenants where the staff member holds a membership; only
  platform superusers run unscoped.
- anything else: no scope, so a query on a tenant-owned model fails closed.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from .models import Tenant
from .selectors import tenant_ids_for_staff

TENANT_KWARG = "tenant_slug"


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        if request.path_info.startswith("/admin/"):
            if request.user.is_authenticated and request.user.is_active and request.user.is_superuser:
                with scopes_disabled():
                    return self.get_response(request)
            with scope(tenant=tenant_ids_for_staff(user=request.user)):
                return self.get_response(request)

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get(TENANT_KWARG)
        if slug is None:
            return self.get_response(request)
        tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
        if tenant is None:
            raise Http404(_("No such forum."))
        request.tenant = tenant
        with scope(tenant=tenant.pk):
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Views take the tenant from request.tenant, not from the URL.
        view_kwargs.pop(TENANT_KWARG, None)
