from django.db import models
from django_scopes import ScopedManager

from wsis_portal.editions.models import Submission


class SampleEntry(Submission):
    reference_prefix = "SMP"

    title = models.CharField(max_length=200, blank=True)

    class Meta(Submission.Meta):
        verbose_name = "sample entry"

    @property
    def title_for_owner(self) -> str:
        return self.title or super().title_for_owner

    def missing_for_submission(self) -> list[str]:
        return [] if self.title else ["Title"]


class BoundaryLog(models.Model):
    """One row each time a boundary handler ran: the tests count them."""

    phase = models.ForeignKey("editions.Phase", on_delete=models.CASCADE)
    event = models.CharField(max_length=16)
    ran_at = models.DateTimeField(auto_now_add=True)

    tenant_path = "phase__call__edition__tenant"
    objects = ScopedManager(tenant=tenant_path)

    def __str__(self) -> str:
        return f"{self.phase_id} {self.event}"
