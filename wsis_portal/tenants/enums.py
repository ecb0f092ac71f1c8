from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MANAGER = "manager", _("Secretariat manager")
    REVIEWER = "reviewer", _("Reviewer")
    EXPERT = "expert", _("Expert")
    VIEWER = "viewer", _("Viewer")
