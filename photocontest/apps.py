from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotocontestConfig(AppConfig):
    name = "photocontest"
    verbose_name = _("Photo and video contest")
