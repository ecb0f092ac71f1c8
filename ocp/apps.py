from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OcpConfig(AppConfig):
    name = "ocp"
    verbose_name = _("Open Consultation Process")
