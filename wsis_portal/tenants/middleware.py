"""Opens the django-scopes scope for every request.

- ``/<tenant>/...``: the tenant named in the URL (404 if unknown or inactive).
- ``/admin/...``: the tenants where the staff member holds a membership; only
  platform superusers run unscoped.
- anything else: no scope, so a query on a tenant-owned model fails closed.
"""

from __future__ import annotations

from contextlib import ExitStack

from django.http import Http404
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from .selectors import tenant_by_slug, tenant_ids_for_staff

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
        # The URL is resolved once, by Django's handler: ``process_view``
        # gets its arguments and opens the tenant's scope on this stack,
        # which closes when the response (rendered) comes back here.
        with ExitStack() as scopes:
            request._tenant_scopes = scopes
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Views take the tenant from request.tenant, not from the URL.
        slug = view_kwargs.pop(TENANT_KWARG, None)
        scopes = getattr(request, "_tenant_scopes", None)
        if slug is None or scopes is None:
            return None
        tenant = tenant_by_slug(slug)
        if tenant is None:
            raise Http404(_("No such forum."))
        request.tenant = tenant
        scopes.enter_context(scope(tenant=tenant.pk))
        return None
