"""The portal's admin site: the Django admin with tenant-safe site-wide views.

- The login goes through allauth (its rate limits and second factor apply).
- "View on site" (``/admin/r/<ct>/<pk>/``) answers 404 for any object the staff
  member cannot see in that model's admin; Django looks it up unscoped.
- The autocomplete refuses (403) a field that is not a forward relation, where
  Django would fail with a server error.
"""

from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _


def _is_operator(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class PortalAdminSite(admin.AdminSite):
    site_header = _("WSIS Forum Portal administration")
    site_title = _("WSIS Forum Portal")
    index_title = _("Secretariat")

    def login(self, request, extra_context=None):
        return secure_admin_login(super().login)(request, extra_context)

    def get_urls(self):
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(str(pattern.pattern), self.admin_view(self.view_on_site), name="view_on_site")
        return urls

    def view_on_site(self, request, content_type_id, object_id):
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ContentType.DoesNotExist, ValueError) as exc:
            raise Http404(_("Not found.")) from exc
        model_admin = self._registry.get(model)
        if model is None or (model_admin is None and not _is_operator(request)):
            raise Http404(_("Not found."))
        visible = model_admin.get_queryset(request) if model_admin is not None else model._base_manager.all()
        try:
            obj = visible.get(pk=object_id)
        except (ObjectDoesNotExist, ValueError, ValidationError) as exc:
            raise Http404(_("Not found.")) from exc
        if model_admin is not None and not model_admin.has_view_permission(request, obj):
            raise Http404(_("Not found."))
        if not callable(getattr(obj, "get_absolute_url", None)) or obj.get_absolute_url() is None:
            raise Http404(_("Not found."))
        return shortcut(request, content_type_id, object_id)

    def autocomplete_view(self, request):
        try:
            source_model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            source_field = source_model._meta.get_field(request.GET["field_name"])
        except (KeyError, LookupError, FieldDoesNotExist) as exc:
            raise PermissionDenied from exc
        if not source_field.concrete:
            raise PermissionDenied
        return super().autocomplete_view(request)
