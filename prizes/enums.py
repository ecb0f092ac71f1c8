from django.db import models
from django.utils.translation import gettext_lazy as _

from wsis_portal.editions.enums import SubmissionStatus

#: The five phases of the contest, as ``Phase.key`` of the edition's prizes call.
PHASE_SUBMISSION = "submission"
PHASE_NOMINATION = "nomination"
PHASE_VOTING = "voting"
PHASE_SELECTION = "selection"
PHASE_ANNOUNCEMENT = "announcement"
PHASE_KEYS = [PHASE_SUBMISSION, PHASE_NOMINATION, PHASE_VOTING, PHASE_SELECTION, PHASE_ANNOUNCEMENT]

# Stage 1 keeps the platform's three states; nomination and selection add theirs later.
PrizeEntryStatus = SubmissionStatus

# States in which the owner may still change the entry (before the deadline).
EDITABLE_STATUSES = {SubmissionStatus.DRAFT, SubmissionStatus.SUBMITTED}


class CompletionStatus(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class VoteStatus(models.TextChoices):
    """A vote counts only while it is ``VALID``. Suspicious votes are
    quarantined, never deleted; staff release them (back to valid) or void them."""

    VALID = "valid", _("Valid")
    QUARANTINED = "quarantined", _("Quarantined")
    VOIDED = "voided", _("Voided")
