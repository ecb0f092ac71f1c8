from django.db import models
from django.utils.translation import gettext_lazy as _


class OcpStatus(models.TextChoices):
    """Every OCP submission's states: the shared three plus the review states."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


# The review transitions (``ocp.review.entry_transition``); changes_requested ->
# submitted is the owner's resubmission, not a move of the secretariat.
REVIEW_TRANSITIONS: dict[str, set[str]] = {
    OcpStatus.SUBMITTED: {OcpStatus.UNDER_REVIEW, OcpStatus.ACCEPTED, OcpStatus.REJECTED, OcpStatus.CHANGES_REQUESTED},
    OcpStatus.UNDER_REVIEW: {OcpStatus.ACCEPTED, OcpStatus.REJECTED, OcpStatus.CHANGES_REQUESTED},
    OcpStatus.CHANGES_REQUESTED: {OcpStatus.SUBMITTED},
}

# The moves a reviewer may make; every other move needs a manager.
REVIEWER_TARGETS = {OcpStatus.UNDER_REVIEW}

# The decisions that are told to the owner by email.
DECISION_STATUSES = {OcpStatus.ACCEPTED, OcpStatus.REJECTED, OcpStatus.CHANGES_REQUESTED}

# States in which the owner may still change their entry: until the deadline,
# and, once the secretariat asked for changes, until they submit it again.
EDITABLE_STATUSES = {OcpStatus.DRAFT, OcpStatus.SUBMITTED, OcpStatus.CHANGES_REQUESTED}
# States in which the owner may change and submit again after the deadline.
EDITABLE_AFTER_DEADLINE = {OcpStatus.CHANGES_REQUESTED}


class Participation(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    REMOTE = "remote", _("Remote")


class SpaceSize(models.TextChoices):
    TABLE = "table", _("Table top (about 2 m × 1 m)")
    SMALL = "small", _("Small stand (3 m × 3 m)")
    MEDIUM = "medium", _("Medium stand (6 m × 3 m)")
    LARGE = "large", _("Large stand (6 m × 6 m)")
