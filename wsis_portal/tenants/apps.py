from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "wsis_portal.tenants"
    label = "tenants"
    verbose_name = _("Tenants")

    def ready(self) -> None:
        from .admin import lock_unscoped_admins

        lock_unscoped_admins()
