"""Reference data shared by every tenant: Action Lines, SDGs, prize categories,
stakeholder types, regions, special tracks, session formats, partnership tiers.

Loaded by a data migration from ``data/wsis.yaml`` and editable in the admin by
platform operators (a change here is seen by every tenant).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class ActionLine(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(_("title"), max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent Action Line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_lines",
    )
    facilitators = models.CharField(_("facilitators"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("Action Line")
        verbose_name_plural = _("Action Lines")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class SustainableDevelopmentGoal(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=128)

    class Meta:
        ordering = ["number"]
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")

    def __str__(self) -> str:
        return _("SDG %(number)s: %(name)s") % {"number": self.number, "name": self.name}


class PrizeCategory(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    action_line = models.OneToOneField(ActionLine, verbose_name=_("Action Line"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["number"]
        verbose_name = _("prize category")
        verbose_name_plural = _("prize categories")

    def __str__(self) -> str:
        return _("Category %(number)s - %(action_line)s") % {"number": self.number, "action_line": self.action_line}


class NamedReference(models.Model):
    name = models.CharField(_("name"), max_length=128, unique=True)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class StakeholderType(NamedReference):
    class Meta(NamedReference.Meta):
        verbose_name = _("stakeholder type")
        verbose_name_plural = _("stakeholder types")


class Region(NamedReference):
    countries = CountryField(_("countries"), multiple=True, blank=True)

    class Meta(NamedReference.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class SpecialTrack(NamedReference):
    class Meta(NamedReference.Meta):
        verbose_name = _("special track")
        verbose_name_plural = _("special tracks")


class SessionFormat(NamedReference):
    class Meta(NamedReference.Meta):
        verbose_name = _("session format")
        verbose_name_plural = _("session formats")


class PartnershipTier(NamedReference):
    exclusive = models.BooleanField(_("exclusive"), default=False)

    class Meta(NamedReference.Meta):
        verbose_name = _("partnership tier")
        verbose_name_plural = _("partnership tiers")
