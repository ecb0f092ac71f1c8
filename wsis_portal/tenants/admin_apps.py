from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """``django.contrib.admin`` with the portal's site (see admin_site.py)."""

    default_site = "wsis_portal.tenants.admin_site.PortalAdminSite"
