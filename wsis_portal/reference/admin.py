from django.contrib import admin

from wsis_portal.tenants.admin import ReferenceDataAdmin

from . import models


@admin.register(models.ActionLine)
class ActionLineAdmin(ReferenceDataAdmin):
    list_display = ["code", "title", "parent", "facilitators"]
    search_fields = ["code", "title"]


@admin.register(models.SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(ReferenceDataAdmin):
    list_display = ["number", "name"]
    search_fields = ["name"]


@admin.register(models.PrizeCategory)
class PrizeCategoryAdmin(ReferenceDataAdmin):
    list_display = ["number", "action_line"]
    list_select_related = ["action_line"]


@admin.register(models.StakeholderType, models.SpecialTrack, models.SessionFormat)
class NamedReferenceAdmin(ReferenceDataAdmin):
    list_display = ["name", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(models.Region)
class RegionAdmin(NamedReferenceAdmin):
    pass


@admin.register(models.PartnershipTier)
class PartnershipTierAdmin(NamedReferenceAdmin):
    list_display = ["name", "position", "exclusive"]
