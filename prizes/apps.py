from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrizesConfig(AppConfig):
    name = "prizes"
    verbose_name = _("WSIS Prizes")

    def ready(self) -> None:
        from . import (
            nomination,  # noqa: F401 (registers the end-of-nomination boundary handler)
            selection,  # noqa: F401 (registers the tally and the announcement boundary handlers)
        )
