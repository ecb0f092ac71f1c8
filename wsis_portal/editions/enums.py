from django.db import models
from django.utils.translation import gettext_lazy as _


class EditionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (staff only)")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class CallKind(models.TextChoices):
    OCP_CONTRIBUTION = "ocp_contribution", _("Open Consultation Process contribution")
    WORKSHOP = "workshop", _("Workshop request")
    EXHIBITION = "exhibition", _("Exhibition space request")
    SPEAKER = "speaker", _("Speaker recommendation")
    HLTF = "hltf", _("High-Level Track Facilitator nomination")
    PRIZES = "prizes", _("WSIS Prizes")
    STOCKTAKING_UPDATE = "stocktaking_update", _("Stocktaking call for update and new entries")
    PHOTO = "photo", _("Photo and video contest")
    PARTNERSHIP = "partnership", _("Partnership request")


class PhaseEventKind(models.TextChoices):
    OPENED = "opened", _("opened")
    CLOSED = "closed", _("closed")


class MeetingFormat(models.TextChoices):
    PHYSICAL = "physical", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class SubmissionStatus(models.TextChoices):
    """The states every submission shares; an app adds its own review states."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
