from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    PROJECT = "project", _("Project")
    PROGRAMME = "programme", _("Programme")
    TRAINING = "training", _("Training")
    CONFERENCE = "conference", _("Conference")
    WEBSITE = "website", _("Website")
    GUIDELINE = "guideline", _("Guideline")
    TOOLKIT = "toolkit", _("Toolkit")
    OTHER = "other", _("Other")


class Coverage(models.TextChoices):
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    INTERNATIONAL = "international", _("International")


class ProjectStatus(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


class EntryStatus(models.TextChoices):
    """The moderation state of an entry (or of a pending revision of one)."""

    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


# Every move ``stocktaking.services`` makes. The owner submits (draft or
# rejected -> pending); the secretariat publishes, rejects and archives.
TRANSITIONS: dict[str, set[str]] = {
    EntryStatus.DRAFT: {EntryStatus.PENDING},
    EntryStatus.REJECTED: {EntryStatus.PENDING},
    EntryStatus.PENDING: {EntryStatus.PUBLISHED, EntryStatus.REJECTED},
    EntryStatus.PUBLISHED: {EntryStatus.ARCHIVED},
    EntryStatus.ARCHIVED: {EntryStatus.PUBLISHED},
}

# The owner changes these in place; a published entry is changed through a
# revision (a copy) so that the published text stays public until moderated.
OWNER_EDITABLE = {EntryStatus.DRAFT, EntryStatus.REJECTED}

# PostgreSQL text search configurations per entry language (created by the
# migration, each with unaccent in front of the language's stemmer).
SEARCH_CONFIGS = {
    "en": "wsis_unaccent_en",
    "fr": "wsis_unaccent_fr",
    "es": "wsis_unaccent_es",
    "ar": "wsis_unaccent_ar",
    "ru": "wsis_unaccent_ru",
}
# Language-neutral: unaccented words without stemming (also Chinese).
SIMPLE_SEARCH_CONFIG = "wsis_unaccent"
